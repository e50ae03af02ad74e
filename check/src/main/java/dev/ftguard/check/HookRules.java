package dev.ftguard.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The hook targets: whether each function ftguard hooks (and each one a policy declares) is in
 * kallsyms, traceable by ftrace and free to redirect.
 */
final class HookRules {
  private HookRules() {}

  private static String names(List<HookTargets.Target> ts) {
    return ts.stream().map(HookTargets.Target::symbol).collect(Collectors.joining(", "));
  }

  /** The options {@code t} needs that the configuration has not set; empty if unknown. */
  private static List<String> unmetNeeds(KernelReadings f, HookTargets.Target t) {
    return f.knownConfig()
        .map(c -> t.needs().stream().filter(o -> !c.isYes(o)).toList())
        .orElse(List.of());
  }

  static Check hooksKallsyms(KernelReadings f) {
    String id = "hooks.kallsyms";
    String title = "hook targets in kallsyms";
    int n = f.targets().size();
    if (f.symbols() instanceof Reading.Found<Set<String>> s) {
      List<String> missing = new ArrayList<>();
      for (HookTargets.Target t : f.targets()) {
        if (!s.value().contains(t.symbol())) {
          List<String> unmet = unmetNeeds(f, t);
          String hint =
              !unmet.isEmpty()
                  ? " (needs " + String.join(" and ", unmet) + ": not set)"
                  : t.needs().isEmpty() ? "" : " (needs " + String.join(" and ", t.needs()) + ")";
          missing.add(t.symbol() + hint);
        }
      }
      if (missing.isEmpty()) {
        return Check.pass(id, title, "all " + n + " found in " + s.source());
      }
      return Check.fail(
          id,
          title,
          missing.size()
              + " of "
              + n
              + " not in "
              + s.source()
              + ": "
              + String.join(", ", missing)
              + ". This kernel has no function by that name (compiled out, renamed or inlined),"
              + " and the module refuses to load when one is missing (ENOENT)",
          "boot a kernel built with the options named; otherwise this kernel cannot host those"
              + " hooks");
    }
    // No symbol list: the configuration may still show that a target cannot exist.
    List<String> impossible = new ArrayList<>();
    for (HookTargets.Target t : f.targets()) {
      List<String> unmet = unmetNeeds(f, t);
      if (!unmet.isEmpty()) {
        impossible.add(t.symbol() + " (" + String.join(" and ", unmet) + " not set)");
      }
    }
    if (!impossible.isEmpty()) {
      return Check.fail(
          id,
          title,
          "no symbol list ("
              + f.symbols().explain()
              + "), but the configuration rules out "
              + String.join(", ", impossible)
              + ": without those options the functions do not exist",
          "boot a kernel built with the options named");
    }
    String fix =
        switch (f.symbols()) {
          case Reading.Denied<Set<String>> d -> "run as root (sudo)";
          case Reading.Skipped<Set<String>> s -> "";
          case Reading.Found<Set<String>> _,
              Reading.Missing<Set<String>> _,
              Reading.Broken<Set<String>> _ ->
              "give the symbol list with --kallsyms FILE (/proc/kallsyms of the kernel, or its System.map)";
        };
    return Check.warn(id, title, "undecided: " + f.symbols().explain(), fix);
  }

  /** A tracefs file that could not be read: warn, and say how to make it readable. */
  private static Check tracefsUnknown(KernelReadings f, String id, String title, Reading<?> r) {
    return switch (r) {
      case Reading.Denied<?> d ->
          Check.warn(
              id,
              title,
              "needs root: " + d.what() + " (tracefs is readable by root only)",
              "run ftguard check as root (sudo) to check this");
      case Reading.Missing<?> m -> {
        List<String> fix = new ArrayList<>();
        if (f.lockdown().known().filter("confidentiality"::equals).isPresent()) {
          fix.add("lockdown=confidentiality hides tracefs: it cannot be checked on this boot");
        } else if (f.knownConfig().map(c -> !c.isYes("CONFIG_DYNAMIC_FTRACE")).orElse(false)) {
          fix.add(
              "without CONFIG_DYNAMIC_FTRACE there is nothing to check (see CONFIG_DYNAMIC_FTRACE)");
        } else {
          fix.add(
              "mount tracefs as root (mount -t tracefs nodev /sys/kernel/tracing), then run ftguard check again");
        }
        yield Check.warn(id, title, "undecided: " + m.what(), String.join("; ", fix));
      }
      case Reading.Skipped<?> s -> Check.warn(id, title, "not checked: " + s.why(), "");
      case Reading.Found<?> _, Reading.Broken<?> _ ->
          Check.warn(id, title, "undecided: " + r.explain(), "");
    };
  }

