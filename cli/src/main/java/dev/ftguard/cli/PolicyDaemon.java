package dev.ftguard.cli;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.SdNotify;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The loop of {@code ftguard run}: puts the policies in force, streams every event as JSON lines,
 * and reloads the policies when asked ({@link #requestReload}: SIGHUP, a changed file).
 *
 * <p>Reloads happen on the loop's thread, between two reads, so the device is used by one thread
 * and the {@code policy_reload} line never splits an event line. A reload that fails for any reason
 * (invalid files, table too large, kernel rejection) leaves the table in force untouched.
 */
public final class PolicyDaemon {
  /** Quiet time after the last change to a policy file before reloading. */
  public static final Duration DEBOUNCE = Duration.ofMillis(200);

  /** Why policies are (re)loaded; the {@code reason} of {@code policy_reload} lines. */
  public static final String START = "start";

  public static final String SIGHUP = "sighup";
  public static final String FILE_CHANGE = "file_change";

  private final List<Path> files;
  private final ControlDevice device;
  private final Path devicePath;
  private final PumpOutput out;
  private final Diagnostics diag;
  private final StopSignal stop;
  private final Clock clock;
  private final AtomicReference<String> pending = new AtomicReference<>();
  private PolicyPipeline.Applied current;

  /** Field names of the hooks of the table in force, by function. */
  private volatile java.util.Map<String, java.util.List<String>> callNames = java.util.Map.of();

  private long reloads;
  private long failedReloads;

  PolicyDaemon(
      List<Path> files,
      ControlDevice device,
      Path devicePath,
      OutputStream out,
      Diagnostics diag,
      StopSignal stop,
      Clock clock) {
    this(files, device, devicePath, new PumpOutput.Stream(out), diag, stop, clock);
  }

  PolicyDaemon(
      List<Path> files,
      ControlDevice device,
      Path devicePath,
      PumpOutput out,
      Diagnostics diag,
      StopSignal stop,
      Clock clock) {
    this.files = List.copyOf(files);
    this.device = device;
    this.devicePath = devicePath;
    this.out = out;
    this.diag = diag;
    this.stop = stop;
    this.clock = clock;
  }

  /**
   * Puts the policies in force for the first time.
   *
   * @throws PolicyFailure the daemon must not start (invalid files, too large, rejected, ...)
   */
  PolicyPipeline.Applied start(PolicyPipeline.Compiled compiled) throws PolicyFailure {
    PolicyPipeline.checkAbi(device, devicePath);
    current = PolicyPipeline.write(device, devicePath, compiled);
    hooksApplied(current);
    notify.ifPresent(n -> n.ready(status()));
    return current;
  }

  /** The table this daemon last put in force. */
  PolicyPipeline.Applied current() {
    return current;
  }

  long reloads() {
    return reloads;
  }

  long failedReloads() {
    return failedReloads;
  }

  /**
   * Asks the loop to reload before its next read (within the poll interval). Safe from any thread,
   * signal handlers included; requests made before the loop got to them are merged.
   */
  public void requestReload(String reason) {
    pending.compareAndSet(null, reason);
  }

  /** Whether a reload was requested and not yet done. */
  boolean reloadPending() {
    return pending.get() != null;
  }

  /**
   * Reloads now, on the calling thread: loads, validates and compiles the files and writes the
   * table. Reports the outcome on stderr and returns the {@code policy_reload} line for the stream.
   */
  ObjectNode reload(String reason) {
    ObjectNode o = EventJson.MAPPER.createObjectNode();
    o.put("type", "policy_reload");
    o.put("schema_version", EventJson.SCHEMA_VERSION);
    notify.ifPresent(n -> n.reloading("reloading policies (" + reason + ")"));
    try {
      PolicyPipeline.Compiled compiled = PolicyPipeline.compile(files, diag::warning);
      current = PolicyPipeline.write(device, devicePath, compiled);
      hooksApplied(current);
      reloads++;
      o.put("ok", true);
      EventJson.unsigned(o, "generation", current.generation());
      o.put("rules", compiled.rules());
      o.put("policies", compiled.policies());
      o.put("bytes", compiled.bytes());
      if (!current.hooks().isEmpty()) {
        o.set("hooks", PolicyApplyCommand.hooksJson(current.hooks()));
      }
      diag.info(
          "policies reloaded ("
              + reason
              + "): generation "
              + Long.toUnsignedString(current.generation())
              + ", "
              + counts(compiled));
    } catch (PolicyFailure f) {
      failedReloads++;
      o.put("ok", false);
      ArrayNode errors = o.putArray("errors");
      f.errors().forEach(errors::add);
      diag.policyErrors(f.policyErrors());
      String kept =
          current == null
              ? "no table of this daemon is in force"
              : "generation " + Long.toUnsignedString(current.generation()) + " stays in force";
      diag.error(
          "policy reload (" + reason + ") failed: " + f.summary().getMessage() + "; " + kept);
      if (current != null) {
        EventJson.unsigned(o, "kept_generation", current.generation());
      }
    }
    notify.ifPresent(n -> n.ready(status()));
    o.put("reason", reason);
    o.put("time", clock.instant().toString());
    return o;
  }

  private java.util.function.Consumer<PolicyPipeline.Applied> onApplied = a -> {};
  private java.util.Optional<SdNotify> notify = java.util.Optional.empty();

  /**
   * Tells the service manager (sd_notify) when the policies are in force: {@code READY=1} after the
   * first table and after each reload, {@code RELOADING=1} while one runs. Under {@code
   * Type=notify} the unit is started only once the rules are enforced.
   */
  PolicyDaemon notify(java.util.Optional<SdNotify> notify) {
    this.notify = notify;
    return this;
  }

  /** The one-line state for {@code systemctl status}. */
  String status() {
    return current == null
        ? "no table of this daemon is in force"
        : "generation "
            + Long.toUnsignedString(current.generation())
            + " in force: "
            + counts(current.compiled())
            + "; "
            + reloads
            + " reloads, "
            + failedReloads
            + " failed";
  }

  private java.util.Optional<LineageOptions.Lineage> lineage = java.util.Optional.empty();

  /** Adds the process table's lineage and enrichment to every event. */
  PolicyDaemon lineage(java.util.Optional<LineageOptions.Lineage> lineage) {
    this.lineage = lineage;
    return this;
  }

  /** Called with every table this daemon puts in force (e.g. to count hooks that failed). */
  PolicyDaemon onApplied(java.util.function.Consumer<PolicyPipeline.Applied> onApplied) {
    this.onApplied = onApplied;
    return this;
  }

  /** Names the new table's call fields; warns about functions that could not be hooked. */
  private void hooksApplied(PolicyPipeline.Applied applied) {
    onApplied.accept(applied);
    callNames = KernelCallNames.of(applied.compiled().set().policies());
    if (!applied.failedHooks().isEmpty()) {
      diag.error(
          "generation "
              + Long.toUnsignedString(applied.generation())
              + " is in force, but "
              + applied.hookSummary());
    }
  }

  /** The {@code policy_reload} line of the first apply. */
  ObjectNode startLine() {
    ObjectNode o = EventJson.MAPPER.createObjectNode();
    o.put("type", "policy_reload");
    o.put("schema_version", EventJson.SCHEMA_VERSION);
    o.put("ok", true);
    EventJson.unsigned(o, "generation", current.generation());
    o.put("rules", current.compiled().rules());
    o.put("policies", current.compiled().policies());
    o.put("bytes", current.compiled().bytes());
    if (!current.hooks().isEmpty()) {
      o.set("hooks", PolicyApplyCommand.hooksJson(current.hooks()));
    }
    o.put("reason", START);
    o.put("time", clock.instant().toString());
    return o;
  }

  /**
   * Streams events until stopped, doing requested reloads between reads. The first line is the
   * {@code policy_reload} line of the first apply.
   */
  EventPump.Summary run(EventPump.Options options) throws ErrnoException {
    boolean[] started = {false};
    EventPump pump =
        new EventPump(
                device,
                out,
                new java.io.PrintWriter(new DiagWriter(diag), true),
                options,
                stop,
                clock)
            .callFieldNames(f -> java.util.Optional.ofNullable(callNames.get(f)));
    lineage.ifPresent(pump::enricher);
    pump.onTick(
        w -> {
          if (!started[0]) {
            started[0] = true;
            w.line(startLine());
          }
          String reason = pending.getAndSet(null);
          if (reason != null) {
            w.line(reload(reason));
          }
          // System.nanoTime() is CLOCK_MONOTONIC on Linux, the clock of the events
          lineage.ifPresent(l -> l.upkeep(System.nanoTime()));
        });
    return pump.run();
  }

  static String counts(PolicyPipeline.Compiled c) {
    return PolicyPipeline.plural(c.policies(), "policy", "policies")
        + ", "
        + PolicyPipeline.plural(c.rules(), "rule", "rules")
        + ", "
        + c.bytes()
        + " bytes";
  }

  /**
   * Routes the event pump's stderr lines ({@code ftguard: ...}) through {@link Diagnostics}, so
   * that with {@code --json-errors} they become JSON too.
   */
  private static final class DiagWriter extends java.io.Writer {
    private final Diagnostics diag;
    private final StringBuilder line = new StringBuilder();

    DiagWriter(Diagnostics diag) {
      this.diag = diag;
    }

    @Override
    public synchronized void write(char[] cbuf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        char c = cbuf[i];
        if (c == '\n') {
          String l = line.toString();
          line.setLength(0);
          String prefix = "ftguard: ";
          diag.error(l.startsWith(prefix) ? l.substring(prefix.length()) : l);
        } else if (c != '\r') {
          line.append(c);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
