package dev.ftguard.demo;

import dev.ftguard.cli.CommandProvider;
import dev.ftguard.cli.Context;
import dev.ftguard.cli.ExitCode;
import dev.ftguard.cli.LoadCommand;
import dev.ftguard.cli.UserException;
import dev.ftguard.cli.VersionProvider;
import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.DmesgChecker;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.GuestSpec;
import dev.ftguard.vm.KernelCatalog;
import dev.ftguard.vm.Share;
import dev.ftguard.vm.Vm;
import dev.ftguard.vm.VmException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ftguard demo}: on a machine whose own kernel cannot load modules, boot Debian's kernel in
 * QEMU, load ftguard there, and stream the events of a short scenario live.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Boot Debian's kernel in a VM, load ftguard there and show a short scenario's events live.",
      "Needs the kernel prepared by scripts/setup (./dev demo runs it)."
    })
public final class DemoCommand implements Callable<Integer> {

  static final String GUEST_HOME = "/ftguard";
  static final String GUEST_MODULE = "/ftguard.ko";

  /** What runs in the guest: load, read events in the background, play the scenario. */
  static final String PAYLOAD =
      """
      set -u
      F=%1$s/ftguard
      $F load --ko %2$s
      # background jobs of a non-interactive shell ignore SIGINT: undo that for the reader;
      # its lines go to a file shown as it grows, so the payload can tell when it caught up
      env --default-signal=INT $F events --follow > /tmp/events.jsonl &
      reader=$!
      tail -s 0.2 -f /tmp/events.jsonl & shower=$!
      say() { echo "## $*"; }
      say "an exec with arguments";    /bin/echo hello from ftguard > /dev/null
      say "a failing exec";            /no/such/binary --flag 2> /dev/null
      say "a subshell exiting with 3"; ( exit 3 )
      say "a pipeline";                /bin/ls /usr | /usr/bin/head -n 1 > /dev/null
      say "an interpreter";            /bin/sh -c 'exit 42'
      say "a process killed by SIGKILL"
      /bin/sleep 30 & victim=$!; kill -KILL $victim; wait $victim 2> /dev/null
      # the kernel buffers what the reader has not read yet; its JVM is slow to start under
      # emulation: stop it once it has printed the last event (the SIGKILL), at most %3$d s
      i=0
      while ! grep -q '"signal":9[,}]' /tmp/events.jsonl && [ $i -lt $((%3$d * 5)) ]; do
        sleep 0.2; i=$((i + 1))
      done
      kill -INT $reader; wait $reader
      sleep 0.5; kill $shower; wait $shower 2> /dev/null
      $F status
      $F unload
      """;

  /** Adds {@code demo} to {@code ftguard} when this artifact is on the class path. */
  public static final class Provider implements CommandProvider {
    @Override
    public Object command(Context context) {
      return new DemoCommand(context);
    }
  }

  private final Context ctx;

  DemoCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Option(
      names = "--kernel",
      paramLabel = "ABI",
      description = "Debian kernel prepared by scripts/setup (default: the newest).")
  String kernelAbi;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "240",
      description = "Stop the VM after this many seconds (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(
      names = "--linger",
      paramLabel = "SECONDS",
      defaultValue = "90",
      description =
          "Seconds the reader may take after the scenario to print its last event before it is"
              + " stopped anyway (default: ${DEFAULT-VALUE}).")
  int lingerSeconds;

  @Override
  public Integer call() {
    PrintWriter out = ctx.out();
    PrintWriter err = ctx.err();
    if (timeoutSeconds < 30 || lingerSeconds < 0 || lingerSeconds >= timeoutSeconds) {
      throw new UserException(
          ExitCode.USAGE, "--timeout must be at least 30 s and --linger between 0 and the timeout");
    }
    Path home =
        ctx.requireHome("cannot find the ftguard checkout: run the demo with ./ftguard from it");
    DebianKernel kernel = kernel(home, kernelAbi);
    err.println("demo: building the module for Debian's " + kernel.abi());
    Path ko =
        LoadCommand.buildModule(ctx, kernel.kdir(), kernel.abi(), kernel.buildRoot().orElse(null));

    AtomicLong firstEventNanos = new AtomicLong();
    long start = System.nanoTime();
    Path work = tempDir();
    GuestResult result;
    try {
      result =
          Vm.run(
              GuestSpec.builder(kernel)
                  .workDir(work)
                  .timeout(Duration.ofSeconds(timeoutSeconds))
                  .share(Share.readOnly(home, GUEST_HOME))
                  .file(GuestFile.copyOf(ko, GUEST_MODULE))
                  .payload(PAYLOAD.formatted(GUEST_HOME, GUEST_MODULE, lingerSeconds))
                  .progress(line -> err.println("demo: " + line))
                  .output(
                      line -> {
                        if (line.startsWith("{\"type\":")) {
                          firstEventNanos.compareAndSet(0, System.nanoTime());
                        }
                        out.println(line);
                        out.flush();
                      })
                  .build());
    } catch (VmException e) {
      throw new UserException(ExitCode.FAILURE, "the VM could not run: " + e.getMessage(), e);
    } finally {
      deleteTree(work);
    }

    return report(result, firstEventNanos.get(), start, err);
  }

  /** The outcome and the time to the first event on stderr; the exit status. */
  private static int report(GuestResult result, long first, long start, PrintWriter err) {
    String outcome =
        switch (result.outcome()) {
          case GuestResult.Outcome.Exited(int status) when status == 0 -> "scenario finished";
          case GuestResult.Outcome.Exited(int status) ->
              "the scenario failed with status " + status;
          case GuestResult.Outcome.Crashed(String reason) -> "the guest crashed: " + reason;
          case GuestResult.Outcome.TimedOut(Duration after) ->
              "the VM was stopped after " + after.toSeconds() + " s (--timeout)";
        };
    err.println(
        "demo: "
            + outcome
            + (first == 0
                ? "; no event reached the host"
                : String.format(
                    "; first event %.1f s after the VM started", (first - start) / 1e9)));
    if (!result.findings().isEmpty()) {
      err.println("demo: the kernel reported problems:\n" + DmesgChecker.report(result.findings()));
      return ExitCode.FAILURE.code();
    }
    return result.outcome() instanceof GuestResult.Outcome.Exited(int status) && status == 0
        ? 0
        : ExitCode.FAILURE.code();
  }

  private static DebianKernel kernel(Path home, String abi) {
    try {
      KernelCatalog catalog = KernelCatalog.of(home);
      return abi == null ? catalog.defaultKernel() : catalog.require(abi);
    } catch (VmException e) {
      throw new UserException(ExitCode.FAILURE, e.getMessage(), e);
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("ftguard-demo-");
    } catch (IOException e) {
      throw new UserException(
          ExitCode.FAILURE, "cannot create a temporary directory: " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is not worth failing the demo for
    }
  }
}
