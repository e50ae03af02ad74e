package dev.ftguard.cli;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.nativeio.ControlDevice;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ObjectNode;

/** {@code ftguard policy apply FILE...}: validate, compile and put policies in force. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Validate policy files, compile them into a rule table and put it in force in the kernel.",
      "All or nothing: the files are loaded together; on any error (invalid policy, table too"
          + " large, rejected by the kernel) the rules in force stay as they were.",
      "The new table replaces every rule in force; it stays in force after ftguard exits, until"
          + " the next apply, `ftguard policy clear` or the module is unloaded.",
      "Errors in the files go to stderr, one per line: FILE:LINE:COLUMN: error: WHAT (hint: HOW TO"
          + " FIX); exit status 9."
    })
public final class PolicyApplyCommand implements Callable<Integer> {
  @ParentCommand PolicyCommand parent;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = PolicyCommand.FILES)
  List<Path> files;

  @Option(
      names = "--dry-run",
      description = "Validate and compile only; print the table size; do not touch the kernel.")
  boolean dryRun;

  @Mixin JsonOption output;

  @Override
  public Integer call() {
    Context ctx = parent.parent.context;
    PolicyPipeline.Compiled compiled;
    try {
      compiled = PolicyPipeline.compile(files);
    } catch (PolicyFailure f) {
      throw PolicyValidateCommand.report(ctx, f);
    }
    PolicyValidateCommand.warnAboutRules(ctx, compiled.set());
    if (dryRun) {
      if (output.json()) {
        ObjectNode o = counts(compiled);
        o.put("dry_run", true);
        ctx.out().println(EventJson.line(o));
      } else {
        ctx.out()
            .printf(
                "%s, %s: %d bytes (dry run: nothing applied)%n",
                PolicyPipeline.plural(compiled.policies(), "policy", "policies"),
                PolicyPipeline.plural(compiled.rules(), "rule", "rules"),
                compiled.bytes());
      }
      ctx.out().flush();
      return 0;
    }
    PolicyPipeline.Applied applied = write(ctx, compiled);
    if (output.json()) {
      ctx.out().println(EventJson.line(appliedJson(applied)));
    } else {
      ctx.out()
          .printf(
              "applied generation %s: %s, %s, %d bytes%s%n",
              Long.toUnsignedString(applied.generation()),
              PolicyPipeline.plural(compiled.policies(), "policy", "policies"),
              PolicyPipeline.plural(compiled.rules(), "rule", "rules"),
              compiled.bytes(),
              applied.hooks().isEmpty() ? "" : "; " + applied.hookSummary());
    }
    ctx.out().flush();
    if (!applied.failedHooks().isEmpty()) {
      ctx.err().println("ftguard: warning: " + applied.hookSummary());
      ctx.err().flush();
      return ExitCode.HOOKS_NOT_ATTACHED.code();
    }
    return 0;
  }

  static ObjectNode counts(PolicyPipeline.Compiled c) {
    ObjectNode o = EventJson.MAPPER.createObjectNode();
    o.put("policies", c.policies());
    o.put("rules", c.rules());
    o.put("bytes", c.bytes());
    return o;
  }

  /** What apply and clear print with {@code --json}: the generation put in force and its counts. */
  static ObjectNode appliedJson(PolicyPipeline.Applied applied) {
    ObjectNode o = EventJson.MAPPER.createObjectNode();
    EventJson.unsigned(o, "generation", applied.generation());
    o.setAll(counts(applied.compiled()));
    if (!applied.hooks().isEmpty()) {
      o.set("hooks", hooksJson(applied.hooks()));
    }
    return o;
  }

  /** Each declared function: attached, may deny, hits, and why it did not attach. */
  static tools.jackson.databind.node.ArrayNode hooksJson(List<dev.ftguard.abi.CallHookInfo> hooks) {
    var a = EventJson.MAPPER.createArrayNode();
    for (var h : hooks) {
      ObjectNode o = a.addObject();
      o.put("function", h.function());
      o.put("attached", h.attached());
      o.put("may_deny", h.mayDeny());
      EventJson.unsigned(o, "hits", h.hits());
      if (h.error() != 0) {
        o.put("error", dev.ftguard.abi.Errno.name(-h.error()));
        o.put("reason", PolicyPipeline.whyNotHooked(h));
      }
    }
    return a;
  }

  /** Opens the device for writing, checks its ABI version and writes the table. */
  static PolicyPipeline.Applied write(Context ctx, PolicyPipeline.Compiled compiled) {
    Path device = ctx.paths().device();
    try (ControlDevice dev = ctx.openDeviceForWriting()) {
      PolicyPipeline.checkAbi(dev, device);
      return PolicyPipeline.write(dev, device, compiled);
    } catch (PolicyFailure f) {
      throw PolicyValidateCommand.report(ctx, f);
    }
  }
}
