package dev.ftguard.cli;

import dev.ftguard.agent.json.EventJson;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard policy clear}: remove every rule from the kernel. */
@Command(
    name = "clear",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Remove every rule from the kernel: puts an empty rule table in force.",
      "Nothing is blocked, killed or audited afterwards; events are still recorded."
    })
public final class PolicyClearCommand implements Callable<Integer> {
  @ParentCommand PolicyCommand parent;

  @Mixin JsonOption output;

  @Override
  public Integer call() {
    Context ctx = parent.parent.context;
    PolicyPipeline.Compiled empty;
    try {
      empty = PolicyPipeline.compile(PolicyPipeline.emptySet());
    } catch (PolicyFailure f) {
      throw f.summary(); // an empty set always fits
    }
    PolicyPipeline.Applied applied = PolicyApplyCommand.write(ctx, empty);
    if (output.json()) {
      ctx.out().println(EventJson.line(PolicyApplyCommand.appliedJson(applied)));
    } else {
      ctx.out()
          .printf(
              "cleared: generation %s has no rules%n", Long.toUnsignedString(applied.generation()));
    }
    ctx.out().flush();
    return 0;
  }
}
