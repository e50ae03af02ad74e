package dev.ftguard.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard key}: the key DKMS signs the module with, and its enrollment (Secure Boot). */
@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "The key DKMS signs ftguard.ko with (Secure Boot loads only signed modules).",
      "DKMS's key (/var/lib/dkms/mok.key and mok.pub unless /etc/dkms/framework.conf says"
          + " otherwise) signs every DKMS module of the machine; the firmware trusts it once it"
          + " is enrolled as a machine owner key (mokutil). See docs/install.md."
    },
    subcommands = {KeyCreateCommand.class, KeyStatusCommand.class},
    synopsisSubcommandLabel = "COMMAND")
public final class KeyCommand implements Runnable {
  @ParentCommand Ftguard parent;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "The system whose key it is, mounted at DIR (an image being built); default: /.")
  Path root = Path.of("/");

  /** Runs openssl and mokutil; tests replace it. */
  SigningKey.Commands commands = SigningKey.Commands.system();

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing COMMAND");
  }

  SigningKey signingKey() {
    return new SigningKey(root, parent.context.env(), commands);
  }
}
