package dev.ftguard.agent.metrics;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventType;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Stats;
import dev.ftguard.abi.TamperEvent;
import dev.ftguard.agent.export.ExportDropReason;
import dev.ftguard.agent.export.ExportListener;
import dev.ftguard.agent.export.ExportRecord;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The daemon's metrics, in a registry of their own, optionally served over HTTP ({@code GET
 * /metrics}, text exposition format). docs/metrics.md lists every metric.
 *
 * <p>The per-event methods ({@link #event(Event)}, {@link #exportDropped(ExportDropReason)}) are
 * cheap: the label children are looked up once and cached, so counting an event is a switch and an
 * atomic add. Every method is thread-safe.
 *
 * <p>Gauges whose value comes from the caller ({@code ftguard_ring_buffer_*}, {@code
 * ftguard_process_table_size}) have no sample until the caller first sets them, rather than a
 * misleading 0.
 */
public final class AgentMetrics implements ExportListener, AutoCloseable {
  /**
   * The values of {@code ftguard_events_total}'s {@code type} label ({@link
   * EventType#jsonNames()}).
   */
  public static final List<String> EVENT_TYPES = EventType.jsonNames();

  private static final int ACTIONS = DecisionEvent.Action.values().length;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExecutorService httpThreads;
  private final HTTPServer server;

  private final Counter events;

  /** The {@code ftguard_events_total} child of each event type, by {@link EventType#ordinal()}. */
  private final CounterDataPoint[] eventPoints = new CounterDataPoint[EventType.values().length];

  private final Counter drops;
  private final CounterDataPoint[] kernelDrops = new CounterDataPoint[Abi.DROP_REASONS];
  private final CounterDataPoint[] exportDrops =
      new CounterDataPoint[ExportDropReason.values().length];
  private long[] lastKernelDrops;

  /**
   * {@code ftguard_tamper_attempts_total} by {@code enum ftg_tamper}, from the kernel's counters.
   */
  private final CounterDataPoint[] tamperPoints = new CounterDataPoint[Abi.TAMPERS];

  private long[] lastTamper;

  /**
   * {@code ftguard_content_hash_total} by result: {@code hit}, {@code miss}, {@code hashed}, {@code
   * unknown}, from the kernel's content cache counters.
   */
  private static final List<String> CONTENT_RESULTS = List.of("hit", "miss", "hashed", "unknown");

  private final CounterDataPoint[] contentPoints = new CounterDataPoint[CONTENT_RESULTS.size()];
  private long[] lastContent;
  private volatile double locked = Double.NaN;

  private final Counter decisions;

  /** policy, then rule, then action * 2 + would. */
  private final ConcurrentHashMap<
          String, ConcurrentHashMap<String, AtomicReferenceArray<CounterDataPoint>>>
      decisionPoints = new ConcurrentHashMap<>();

  private final Counter hookErrors;
  private final ConcurrentHashMap<String, CounterDataPoint> hookErrorPoints =
      new ConcurrentHashMap<>();

  private volatile double ringUsedBytes = Double.NaN;
  private volatile double ringSizeBytes = Double.NaN;
  private volatile double ringEntries = Double.NaN;
  private volatile double processTableSize = Double.NaN;

  private AgentMetrics(MetricsConfig serve) {
    events = eventsCounter();
    drops = dropsCounter();
    decisions =
        Counter.builder()
            .name("ftguard_policy_decisions_total")
            .help(
                "Rule matches (decision and call records) by policy, rule and action: audit, deny,"
                    + " kill, deny+kill, or would deny ... for monitor policies")
            .labelNames("policy", "rule", "action")
            .register(registry);
    hookErrors =
        Counter.builder()
            .name("ftguard_hook_errors_total")
            .help("Errors of kernel hooks, by hook name")
            .labelNames("hook")
            .register(registry);
    Counter tamper =
        Counter.builder()
            .name("ftguard_tamper_attempts_total")
            .help(
                "Attempts on the module itself (switching ftrace off, unloading it, changing a"
                    + " locked table), refused or not, by what")
            .labelNames("what")
            .register(registry);
    for (TamperEvent.What w : TamperEvent.What.values()) {
      tamperPoints[w.value()] = tamper.labelValues(w.yamlName());
    }
    Counter content =
        Counter.builder()
            .name("ftguard_content_hash_total")
            .help(
                "The module's content (SHA-256) cache for sha256 rules: digests found (hit), not"
                    + " found (miss), files hashed (hashed), contents left unknown (unknown)")
            .labelNames("result")
            .register(registry);
    for (int i = 0; i < CONTENT_RESULTS.size(); i++) {
      contentPoints[i] = content.labelValues(CONTENT_RESULTS.get(i));
    }
    registerGauges();
    ProcessMetrics.builder().register(registry);
    JvmMemoryMetrics.builder().register(registry);

    if (serve == null) {
      httpThreads = null;
      server = null;
    } else {
      InetAddress address = serve.inetAddress();
      httpThreads =
          Executors.newFixedThreadPool(
              2, Thread.ofPlatform().daemon().name("ftguard-metrics-", 0).factory());
      server = startServer(serve, address, httpThreads);
    }
  }

  /** Registers {@code ftguard_events_total} and caches its child of each event type. */
  private Counter eventsCounter() {
    Counter counter =
        Counter.builder()
            .name("ftguard_events_total")
            .help("Events read from the kernel, by type")
            .labelNames("type")
            .register(registry);
    for (EventType t : EventType.values()) {
      eventPoints[t.ordinal()] = counter.labelValues(t.jsonName());
    }
    return counter;
  }

  /**
   * Registers {@code ftguard_drops_total} and caches its child of each kernel and export reason.
   */
  private Counter dropsCounter() {
    Counter counter =
        Counter.builder()
            .name("ftguard_drops_total")
            .help(
                "Records lost or not exported, by reason: the kernel's buffer_full, nomem,"
                    + " reader_fault; the export stage's filtered_type, filtered_binary,"
                    + " filtered_rule, rate_limited")
            .labelNames("reason")
            .register(registry);
    for (int i = 0; i < Abi.DROP_REASONS; i++) {
      kernelDrops[i] = counter.labelValues(Abi.DROP_REASON_NAMES.get(i));
    }
    for (ExportDropReason r : ExportDropReason.values()) {
      exportDrops[r.ordinal()] = counter.labelValues(r.label());
    }
    return counter;
  }

  /** Registers the gauges whose value the caller sets (no sample until it does). */
  private void registerGauges() {
    GaugeWithCallback.builder()
        .name("ftguard_ring_buffer_used_bytes")
        .help("Bytes of the kernel ring buffer holding records not yet read")
        .unit(Unit.BYTES)
        .callback(cb -> report(cb, ringUsedBytes))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ftguard_ring_buffer_size_bytes")
        .help("Size of the kernel ring buffer, all CPUs")
        .unit(Unit.BYTES)
        .callback(cb -> report(cb, ringSizeBytes))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ftguard_ring_buffer_entries")
        .help("Records in the kernel ring buffer waiting to be read")
        .callback(cb -> report(cb, ringEntries))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ftguard_locked")
        .help("1 when the module is locked until reboot (no unload, no table change), else 0")
        .callback(cb -> report(cb, locked))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ftguard_process_table_size")
        .help("Processes in the daemon's process table")
        .callback(cb -> report(cb, processTableSize))
        .register(registry);
  }

  /**
   * Serves the registry at {@code address} and {@code serve}'s port on {@code threads}; on failure
   * stops the threads.
   *
   * @throws MetricsConfigException.BindFailed the server cannot listen there
   */
  private HTTPServer startServer(
      MetricsConfig serve, InetAddress address, ExecutorService threads) {
    try {
      return HTTPServer.builder()
          .inetAddress(address)
          .port(serve.port())
          .registry(registry)
          .executorService(threads)
          .buildAndStart();
    } catch (IOException e) {
      threads.shutdownNow();
      throw new MetricsConfigException.BindFailed(serve.address(), serve.port(), e);
    }
  }

  private static void report(GaugeWithCallback.Callback cb, double value) {
    if (!Double.isNaN(value)) {
      cb.call(value);
    }
  }

  /** Metrics in a registry of their own, not served (for embedding, or serving elsewhere). */
  public static AgentMetrics create() {
    return new AgentMetrics(null);
  }

  /**
   * Metrics served at {@code http://ADDRESS:PORT/metrics}.
   *
   * @throws MetricsConfigException.BadAddress the address does not resolve
   * @throws MetricsConfigException.BindFailed the server cannot listen there
   */
  public static AgentMetrics serve(MetricsConfig config) {
    return new AgentMetrics(Objects.requireNonNull(config, "config"));
  }

  /** The registry holding every metric (to scrape it in-process or serve it another way). */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** The port the HTTP server listens on (the one chosen when configured with 0); empty if none. */
  public OptionalInt port() {
    return server == null ? OptionalInt.empty() : OptionalInt.of(server.getPort());
  }

  /**
   * Counts one event read from the kernel; for a {@code decision} or a {@code call}, also its
   * policy, rule and action.
   */
  public void event(Event event) {
    eventPoints[event.eventType().ordinal()].inc();
    switch (event) {
      case DecisionEvent d -> decisionPoint(d.policy(), d.ruleName(), d.action(), d.would()).inc();
      case CallEvent c -> decisionPoint(c.policy(), c.ruleName(), c.action(), c.would()).inc();
      // tamper attempts are counted from the kernel's counters (kernelStats), which drops miss
      case ExecEvent _, ForkEvent _, ExitEvent _, TamperEvent _ -> {}
    }
  }

  /** Counts one event by its line's type (a type no {@link EventType} names counts as itself). */
  public void event(String type) {
    EventType.ofJsonName(type)
        .map(t -> eventPoints[t.ordinal()])
        .orElseGet(() -> events.labelValues(type))
        .inc();
  }

  private CounterDataPoint decisionPoint(
      String policy, String rule, DecisionEvent.Action action, boolean would) {
    var byRule = decisionPoints.get(policy);
    if (byRule == null) {
      byRule = decisionPoints.computeIfAbsent(policy, _ -> new ConcurrentHashMap<>());
    }
    var points = byRule.get(rule);
    if (points == null) {
      points = byRule.computeIfAbsent(rule, _ -> new AtomicReferenceArray<>(2 * ACTIONS));
    }
    int slot = action.ordinal() * 2 + (would ? 1 : 0);
    CounterDataPoint p = points.get(slot);
    if (p == null) {
      String label = would ? "would " + action.yamlName() : action.yamlName();
      p = decisions.labelValues(policy, rule, label);
      points.set(slot, p); // labelValues returns the same child to every caller
    }
    return p;
  }

  /**
   * Takes the module's counters (read every batch or so): sets the ring buffer gauges and adds the
   * kernel's drops since the previous call to {@code ftguard_drops_total}. The first call adds the
   * module's totals since it was loaded; a total that went down (the module was reloaded) is added
   * whole.
   */
  public synchronized void kernelStats(Stats stats) {
    ringSizeBytes = unsigned(stats.bufferBytes());
    ringEntries = unsigned(stats.bufferEntries());
    locked = stats.locked() ? 1 : 0;
    lastKernelDrops = addDeltas(kernelDrops, lastKernelDrops, stats.dropped());
    lastTamper = addDeltas(tamperPoints, lastTamper, stats.tamper());
    lastContent =
        addDeltas(
            contentPoints,
            lastContent,
            new long[] {
              stats.contentHits(),
              stats.contentMisses(),
              stats.contentHashes(),
              stats.contentUnknown()
            });
  }

  /**
   * Adds to each of {@code points} what its kernel counter gained since {@code last} (all of it
   * when there is no last reading or the counter went back: the module was reloaded); returns
   * {@code now}.
   */
  private static long[] addDeltas(CounterDataPoint[] points, long[] last, long[] now) {
    for (int i = 0; i < points.length; i++) {
      long delta =
          last == null || Long.compareUnsigned(now[i], last[i]) < 0 ? now[i] : now[i] - last[i];
      if (delta != 0) {
        points[i].inc(unsigned(delta));
      }
    }
    return now;
  }

  /** Counts a record the export stage did not write. */
  public void exportDropped(ExportDropReason reason) {
    exportDrops[reason.ordinal()].inc();
  }

  /** {@link ExportListener}: {@link #exportDropped(ExportDropReason)}. */
  @Override
  public void dropped(ExportDropReason reason, ExportRecord record) {
    exportDropped(reason);
  }

  /** Counts one error of the hook named {@code hook} (its name in {@code ftguard status}). */
  public void hookError(String hook) {
    hookErrors(hook, 1);
  }

  /** Counts {@code count} errors of {@code hook}. */
  public void hookErrors(String hook, long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count " + count + " < 0");
    }
    CounterDataPoint p = hookErrorPoints.get(hook);
    if (p == null) {
      p = hookErrorPoints.computeIfAbsent(hook, h -> hookErrors.labelValues(h));
    }
    p.inc(count);
  }

  /** Sets {@code ftguard_ring_buffer_used_bytes}. */
  public void ringBufferUsedBytes(long bytes) {
    ringUsedBytes = unsigned(bytes);
  }

  /** Sets {@code ftguard_ring_buffer_size_bytes} (also set by {@link #kernelStats(Stats)}). */
  public void ringBufferSizeBytes(long bytes) {
    ringSizeBytes = unsigned(bytes);
  }

  /** Sets {@code ftguard_process_table_size}. */
  public void processTableSize(long processes) {
    processTableSize = processes;
  }

  /** Stops the HTTP server, if any. */
  @Override
  public void close() {
    if (server != null) {
      server.close();
      httpThreads.shutdownNow();
    }
  }

  private static double unsigned(long v) {
    return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
  }
}
