package dev.ftguard.cli;

import dev.ftguard.agent.export.Exporter;
import dev.ftguard.agent.metrics.AgentMetrics;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.SdNotify;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ftguard run --policy FILE...}: enforce policies and stream events, reloading on change.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Put policies in force and stream every event (decisions included) as JSON lines on stdout"
          + " until SIGINT/SIGTERM (exit 0).",
      "Refuses to start when the policies are invalid (exit 9) or cannot be put in force.",
      "Reloads the policies on SIGHUP and when a policy file changes (after 200 ms of quiet). A"
          + " reload that fails keeps the rules in force and says why on stderr and in-band:"
          + " {\"type\":\"policy_reload\",\"ok\":false,\"errors\":[...]}.",
      "The rules stay in force after ftguard exits (use `ftguard policy clear` to remove them)."
    })
public final class RunCommand implements Callable<Integer> {
  @ParentCommand Ftguard parent;

  @Option(
      names = {"-p", "--policy"},
      arity = "1..*",
      paramLabel = "FILE",
      description =
          "Policy files (YAML) or directories (their *.yaml and *.yml files), loaded together;"
              + " repeat or list several. Required, here or as 'policy:' in the configuration.")
  List<Path> files;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Read the options from FILE (YAML, one key per long option: 'rotate-size: 100M');"
              + " default: "
              + RunConfig.DEFAULT
              + " when it exists. Options given here win over the file.")
  Path config;

  @Spec CommandSpec spec;

  @Option(
      names = "--json-errors",
      description =
          "Write stderr as JSON lines too: {\"type\":\"policy_error\",\"file\",\"line\",\"column\","
              + "\"message\",\"hint\",\"text\"}, {\"type\":\"error\"|\"warning\"|\"info\",\"message\"[,\"exit_code\"]}.")
  boolean jsonErrors;

  @Mixin OutputOptions output = new OutputOptions();

  @Mixin LineageOptions lineageOptions = new LineageOptions();

  @Override
  public Integer call() {
    Context ctx = parent.context;
    Diagnostics diag = new Diagnostics(ctx.err(), jsonErrors, output.journal);
    try {
      configure(ctx, diag);
      // the file may set json-errors and journal
      diag = new Diagnostics(ctx.err(), jsonErrors, output.journal);
      return run(ctx, diag);
    } catch (UserException e) {
      if (!jsonErrors && !output.journal) {
        throw e;
      }
      diag.fatal(e);
      return e.exitCode().code();
    }
  }

  /** The configuration file's values for the options not given, then the required ones checked. */
  private void configure(Context ctx, Diagnostics diag) {
    try {
      RunConfig.apply(spec, config, ctx.paths().config());
    } catch (PolicyFailure f) {
      diag.policyErrors(f.policyErrors());
      throw f.summary();
    }
    if (files == null || files.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "Missing required option: '--policy=FILE' (or 'policy:' in the configuration, "
              + (config == null ? ctx.paths().config() : config)
              + ")");
    }
  }

  private int run(Context ctx, Diagnostics diag) {
    // Validate and compile before touching the device: invalid policies never get near it.
    PolicyPipeline.Compiled compiled = compile(diag);
    Path device = ctx.paths().device();
    StopSignal stop = new StopSignal();
    OutputStream out = new BufferedOutputStream(ctx.stdout(), 64 * 1024);
    Optional<AgentMetrics> metrics = output.metrics();
    Exporter exporter = output.plainStdout() ? null : output.exporter(metrics, ctx.stdout());
    Optional<LineageOptions.Lineage> lineage = lineageOptions.start(metrics);
    PumpOutput sink =
        exporter == null ? new PumpOutput.Stream(out) : new PumpOutput.Export(exporter, metrics);
    Runnable flush = flushing(ctx, out, exporter);
    metrics.ifPresent(
        m ->
            diag.info(
                "metrics on http://"
                    + (output.metricsAddress == null ? "127.0.0.1" : output.metricsAddress)
                    + ":"
                    + m.port().orElse(-1)
                    + "/metrics"));
    int code = 0;
    Thread hook = null;
    try (ControlDevice dev = ctx.openDeviceForWriting()) {
      PolicyDaemon daemon =
          new PolicyDaemon(files, dev, device, sink, diag, stop, Clock.systemUTC())
              .onApplied(
                  a ->
                      metrics.ifPresent(
                          m -> a.failedHooks().forEach(h -> m.hookError(h.function()))))
              .lineage(lineage)
              .notify(SdNotify.of(ctx.env().get("NOTIFY_SOCKET")));
      start(diag, daemon, compiled);
      hook = stop.install(StopSignal.GRACE, flush);
      if (!Sighup.install(() -> daemon.requestReload(PolicyDaemon.SIGHUP))) {
        diag.error("cannot handle SIGHUP in this JVM (-Xrs?): reload by changing a policy file");
      }
      stream(diag, daemon, device);
    } catch (UserException e) {
      code = e.exitCode().code();
      throw e;
    } finally {
      Sighup.uninstall();
      close(diag, exporter, metrics, lineage);
      stop.finished(code, hook);
    }
    return code;
  }

  private PolicyPipeline.Compiled compile(Diagnostics diag) {
    try {
      return PolicyPipeline.compile(files, diag::warning);
    } catch (PolicyFailure f) {
      diag.policyErrors(f.policyErrors());
      throw f.summary();
    }
  }

  /** What the stop signal runs before the JVM exits: the output flushed. */
  private static Runnable flushing(Context ctx, OutputStream out, Exporter exporter) {
    if (exporter == null) {
      return StopSignal.flushing(out, ctx.err());
    }
    return () -> {
      try {
        exporter.flush();
      } catch (IOException e) {
        // reported by the loop; nothing more to do at exit
      }
      ctx.err().flush();
    };
  }

  /** Puts the compiled table in force and says so. */
  private static void start(
      Diagnostics diag, PolicyDaemon daemon, PolicyPipeline.Compiled compiled) {
    try {
      daemon.start(compiled);
    } catch (PolicyFailure f) {
      throw f.summary();
    }
    diag.info(
        "applied generation "
            + Long.toUnsignedString(daemon.current().generation())
            + ": "
            + PolicyDaemon.counts(compiled)
            + "; streaming events as pid "
            + ProcessHandle.current().pid()
            + " (SIGHUP or a change to a policy file reloads, SIGINT/SIGTERM stops; the rules"
            + " stay in force after exit)");
  }

  /** Streams events (reloading on file changes) until stopped, then sums up. */
  private void stream(Diagnostics diag, PolicyDaemon daemon, Path device) {
    PolicyWatcher watcher = watch(diag, daemon);
    try {
      EventPump.Summary s;
      try {
        s = daemon.run(EventPump.Options.of(true, 0, null));
      } catch (ErrnoException e) {
        throw Errors.deviceCall(e, device);
      }
      diag.info(
          EventPump.describe(s).substring("ftguard: ".length())
              + "; "
              + PolicyPipeline.plural(daemon.reloads(), "reload", "reloads")
              + (daemon.failedReloads() > 0 ? ", " + daemon.failedReloads() + " failed" : "")
              + "; generation "
              + Long.toUnsignedString(daemon.current().generation())
              + " stays in force");
    } finally {
      if (watcher != null) {
        watcher.close();
      }
    }
  }

  private static void close(
      Diagnostics diag,
      Exporter exporter,
      Optional<AgentMetrics> metrics,
      Optional<LineageOptions.Lineage> lineage) {
    if (exporter != null) {
      try {
        exporter.close();
      } catch (IOException e) {
        diag.error("closing the output failed: " + e.getMessage());
      }
    }
    metrics.ifPresent(AgentMetrics::close);
    lineage.ifPresent(l -> l.enricher().close());
  }

  private PolicyWatcher watch(Diagnostics diag, PolicyDaemon daemon) {
    try {
      return PolicyWatcher.start(
          files, PolicyDaemon.DEBOUNCE, () -> daemon.requestReload(PolicyDaemon.FILE_CHANGE));
    } catch (IOException e) {
      diag.error(
          "cannot watch the policy files ("
              + e
              + "): reload with SIGHUP (kill -HUP "
              + ProcessHandle.current().pid()
              + ")");
      return null;
    }
  }
}