  static Check hooksTraceable(KernelReadings f) {
    String id = "hooks.traceable";
    String title = "hook targets traceable";
    if (!(f.traceable() instanceof Reading.Found<Set<String>> t)) {
      return tracefsUnknown(f, id, title, f.traceable());
    }
    // Targets missing from kallsyms are reported there.
    Set<String> known = f.symbols().known().orElse(null);
    List<HookTargets.Target> not =
        f.targets().stream()
            .filter(x -> known == null || known.contains(x.symbol()))
            .filter(x -> !t.value().contains(x.symbol()))
            .toList();
    long checked =
        f.targets().stream().filter(x -> known == null || known.contains(x.symbol())).count();
    if (not.isEmpty()) {
      return Check.pass(id, title, "all " + checked + " in " + t.source());
    }
    return Check.fail(
        id,
        title,
        "not in "
            + t.source()
            + ": "
            + names(not)
            + ". ftrace cannot attach to "
            + (not.size() == 1 ? "it" : "them")
            + " (marked notrace, inlined into callers, or in a section ftrace skips), so"
            + " ftrace_set_filter_ip fails and the module refuses to load",
        "nothing to set: this kernel build cannot host "
            + (not.size() == 1 ? "that hook" : "those hooks"));
  }

  /**
   * ftguard's hooks are permanent (FTRACE_OPS_FL_PERMANENT): while they are attached the kernel
   * refuses {@code kernel.ftrace_enabled=0}, and while the sysctl is 0 the kernel refuses to attach
   * them (EBUSY).
   */
  static Check ftraceEnabled(KernelReadings f) {
    String id = "hooks.ftrace_enabled";
    String title = "kernel.ftrace_enabled";
    return switch (f.ftraceEnabled()) {
      case Reading.Found<Boolean> r when r.value() ->
          Check.pass(id, title, "1: function tracing is on (" + r.source() + ")");
      case Reading.Found<Boolean> r ->
          Check.fail(
              id,
              title,
              "0: function tracing is switched off ("
                  + r.source()
                  + "); the kernel refuses to attach ftguard's permanent hooks (EBUSY) until it is"
                  + " 1",
              "sysctl kernel.ftrace_enabled=1 (and remove kernel.ftrace_enabled = 0 from"
                  + " /etc/sysctl.d if it is set there)");
      case Reading.Missing<Boolean> r -> ftraceEnabledUnknown(id, title, r);
      case Reading.Denied<Boolean> r -> ftraceEnabledUnknown(id, title, r);
      case Reading.Broken<Boolean> r -> ftraceEnabledUnknown(id, title, r);
      case Reading.Skipped<Boolean> r -> ftraceEnabledUnknown(id, title, r);
    };
  }

  private static Check ftraceEnabledUnknown(String id, String title, Reading<Boolean> r) {
    return Check.warn(
        id,
        title,
        "undecided: " + r.explain(),
        "run ftguard check on the machine itself, as root if /proc/sys is restricted");
  }

