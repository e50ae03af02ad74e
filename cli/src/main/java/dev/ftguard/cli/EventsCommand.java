package dev.ftguard.cli;

import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard events}: print records as JSON lines. */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Print events as JSON, one object per line (schema: docs/events.md).",
      "Without --follow, prints what the kernel has buffered and exits. With --follow, keeps"
          + " reading until interrupted (Ctrl-C / SIGTERM), --count or --timeout.",
      "Records the kernel lost are reported in-band as lines of type \"drop\"."
    })
public final class EventsCommand implements Callable<Integer> {
  @ParentCommand Ftguard parent;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep reading until interrupted.")
  boolean follow;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Stop after N events.")
  long count;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop after this long, e.g. 500ms, 10s, 5m, 1h or PT30S.")
  Duration timeout;

  @Override
  public Integer call() throws IOException {
    if (count < 0) {
      throw new UserException(ExitCode.USAGE, "--count " + count + " is negative: give 1 or more");
    }
    Context ctx = parent.context;
    Path device = ctx.paths().device();
    StopSignal stop = new StopSignal();
    OutputStream out = new BufferedOutputStream(ctx.stdout(), 64 * 1024);
    Thread hook =
        follow ? stop.install(StopSignal.GRACE, StopSignal.flushing(out, ctx.err())) : null;
    int code = 0;
    try (ControlDevice dev = ctx.openDevice()) {
      EventPump pump =
          new EventPump(
                  dev,
                  out,
                  ctx.err(),
                  EventPump.Options.of(follow, count, timeout),
                  stop,
                  Clock.systemUTC())
              .callFieldNames(new KernelCallNames(dev, Clock.systemUTC()));
      EventPump.Summary s;
      try {
        s = pump.run();
      } catch (ErrnoException e) {
        throw Errors.deviceCall(e, device);
      }
      if (follow || s.droppedTotal() > 0 || s.unknown() > 0 || s.decodeErrors() > 0) {
        ctx.err().println(EventPump.describe(s));
        ctx.err().flush();
      }
    } catch (UserException e) {
      code = e.exitCode().code();
      throw e;
    } finally {
      stop.finished(code, hook);
    }
    return code;
  }

  /** Parses 500ms, 10s, 5m, 1h, 2d or ISO-8601 (PT30S). */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      Matcher m = SIMPLE.matcher(value.trim().toLowerCase(Locale.ROOT));
      Duration d;
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        d =
            switch (m.group(2)) {
              case "ms" -> Duration.ofMillis(n);
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
      } else {
        try {
          d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
          throw new CommandLine.TypeConversionException(
              "'" + value + "' is not a duration: use e.g. 500ms, 10s, 5m, 1h or PT30S");
        }
      }
      if (d.isNegative() || d.isZero()) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration");
      }
      return d;
    }
  }
}
