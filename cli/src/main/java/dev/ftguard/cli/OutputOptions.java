package dev.ftguard.cli;

import dev.ftguard.agent.export.ExportConfigException;
import dev.ftguard.agent.export.ExportFilter;
import dev.ftguard.agent.export.Exporter;
import dev.ftguard.agent.export.FileSinkConfig;
import dev.ftguard.agent.export.FlushPolicy;
import dev.ftguard.agent.export.JournalSink;
import dev.ftguard.agent.export.RateLimit;
import dev.ftguard.agent.export.RateLimiter;
import dev.ftguard.agent.export.RotatingFileSink;
import dev.ftguard.agent.export.Sink;
import dev.ftguard.agent.export.StreamSink;
import dev.ftguard.agent.metrics.AgentMetrics;
import dev.ftguard.agent.metrics.MetricsConfig;
import dev.ftguard.agent.metrics.MetricsConfigException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The output options of {@code ftguard run}: where the JSON lines go (stdout, or a file with
 * size-based rotation and gzip), which events are exported (by type, binary, rule), an export rate
 * limit, and the Prometheus endpoint. docs/export.md and docs/metrics.md describe them.
 */
final class OutputOptions {
  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Write the JSON lines to FILE, rotated by size (default: stdout).")
  Path file;

  @Option(
      names = "--journal",
      description =
          "Write the JSON lines on stdout prefixed with their syslog priority <N> (sd-daemon(3)),"
              + " for the journal under systemd; as well as --output FILE if given.")
  boolean journal;

  @Option(
      names = "--rotate-size",
      paramLabel = "SIZE",
      description =
          "Rotate the output file when it would exceed SIZE (e.g. 64k, 100M, 1G; default 100M, at least 64k).")
  String rotateSize;

  @Option(
      names = "--rotate-keep",
      paramLabel = "N",
      description = "Rotated files to keep (1..1000, default 10); older ones are deleted.")
  Integer rotateKeep;

  @Option(names = "--no-compress", description = "Keep rotated files as they are instead of gzip.")
  boolean noCompress;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      split = ",",
      description =
          "Export only these event types (exec, fork, exit, decision, call); drop and policy_reload lines always go out.")
  List<String> types = List.of();

  @Option(
      names = "--binary",
      paramLabel = "REGEX",
      description =
          "Export only events whose binary (exec filename, decision binary, process binary) matches REGEX.")
  String binary;

  @Option(
      names = "--rule",
      paramLabel = "NAME",
      split = ",",
      description = "Export only decision and call events of these rules.")
  List<String> rules = List.of();

  @Option(
      names = "--rate-limit",
      paramLabel = "N",
      description =
          "Export at most N events per second (bursts of --burst); the excess is counted, not written.")
  Double rateLimit;

  @Option(
      names = "--burst",
      paramLabel = "N",
      description = "Burst for --rate-limit (default: one second's worth).")
  Long burst;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve Prometheus metrics on http://ADDRESS:PORT/metrics (0: any free port, printed on stderr).")
  Integer metricsPort;

  @Option(
      names = "--metrics-address",
      paramLabel = "ADDRESS",
      description = "Address for --metrics-port (default 127.0.0.1; 0.0.0.0 for every interface).")
  String metricsAddress;

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)i?b?");

  /** Whether any option asks for more than every line on stdout. */
  boolean plainStdout() {
    return file == null
        && !journal
        && types.isEmpty()
        && binary == null
        && rules.isEmpty()
        && rateLimit == null
        && metricsPort == null;
  }

  /** Parses 64k, 100M, 1G (powers of 1024) or a byte count. */
  static long size(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new UserException(
          ExitCode.USAGE, "--rotate-size " + text + " is not a size: write e.g. 64k, 100M or 1G");
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          default -> 0;
        };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new UserException(ExitCode.USAGE, "--rotate-size " + text + " is too large");
    }
    return n << shift;
  }

  /** The metrics endpoint, if asked for; started here. */
  Optional<AgentMetrics> metrics() {
    if (metricsPort == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          AgentMetrics.serve(
              new MetricsConfig(
                  metricsAddress == null ? MetricsConfig.LOOPBACK : metricsAddress, metricsPort)));
    } catch (MetricsConfigException e) {
      throw new UserException(ExitCode.USAGE, e.getMessage(), e);
    }
  }

  /**
   * The exporter: filters, rate limit and the sinks (the journal's prefixed lines on {@code
   * stdout}, the rotating file, or else plain lines on {@code stdout}).
   */
  Exporter exporter(Optional<AgentMetrics> metrics, OutputStream stdout) {
    try {
      ExportFilter filter = ExportFilter.of(types, Optional.ofNullable(binary), rules);
      Optional<RateLimiter> limiter = Optional.empty();
      if (rateLimit != null) {
        long b = burst != null ? burst : Math.max(1, (long) Math.ceil(rateLimit));
        limiter = Optional.of(new RateLimiter(RateLimit.of(rateLimit, b)));
      } else if (burst != null) {
        throw new UserException(ExitCode.USAGE, "--burst needs --rate-limit");
      }
      List<Sink> sinks = new ArrayList<>();
      if (journal || file == null) {
        Sink out = new StreamSink(stdout, FlushPolicy.everyLine(), false, System::nanoTime);
        sinks.add(journal ? new JournalSink(out) : out);
      }
      if (file == null) {
        if (rotateSize != null || rotateKeep != null || noCompress) {
          throw new UserException(
              ExitCode.USAGE, "--rotate-size, --rotate-keep and --no-compress need --output FILE");
        }
      } else {
        FileSinkConfig c = FileSinkConfig.of(file).withCompress(!noCompress);
        if (rotateSize != null) {
          c = c.withMaxBytes(size(rotateSize));
        }
        if (rotateKeep != null) {
          c = c.withKeep(rotateKeep);
        }
        sinks.add(RotatingFileSink.open(c));
      }
      return new Exporter(
          filter,
          limiter,
          sinks,
          metrics
              .<dev.ftguard.agent.export.ExportListener>map(m -> m::dropped)
              .orElse(dev.ftguard.agent.export.ExportListener.NONE));
    } catch (ExportConfigException e) {
      throw new UserException(ExitCode.USAGE, e.getMessage(), e);
    } catch (IOException e) {
      throw new UserException(
          ExitCode.FAILURE, "cannot open the output " + file + ": " + e.getMessage(), e);
    }
  }
}