  static Check hooksIpModify(KernelReadings f) {
    String id = "hooks.ipmodify";
    String title = "hook targets free (IPMODIFY)";
    if (!(f.enabled() instanceof Reading.Found<Map<String, EnabledFunction>> e)) {
      return tracefsUnknown(f, id, title, f.enabled());
    }
    List<String> taken = new ArrayList<>();
    List<String> ours = new ArrayList<>();
    List<String> direct = new ArrayList<>();
    for (HookTargets.Target t : f.targets()) {
      EnabledFunction line = e.value().get(t.symbol());
      if (line == null || !t.ipModify()) {
        continue; // a probe does not modify the IP: any other user may share the function
      }
      if (line.ipModify()) {
        if (f.ftguardLoaded() || line.ownedBy("ftguard")) {
          ours.add(t.symbol());
        } else {
          taken.add(
              t.symbol()
                  + " ("
                  + line.count()
                  + " user"
                  + (line.count() == 1 ? "" : "s")
                  + ", flags "
                  + line.flagString()
                  + ")");
        }
      } else if (line.direct()) {
        direct.add(t.symbol());
      }
    }
    if (!taken.isEmpty()) {
      return Check.fail(
          id,
          title,
          "already modified by another IPMODIFY ftrace user (livepatch, or another hooking"
              + " module): "
              + String.join(", ", taken)
              + " in "
              + e.source()
              + ". Only one ftrace_ops per function may change the instruction pointer:"
              + " registering ftguard's hook fails with EBUSY, and the module loads all hooks or"
              + " none",
          "find the other user (the callback in enabled_functions; ls /sys/kernel/livepatch) and"
              + " disable it (a livepatch: echo 0 > /sys/kernel/livepatch/NAME/enabled) or unload"
              + " its module");
    }
    if (!direct.isEmpty()) {
      return Check.warn(
          id,
          title,
          "a direct trampoline (a BPF fentry/fexit program) is attached to "
              + String.join(", ", direct)
              + ": since 6.0 a BPF trampoline can share a function with an IPMODIFY user; on older"
              + " kernels, or with other direct-call users, registering ftguard's hook fails with"
              + " EBUSY",
          "if ftguard load fails as busy, detach that BPF program (bpftool link list)");
    }
    if (!ours.isEmpty()) {
      return Check.pass(
          id, title, "held by ftguard itself (the module is loaded): " + String.join(", ", ours));
    }
    return Check.pass(id, title, "none is modified by another ftrace user (" + e.source() + ")");
  }

  /**
   * The functions policies hook by name: in kallsyms, traceable, and (for a hook with a deny rule)
   * not redirected by another ftrace user. A declared hook that cannot attach does not stop the
   * table or the other hooks, so problems are warnings.
   */
  public static Check declaredHooks(KernelReadings f) {
    String id = "policy.hooks";
    String title = "functions the policies hook";
    List<String> problems = new ArrayList<>();
    List<String> undecided = new ArrayList<>();
    Set<String> symbols = f.symbols().known().orElse(null);
    Set<String> traceable = f.traceable().known().orElse(null);
    Map<String, EnabledFunction> enabled = f.enabled().known().orElse(null);
    for (KernelReadings.DeclaredHook d : f.declared()) {
      problems.addAll(problems(f, d, symbols, traceable, enabled));
    }
    if (symbols == null) {
      undecided.add("kallsyms: " + f.symbols().explain());
    }
    if (traceable == null) {
      undecided.add("traceability: " + f.traceable().explain());
    }
    int n = f.declared().size();
    if (!problems.isEmpty()) {
      return Check.warn(
          id,
          title,
          problems.size()
              + " of "
              + n
              + " will not be hooked: "
              + String.join("; ", problems)
              + ". The table loads all the same; the rules on these functions do nothing",
          "fix the function names, or remove those hooks and their rules");
    }
    if (!undecided.isEmpty()) {
      return Check.warn(
          id, title, "not checked: " + String.join("; ", undecided), "run as root (sudo) to check");
    }
    return Check.pass(id, title, "all " + n + " in kallsyms and traceable");
  }

  /** Why the declared hook {@code d} will not be hooked; a reading that is null is not known. */
  private static List<String> problems(
      KernelReadings f,
      KernelReadings.DeclaredHook d,
      Set<String> symbols,
      Set<String> traceable,
      Map<String, EnabledFunction> enabled) {
    List<String> out = new ArrayList<>();
    String fn = d.function();
    if (symbols != null && !symbols.contains(fn)) {
      out.add(fn + " (" + d.where() + "): not in kallsyms: no such function in this kernel");
      return out;
    }
    if (traceable != null && !traceable.contains(fn)) {
      out.add(
          fn
              + " ("
              + d.where()
              + "): not traceable (not in available_filter_functions: inlined, notrace or init code)");
      return out;
    }
    EnabledFunction line = enabled == null ? null : enabled.get(fn);
    if (d.mayDeny()
        && line != null
        && line.ipModify()
        && !(f.ftguardLoaded() || line.ownedBy("ftguard"))) {
      out.add(
          fn
              + " ("
              + d.where()
              + "): already redirected by another ftrace user, so its deny rules cannot attach (EBUSY)");
    }
    if (d.mayDeny() && f.targets().stream().anyMatch(t -> t.ipModify() && t.symbol().equals(fn))) {
      out.add(
          fn
              + " ("
              + d.where()
              + "): the module's built-in hooks redirect it; a deny rule on it cannot attach (EBUSY): audit it, or use the built-in event");
    }
    return out;
  }
}
