package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.HookInfo;
import dev.ftguard.abi.Stats;
import dev.ftguard.abi.TamperEvent;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.nativeio.ErrnoException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ObjectNode;

/** {@code ftguard status}: is the module loaded, its hooks and counters. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show whether the module is loaded, its hooks and its counters.",
      "Exit status 3 when the module is not loaded."
    })
public final class StatusCommand implements Callable<Integer> {
  @ParentCommand Ftguard parent;

  @Mixin JsonOption output;

  @Override
  public Integer call() {
    Context ctx = parent.context;
    PrintWriter out = ctx.out();
    if (!ctx.moduleLoaded()) {
      if (output.json()) {
        ObjectNode o = EventJson.MAPPER.createObjectNode();
        o.put("loaded", false);
        out.println(EventJson.line(o));
        out.flush();
      }
      throw new UserException(
          ExitCode.NOT_LOADED,
          "ftguard module is not loaded (no " + ctx.paths().sysModule() + "): run `ftguard load`");
    }
    Path device = ctx.paths().device();
    Stats stats;
    List<HookInfo> hooks;
    List<dev.ftguard.abi.CallHookInfo> callHooks;
    try (dev.ftguard.nativeio.ControlDevice dev = ctx.openDevice()) {
      stats = dev.stats();
      hooks = dev.hooks();
      callHooks = stats.abiVersion() == Abi.ABI_VERSION ? dev.callHooks() : List.of();
    } catch (ErrnoException e) {
      throw Errors.deviceCall(e, device);
    }
    Map<String, String> params = parameters(ctx.paths().sysModule());
    if (output.json()) {
      ObjectNode o = EventJson.MAPPER.createObjectNode();
      o.put("loaded", true);
      o.put("device", device.toString());
      o.put("abi_version", stats.abiVersion());
      o.put("abi_compatible", stats.abiVersion() == Abi.ABI_VERSION);
      ObjectNode p = o.putObject("parameters");
      params.forEach(p::put);
      o.put("hooks_total", stats.nrHooks());
      o.put("hooks_attached", stats.hooksAttached());
      var arr = o.putArray("hooks");
      hooks.forEach(h -> arr.add(EventJson.hook(h)));
      o.set("call_hooks", PolicyApplyCommand.hooksJson(callHooks));
      o.set("table", EventJson.table(stats));
      o.set("counters", EventJson.stats(stats));
      out.println(EventJson.line(o));
    } else {
      text(out, device, stats, hooks, params);
      callHooksText(out, callHooks);
    }
    out.flush();
    if (stats.abiVersion() != Abi.ABI_VERSION) {
      throw new UserException(
          ExitCode.INCOMPATIBLE,
          "the loaded module speaks ABI version "
              + stats.abiVersion()
              + ", this ftguard expects "
              + Abi.ABI_VERSION
              + ": reload a matching module (ftguard unload && ftguard load)");
    }
    return 0;
  }

  /** The functions the table in force hooks by name, and why any of them is not hooked. */
  static void callHooksText(java.io.PrintWriter out, List<dev.ftguard.abi.CallHookInfo> hooks) {
    if (hooks.isEmpty()) {
      return;
    }
    long attached = hooks.stream().filter(dev.ftguard.abi.CallHookInfo::attached).count();
    out.printf("functions  %d of %d hooked by the policies attached%n", attached, hooks.size());
    for (var h : hooks) {
      out.printf(
          "  %-40s  %-8s  %-8s  %s%n",
          h.function(),
          h.attached() ? "attached" : "no",
          h.mayDeny() ? "may deny" : "audit",
          h.error() != 0
              ? PolicyPipeline.whyNotHooked(h)
              : Long.toUnsignedString(h.hits()) + " calls");
    }
  }

  static Map<String, String> parameters(Path sysModule) {
    Map<String, String> out = new TreeMap<>();
    Path dir = sysModule.resolve("parameters");
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        try {
          out.put(p.getFileName().toString(), Files.readString(p).trim());
        } catch (IOException e) {
          // write-only or unreadable parameter: not shown
        }
      }
    } catch (IOException e) {
      // no parameters shown
    }
    return out;
  }

  private static void text(
      PrintWriter out, Path device, Stats s, List<HookInfo> hooks, Map<String, String> params) {
    out.printf(
        "module     loaded, ABI version %d%s%n",
        s.abiVersion(),
        s.abiVersion() == Abi.ABI_VERSION ? "" : " (this ftguard expects " + Abi.ABI_VERSION + ")");
    out.printf("device     %s%n", device);
    if (!params.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      params.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
      out.printf("parameters %s%n", sb);
    }
    out.printf("hooks      %d of %d attached%n", s.hooksAttached(), s.nrHooks());
    if (!hooks.isEmpty()) {
      int w = Math.max(4, hooks.stream().mapToInt(h -> h.name().length()).max().orElse(4));
      out.printf("  %-" + w + "s  %-8s  %-8s  %s%n", "NAME", "ATTACHED", "IPMODIFY", "HITS");
      for (HookInfo h : hooks) {
        out.printf(
            "  %-" + w + "s  %-8s  %-8s  %s%n",
            h.name(),
            h.attached() ? "yes" : "no",
            h.ipModify() ? "yes" : "no",
            Long.toUnsignedString(h.hits()));
      }
    }
    out.printf("produced   %s%n", Long.toUnsignedString(s.produced()));
    out.printf("delivered  %s%n", Long.toUnsignedString(s.delivered()));
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < Abi.DROP_REASONS; i++) {
      d.append(i == 0 ? "" : ", ")
          .append(Abi.DROP_REASON_NAMES.get(i))
          .append(' ')
          .append(s.dropped(i));
    }
    out.printf("dropped    %d (%s)%n", s.droppedTotal(), d);
    out.printf("buffer     %d records waiting, %d bytes%n", s.bufferEntries(), s.bufferBytes());
    out.printf("inflight   %d%n", s.inflight());
    if (s.tableGeneration() == 0) {
      out.printf("rules      none loaded (ftguard policy apply FILE...)%n");
    } else {
      out.printf(
          "rules      generation %s: %d rules, %d bytes%n",
          Long.toUnsignedString(s.tableGeneration()), s.tableRules(), s.tableBytes());
    }
    StringBuilder dec = new StringBuilder();
    long[] decisions = s.decisions();
    for (int i = 0; i < Abi.ACTIONS; i++) {
      dec.append(i == 0 ? "" : ", ")
          .append(EventJson.ACTION_NAMES.get(i))
          .append(' ')
          .append(Long.toUnsignedString(decisions[i]));
    }
    out.printf("decisions  %s (monitor policies count what they would do)%n", dec);
    out.printf("blocked    %s%n", Long.toUnsignedString(s.blocked()));
    out.printf("killed     %s%n", Long.toUnsignedString(s.killed()));
    StringBuilder tamper = new StringBuilder();
    for (TamperEvent.What w : TamperEvent.What.values()) {
      tamper
          .append(tamper.isEmpty() ? "" : ", ")
          .append(w.yamlName())
          .append(' ')
          .append(Long.toUnsignedString(s.tamper(w.value())));
    }
    out.printf(
        "locked     %s%n", s.locked() ? "yes, until reboot (no unload, no table change)" : "no");
    out.printf("tamper     %s (attempts on the module, refused or not)%n", tamper);
  }
}
