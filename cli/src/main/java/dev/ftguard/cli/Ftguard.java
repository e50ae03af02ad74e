package dev.ftguard.cli;

import dev.ftguard.nativeio.ErrnoException;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ftguard} command. */
@Command(
    name = "ftguard",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Watch a Linux host from inside the kernel with ftrace hooks.",
    subcommands = {
      LoadCommand.class,
      UnloadCommand.class,
      LockCommand.class,
      StatusCommand.class,
      CheckCommand.class,
      EventsCommand.class,
      RunCommand.class,
      VerifyCommand.class,
      PolicyCommand.class,
      KeyCommand.class
    },
    synopsisSubcommandLabel = "COMMAND",
    footer = {"", "Run 'ftguard COMMAND --help' for a command's options. See docs/cli.md."})
public final class Ftguard implements Runnable {
  final Context context;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public Ftguard(Context context) {
    this.context = context;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing COMMAND");
  }

  /** A command line wired to {@code context}, with ftguard's error handling. */
  public static CommandLine commandLine(Context context) {
    CommandLine cl = new CommandLine(new Ftguard(context));
    for (CommandProvider provider : ServiceLoader.load(CommandProvider.class)) {
      cl.addSubcommand(provider.command(context));
    }
    cl.addSubcommand(new CommandLine.HelpCommand());
    cl.setOut(context.out());
    cl.setErr(context.err());
    CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          if (!jsonErrors(args)) {
            return usage.handleParseException(ex, args);
          }
          // one JSON line, as every other error of a command run with --json-errors
          new Diagnostics(ex.getCommandLine().getErr(), true, false)
              .fatal(new UserException(ExitCode.USAGE, usageMessage(ex)));
          return ExitCode.USAGE.code();
        });
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          var err = cmd.getErr();
          switch (ex) {
            case UserException u -> {
              err.println("ftguard: " + u.getMessage());
              err.flush();
              return u.exitCode().code();
            }
            case ErrnoException e -> {
              err.println("ftguard: " + e.getMessage());
              err.flush();
              return ExitCode.FAILURE.code();
            }
            default -> throw ex;
          }
        });
    return cl;
  }

  /** Whether {@code --json-errors} is among the options (before a {@code --}). */
  static boolean jsonErrors(String[] args) {
    for (String a : args) {
      if (a.equals("--")) {
        return false;
      }
      if (a.equals("--json-errors")) {
        return true;
      }
    }
    return false;
  }

  /** picocli's message and how to see the usage: one line. */
  static String usageMessage(CommandLine.ParameterException ex) {
    String name = ex.getCommandLine().getCommandSpec().qualifiedName();
    return ex.getMessage().replace('\n', ' ').strip() + ": see '" + name + " --help'";
  }

  public static int run(Context context, String... args) {
    return commandLine(context).execute(args);
  }

  public static void main(String[] args) {
    int code = run(Context.system(), args);
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }
}
