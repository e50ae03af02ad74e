package dev.ftguard.cli;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.check.GivenFiles;
import dev.ftguard.check.KernelReadings;
import dev.ftguard.check.LiveSystem;
import dev.ftguard.check.Report;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.InputFile;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.PolicySet;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard check}: can this kernel host the hooks? */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Check whether this kernel can host ftguard's hooks.",
      "Architecture, version, configuration, every hook target (in kallsyms, traceable, not taken"
          + " by another IPMODIFY user), lockdown, module signatures, Secure Boot, IBT and kernel"
          + " headers: each is pass, warn or fail with the reason, and the fix under warnings and"
          + " failures.",
      "Runs without root as far as the files allow (tracefs needs root: those checks then warn)."
          + " The options replace what the running kernel would tell, so the same checks run on"
          + " files from another machine. See docs/check.md."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every check passes",
      "1:warnings, no failure (something could not be checked or may get in the way)",
      "2:at least one check fails (also: a usage error or a missing file given as an option)"
    })
public final class CheckCommand implements Callable<Integer> {
  @ParentCommand Ftguard parent;

  @Option(names = "--json", description = "Print one JSON document instead of the table.")
  boolean json;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Kernel configuration (.config or config.gz) instead of /proc/config.gz or /boot/config-RELEASE.")
  Path config;

  @Option(
      names = "--kallsyms",
      paramLabel = "FILE",
      description = "Symbol list (/proc/kallsyms or a System.map) instead of /proc/kallsyms.")
  Path kallsyms;

  @Option(
      names = "--tracefs",
      paramLabel = "DIR",
      description =
          "Directory with available_filter_functions and enabled_functions instead of /sys/kernel/tracing.")
  Path tracefs;

  @Option(
      names = "--release",
      paramLabel = "R",
      description = "Kernel release (uname -r) to check instead of the running one's.")
  String release;

  @Option(
      names = "--machine",
      paramLabel = "M",
      description = "Machine (uname -m) instead of the running kernel's.")
  String machine;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description =
          "Read the system's files (proc/, sys/, boot/, lib/modules/) under DIR instead of /.")
  Path root;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      arity = "1..*",
      description =
          "Policy files or directories: also check the functions they hook by name (hooks:): in kallsyms, traceable, not taken by another ftrace user.")
  List<Path> policies = List.of();

  @Override
  public Integer call() {
    Context ctx = parent.context;
    PrintWriter out = ctx.out();
    requireFile(config, "--config");
    requireFile(kallsyms, "--kallsyms");
    requireDirectory(tracefs, "--tracefs");
    requireDirectory(root, "--root");
    if (release != null && release.isBlank()) {
      throw new UserException(
          ExitCode.USAGE, "--release is empty: give a kernel release such as 6.1.0-13-amd64");
    }
    if (machine != null && machine.isBlank()) {
      throw new UserException(ExitCode.USAGE, "--machine is empty: give a machine such as x86_64");
    }
    GivenFiles.Given given =
        new GivenFiles.Given(
            Optional.ofNullable(config),
            Optional.ofNullable(kallsyms),
            Optional.ofNullable(tracefs),
            Optional.ofNullable(release),
            Optional.ofNullable(machine));
    LiveSystem live = new LiveSystem(root == null ? Path.of("/") : root);
    List<KernelReadings.DeclaredHook> declared =
        policies.isEmpty()
            ? List.of()
            : declaredHooks(PolicyValidateCommand.loadOrExit(ctx, policies));
    Report report = Report.of(KernelReadings.gather(new GivenFiles(live, given), declared));
    if (json) {
      out.println(report.jsonText());
    } else {
      out.print(report.table(width(ctx)));
    }
    out.flush();
    return report.exitCode();
  }

  /** Every function the set hooks by name, once, with where it is declared first. */
  static List<KernelReadings.DeclaredHook> declaredHooks(PolicySet set) {
    java.util.Map<String, KernelReadings.DeclaredHook> out = new java.util.LinkedHashMap<>();
    for (Policy p : set.policies()) {
      for (HookDecl h : p.hooks()) {
        boolean deny =
            set.policies().stream()
                .flatMap(q -> q.rules().stream())
                .anyMatch(
                    r ->
                        r.action() == Action.DENY
                            && r.match() instanceof Match.Call c
                            && c.hook().function().equals(h.function()));
        out.putIfAbsent(
            h.function(),
            new KernelReadings.DeclaredHook(h.function(), deny, h.location().toString()));
      }
    }
    return List.copyOf(out.values());
  }

  /** {@code $COLUMNS} when it is set and sensible, else {@link Report#DEFAULT_WIDTH}. */
  private static int width(Context ctx) {
    String c = ctx.env().get("COLUMNS");
    try {
      int w = c == null ? Report.DEFAULT_WIDTH : Integer.parseInt(c.trim());
      return w >= 60 ? w : Report.DEFAULT_WIDTH;
    } catch (NumberFormatException e) {
      return Report.DEFAULT_WIDTH;
    }
  }

  /** A regular file (a FIFO or device is refused without being opened: nothing hangs). */
  private static void requireFile(Path p, String option) {
    if (p == null) {
      return;
    }
    try {
      if (InputFile.stat(p, option).isDirectory()) {
        throw new UserException(
            ExitCode.USAGE, option + " " + p + " is a directory: give a file in it");
      }
    } catch (InputFile.Refused e) {
      throw new UserException(ExitCode.USAGE, e.getMessage(), e);
    }
  }

  private static void requireDirectory(Path p, String option) {
    if (p != null && !Files.isDirectory(p)) {
      throw new UserException(
          ExitCode.USAGE,
          option
              + " "
              + p
              + (Files.exists(p) ? " is not a directory" : " does not exist")
              + ": check the path");
    }
  }
}
