package dev.ftguard.cli;

import dev.ftguard.policy.PolicyError;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.PolicyWarning;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard policy validate FILE...}: load policy files together and report every error. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Check policy files without loading them into the kernel.",
      "The files are validated together (lists in one file may be used by policies in another).",
      "Errors go to stderr, one per line: FILE:LINE:COLUMN: error: WHAT (hint: HOW TO FIX).",
      "Warnings (valid, but probably not meant: an enforcing deny or kill rule that matches every"
          + " event of its kind) go to stderr as FILE:LINE:COLUMN: warning: WHAT (hint: ...).",
      "Functions the policies hook by name are looked up on the running kernel (kallsyms, and"
          + " with root the traceable functions); one that cannot be hooked is a warning on"
          + " stderr: the policies stay valid (they may be meant for another kernel)."
    })
public final class PolicyValidateCommand implements Callable<Integer> {
  @ParentCommand PolicyCommand parent;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = PolicyCommand.FILES)
  List<Path> files;

  @Override
  public Integer call() {
    Context ctx = parent.parent.context;
    PolicySet set = loadOrExit(ctx, files);
    ctx.out()
        .printf(
            "%s, %s, %s: OK%n",
            PolicyPipeline.plural(set.policies().size(), "policy", "policies"),
            PolicyPipeline.plural(set.ruleCount(), "rule", "rules"),
            PolicyPipeline.plural(set.lists().size(), "list", "lists"));
    ctx.out().flush();
    warnAboutRules(ctx, set);
    warnAboutHooks(ctx, set);
    return 0;
  }

  /** Prints the set's located warnings ({@link PolicyWarning}) to stderr. */
  static void warnAboutRules(Context ctx, PolicySet set) {
    for (PolicyWarning w : PolicyWarning.of(set)) {
      ctx.err().println(w);
    }
    ctx.err().flush();
  }

  /** Warns on stderr about declared functions this kernel cannot hook. */
  static void warnAboutHooks(Context ctx, PolicySet set) {
    List<dev.ftguard.check.KernelReadings.DeclaredHook> declared = CheckCommand.declaredHooks(set);
    if (declared.isEmpty()) {
      return;
    }
    var facts =
        dev.ftguard.check.KernelReadings.gather(
            new dev.ftguard.check.LiveSystem(java.nio.file.Path.of("/")), declared);
    var check = dev.ftguard.check.Rules.declaredHooks(facts);
    if (check.status() != dev.ftguard.check.Status.PASS
        && !check.detail().startsWith("not checked")) {
      ctx.err()
          .println(
              "ftguard: warning: "
                  + check.detail()
                  + (check.fix().isEmpty() ? "" : " (hint: " + check.fix() + ")"));
      ctx.err().flush();
    }
  }

  /** Loads and validates; on failure prints every error to stderr and throws the summary. */
  static PolicySet loadOrExit(Context ctx, List<Path> files) {
    try {
      return PolicyPipeline.load(files);
    } catch (PolicyFailure f) {
      throw report(ctx, f);
    }
  }

  /** Prints the located errors of a failure to stderr; returns the summary to throw. */
  static UserException report(Context ctx, PolicyFailure f) {
    for (PolicyError e : f.policyErrors()) {
      ctx.err().println(e);
    }
    ctx.err().flush();
    return f.summary();
  }
}
