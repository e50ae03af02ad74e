package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.DecodeError;
import dev.ftguard.abi.DecodeResult;
import dev.ftguard.abi.Decoded;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventDecoder;
import dev.ftguard.abi.EventType;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Stats;
import dev.ftguard.abi.TamperEvent;
import dev.ftguard.abi.UnknownRecord;
import dev.ftguard.agent.json.CallFieldNames;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.agent.json.ExtraFields;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.EventSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * The read loop of {@code ftguard events}: read batches of records, print one JSON line per event,
 * flush per batch, report kernel drops in-band as {@code drop} lines, stop on request, count or
 * time limit, and at the end print a summary to stderr.
 *
 * <p>Without follow it drains what is buffered (stops at the first empty read). With follow it
 * polls with at most {@link Options#pollInterval} so a stop request is seen quickly; the line being
 * written is always completed before stopping.
 */
public final class EventPump {
  /**
   * @param follow keep reading until stopped
   * @param count stop after this many events (0: no limit)
   * @param timeout stop after this long (null: no limit)
   * @param pollInterval longest single wait, bounds the reaction time to a stop request
   * @param bufferBytes read buffer size, at least FTG_RECORD_MAX
   */
  public record Options(
      boolean follow, long count, Duration timeout, Duration pollInterval, int bufferBytes) {
    public Options {
      if (bufferBytes < Abi.RECORD_MAX) {
        throw new IllegalArgumentException("buffer below FTG_RECORD_MAX");
      }
    }

    public static Options of(boolean follow, long count, Duration timeout) {
      return new Options(follow, count, timeout, Duration.ofMillis(200), 64 * 1024);
    }
  }

  /** What happened during one run. */
  public record Summary(
      long events,
      long exec,
      long fork,
      long exit,
      long decision,
      long tamper,
      long unknown,
      long decodeErrors,
      long[] dropped,
      boolean outputClosed) {
    public long droppedTotal() {
      long s = 0;
      for (long d : dropped) {
        s += d;
      }
      return s;
    }
  }

  private final EventSource source;
  private final PumpOutput output;
  private final PrintWriter err;
  private final Options options;
  private final StopSignal stop;
  private final Clock clock;
  private final EventDecoder decoder = EventDecoder.nativeOrder();
  private Tick tick = w -> {};
  private CallFieldNames callNames = CallFieldNames.NONE;

  private long events, exec, fork, exit, decision, tamper, unknown, decodeErrors;
  private long[] baseline;
  private long[] lastReported;
  private final Set<Integer> unknownTypesReported = new HashSet<>();

  public EventPump(
      EventSource source,
      OutputStream out,
      PrintWriter err,
      Options options,
      StopSignal stop,
      Clock clock) {
    this(source, new PumpOutput.Stream(out), err, options, stop, clock);
  }

  EventPump(
      EventSource source,
      PumpOutput output,
      PrintWriter err,
      Options options,
      StopSignal stop,
      Clock clock) {
    this.source = source;
    this.output = output;
    this.err = err;
    this.options = options;
    this.stop = stop;
    this.clock = clock;
  }

  /** Writes one JSON line into the stream, between events. */
  @FunctionalInterface
  public interface LineWriter {
    void line(ObjectNode json) throws IOException;
  }

  /** Work done on the loop's thread before every read; it may write lines into the stream. */
  @FunctionalInterface
  public interface Tick {
    void run(LineWriter out) throws IOException;
  }

  /** Adds to every event's line before it goes out (e.g. the process and its ancestors). */
  @FunctionalInterface
  public interface Enricher {
    /** The fields added to the event's line, null for none. */
    ExtraFields enrich(Event event);
  }

  private Enricher enricher = e -> null;

  /** Sets what is added to every event's line (default: nothing). */
  public EventPump enricher(Enricher enricher) {
    this.enricher = enricher;
    return this;
  }

  /** Names the fields of call events (default: positional {@code fieldN}). */
  public EventPump callFieldNames(CallFieldNames names) {
    this.callNames = names;
    return this;
  }

  /** Sets the work done before every read (at least every {@link Options#pollInterval}). */
  public EventPump onTick(Tick tick) {
    this.tick = tick;
    return this;
  }

  /**
   * Runs until drained (no follow), stopped, count or timeout reached.
   *
   * @throws UserException ({@link ExitCode#INCOMPATIBLE}) when the module speaks another ABI
   *     version
   * @throws ErrnoException when the device fails
   */
  public Summary run() throws ErrnoException {
    Stats start = source.stats();
    if (start.abiVersion() != Abi.ABI_VERSION) {
      throw Errors.abiMismatch(start.abiVersion(), "reads version " + Abi.ABI_VERSION);
    }
    baseline = start.dropped();
    lastReported = baseline.clone();
    Instant deadline = options.timeout() == null ? null : clock.instant().plus(options.timeout());
    boolean outputClosed = false;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(options.bufferBytes(), 8);
      while (!stop.stopRequested() && !countReached()) {
        tick.run(output::notice);
        output.flush();
        long wait = 0;
        if (options.follow()) {
          wait = options.pollInterval().toMillis();
          if (deadline != null) {
            wait =
                Math.max(0, Math.min(wait, Duration.between(clock.instant(), deadline).toMillis()));
          }
        }
        long n = source.readRecords(buf, wait);
        if (n > 0) {
          emit(decoder.decode(buf, 0, n));
        }
        reportDrops();
        output.flush();
        if (n == 0 && !options.follow()) {
          break;
        }
        if (deadline != null && !clock.instant().isBefore(deadline)) {
          break;
        }
      }
      reportDrops();
      output.flush();
    } catch (IOException e) {
      if (!(output instanceof PumpOutput.Stream)) {
        throw new UserException(
            ExitCode.FAILURE,
            "writing the events failed: "
                + e.getMessage()
                + " (free space on the output's"
                + " filesystem or fix its path; events not read yet stay buffered in the kernel"
                + " until the next reader)",
            e);
      }
      // stdout closed (e.g. `| head`): stop quietly, nothing more can be delivered
      outputClosed = true;
    }
    long[] dropped = new long[Abi.DROP_REASONS];
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] = lastReported[i] - baseline[i];
    }
    return new Summary(
        events, exec, fork, exit, decision, tamper, unknown, decodeErrors, dropped, outputClosed);
  }

  private boolean countReached() {
    return options.count() > 0 && events >= options.count();
  }

  /**
   * The items of one read, events in the order of their hooked calls ({@code mono_ns}; stable): the
   * reader merges the CPUs' buffers, which can put a child's fork before its parent's exec, and the
   * process table must see them as they happened. Other items keep their place.
   */
  static List<Decoded> inCallOrder(List<Decoded> items) {
    List<Event> events = new ArrayList<>();
    for (Decoded d : items) {
      if (d instanceof Event e) {
        events.add(e);
      }
    }
    events.sort(Comparator.comparingLong(e -> e.header().monoNs()));
    List<Decoded> out = new ArrayList<>(items.size());
    int next = 0;
    for (Decoded d : items) {
      out.add(d instanceof Event ? events.get(next++) : d);
    }
    return out;
  }

  private void emit(DecodeResult result) throws IOException {
    for (Decoded item : inCallOrder(result.items())) {
      switch (item) {
        case Event e -> {
          if (countReached()) {
            continue; // read from the kernel but beyond --count: not printed
          }
          output.event(e, callNames, enricher.enrich(e));
          events++;
          switch (e) {
            case ExecEvent _ -> exec++;
            case ForkEvent _ -> fork++;
            case ExitEvent _ -> exit++;
            case DecisionEvent _, CallEvent _ -> decision++;
            case TamperEvent _ -> tamper++;
          }
        }
        case UnknownRecord u -> {
          unknown++;
          if (unknownTypesReported.add(u.type())) {
            err.println(
                "ftguard: skipped record of unknown type "
                    + u.type()
                    + " ("
                    + u.size()
                    + " bytes, seq "
                    + Long.toUnsignedString(u.seq())
                    + "): the module is newer than this ftguard; update ftguard to see these records");
            err.flush();
          }
        }
        case DecodeError d -> {
          decodeErrors++;
          err.println(
              "ftguard: bad record from the device at offset "
                  + d.offset()
                  + " of a read: "
                  + d.message()
                  + (d.framingLost() ? " (rest of this read skipped)" : " (record skipped)")
                  + "; please report this with `ftguard status` output");
          err.flush();
        }
      }
    }
  }

  private void reportDrops() throws IOException {
    long[] now;
    try {
      Stats stats = source.stats();
      output.stats(stats);
      now = stats.dropped();
    } catch (ErrnoException e) {
      return; // counters unavailable right now; the next batch tries again
    }
    long[] delta = new long[now.length];
    boolean grew = false;
    for (int i = 0; i < now.length; i++) {
      delta[i] = now[i] - lastReported[i];
      grew |= delta[i] > 0;
    }
    if (grew) {
      output.notice(EventJson.drop(clock.instant(), delta, now));
      lastReported = now;
    }
  }

  /** The one-line summary for stderr. */
  public static String describe(Summary s) {
    var sb =
        new StringBuilder("ftguard: ")
            .append(s.events())
            .append(" events (")
            .append(EventType.EXEC.jsonName())
            .append(' ')
            .append(s.exec())
            .append(", ")
            .append(EventType.FORK.jsonName())
            .append(' ')
            .append(s.fork())
            .append(", ")
            .append(EventType.EXIT.jsonName())
            .append(' ')
            .append(s.exit());
    if (s.decision() > 0) {
      // decision and call records: both are rule matches
      sb.append(", ").append(EventType.DECISION.jsonName()).append(' ').append(s.decision());
    }
    if (s.tamper() > 0) {
      sb.append(", ").append(EventType.TAMPER.jsonName()).append(' ').append(s.tamper());
    }
    sb.append(")");
    if (s.droppedTotal() > 0) {
      sb.append("; the kernel dropped ").append(s.droppedTotal()).append(" records (");
      for (int i = 0; i < Abi.DROP_REASONS; i++) {
        sb.append(i == 0 ? "" : ", ")
            .append(Abi.DROP_REASON_NAMES.get(i))
            .append(' ')
            .append(s.dropped()[i]);
      }
      sb.append("): load with a larger --buffer-kb or read continuously with --follow");
    } else {
      sb.append("; no records dropped");
    }
    if (s.unknown() > 0) {
      sb.append("; ").append(s.unknown()).append(" records of unknown type skipped");
    }
    if (s.decodeErrors() > 0) {
      sb.append("; ").append(s.decodeErrors()).append(" bad records skipped");
    }
    return sb.toString();
  }
}
