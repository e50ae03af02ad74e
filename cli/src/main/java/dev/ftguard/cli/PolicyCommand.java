package dev.ftguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard policy}: work with policy files (see docs/policy.md). */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Check policy files, put them in force, show or clear the rules in the kernel (see docs/policy.md).",
    subcommands = {
      PolicyValidateCommand.class,
      PolicyApplyCommand.class,
      PolicyShowCommand.class,
      PolicyClearCommand.class
    },
    synopsisSubcommandLabel = "COMMAND")
public final class PolicyCommand implements Runnable {
  /** The FILE parameters of {@code validate} and {@code apply}: what they accept. */
  static final String FILES =
      "Policy files (YAML) or directories (their *.yaml and *.yml files, sorted by name); a"
          + " file given twice is read once.";

  @ParentCommand Ftguard parent;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing COMMAND");
  }
}
