package dev.ftguard.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Samples;
import dev.ftguard.abi.Stats;
import dev.ftguard.agent.export.ExportDropReason;
import dev.ftguard.agent.export.ExportFilter;
import dev.ftguard.agent.export.ExportListener;
import dev.ftguard.agent.export.ExportRecord;
import dev.ftguard.agent.export.Exporter;
import dev.ftguard.agent.export.Sink;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metrics, scraped over real HTTP and parsed from the text exposition format. */
class AgentMetricsTest {
  AgentMetrics metrics;

  @AfterEach
  void stop() {
    if (metrics != null) {
      metrics.close();
    }
  }

  /** One sample of the exposition: name, labels, value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** A scrape: the samples, and the {@code # TYPE} of each metric family. */
  record Scrape(List<Sample> samples, Map<String, String> types) {
    /** The value of the one sample with this name and exactly these labels. */
    double value(String name, String... labels) {
      Map<String, String> want = new TreeMap<>();
      for (int i = 0; i < labels.length; i += 2) {
        want.put(labels[i], labels[i + 1]);
      }
      List<Sample> found =
          samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(want)).toList();
      assertThat(found).as("samples %s%s", name, want).hasSize(1);
      return found.getFirst().value();
    }

    List<Sample> named(String name) {
      return samples.stream().filter(s -> s.name().equals(name)).toList();
    }
  }

  static Scrape scrape(int port) throws IOException, InterruptedException {
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .header("Accept", "text/plain; version=0.0.4")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      return parse(r.body());
    }
  }

  /** Parses the Prometheus text format (version 0.0.4). */
  static Scrape parse(String text) {
    List<Sample> samples = new java.util.ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        types.put(p[2], p[3]);
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      int i = 0;
      while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
        i++;
      }
      String name = line.substring(0, i);
      Map<String, String> labels = new TreeMap<>();
      if (line.charAt(i) == '{') {
        i++;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String key = line.substring(i, eq);
          assertThat(line.charAt(eq + 1)).isEqualTo('"');
          StringBuilder value = new StringBuilder();
          int j = eq + 2;
          for (; line.charAt(j) != '"'; j++) {
            char c = line.charAt(j);
            if (c == '\\') {
              char n = line.charAt(++j);
              value.append(n == 'n' ? '\n' : n);
            } else {
              value.append(c);
            }
          }
          labels.put(key, value.toString());
          i = j + 1;
          if (line.charAt(i) == ',') {
            i++;
          }
        }
        i++;
      }
      String[] rest = line.substring(i).trim().split(" ");
      samples.add(new Sample(name, labels, Double.parseDouble(rest[0])));
    }
    return new Scrape(samples, types);
  }

  static Stats stats(long[] dropped, long bufferBytes, long entries) {
    return stats(dropped, bufferBytes, entries, false, new long[Abi.TAMPERS]);
  }

  static Stats stats(
      long[] dropped, long bufferBytes, long entries, boolean locked, long[] tamper) {
    return new Stats(
        1,
        3,
        3,
        0,
        100,
        90,
        dropped,
        bufferBytes,
        entries,
        0,
        0,
        0,
        new long[Abi.ACTIONS],
        0,
        0,
        0,
        0,
        0,
        locked,
        tamper,
        0,
        0,
        0,
        0);
  }

  @Test
  void whatThePipelineRecordsIsServedWithPrometheusNamesAndLabels() throws Exception {
    metrics = AgentMetrics.serve(MetricsConfig.loopback(0));
    int port = metrics.port().orElseThrow();
    assertThat(port).isPositive();

    for (long seq = 1; seq <= 3; seq++) {
      metrics.event(Samples.exec(seq));
    }
    metrics.event(Samples.thread(4));
    metrics.event(Samples.killed(5));
    metrics.event(Samples.exited(6));
    metrics.event(Samples.execDenied(7));
    metrics.event(Samples.execDenied(8));
    metrics.event(Samples.openWouldDeny(9));
    metrics.event(Samples.connectAudit(10, "10.0.0.1", Abi.AF_INET));
    metrics.event(Samples.callAudit(11));
    metrics.event(Samples.callDenied(12));
    metrics.kernelStats(stats(new long[] {5, 0, 1}, 8192, 7));
    metrics.kernelStats(stats(new long[] {7, 0, 1}, 8192, 3));

    // export drops as the export stage reports them
    Sink nowhere =
        new Sink() {
          @Override
          public void write(String line) {}

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Exporter exporter =
        new Exporter(
            ExportFilter.of(List.of("exec"), Optional.empty(), List.of()),
            Optional.empty(),
            List.of(nowhere),
            metrics);
    for (long seq = 20; seq < 24; seq++) {
      exporter.export(ExportRecord.of(Samples.thread(seq)));
    }
    exporter.export(ExportRecord.of(Samples.exec(30)));
    metrics.exportDropped(ExportDropReason.RATE_LIMITED);
    metrics.exportDropped(ExportDropReason.RATE_LIMITED);

    metrics.hookError("execve");
    metrics.hookErrors("wake_up_new_task", 3);
    metrics.ringBufferUsedBytes(1234);
    metrics.processTableSize(42);

    Scrape s = scrape(port);

    assertThat(s.types())
        .containsEntry("ftguard_events_total", "counter")
        .containsEntry("ftguard_drops_total", "counter")
        .containsEntry("ftguard_policy_decisions_total", "counter")
        .containsEntry("ftguard_hook_errors_total", "counter")
        .containsEntry("ftguard_ring_buffer_used_bytes", "gauge")
        .containsEntry("ftguard_ring_buffer_size_bytes", "gauge")
        .containsEntry("ftguard_ring_buffer_entries", "gauge")
        .containsEntry("ftguard_process_table_size", "gauge");

    assertThat(s.value("ftguard_events_total", "type", "exec")).isEqualTo(3);
    assertThat(s.value("ftguard_events_total", "type", "fork")).isEqualTo(1);
    assertThat(s.value("ftguard_events_total", "type", "exit")).isEqualTo(2);
    assertThat(s.value("ftguard_events_total", "type", "decision")).isEqualTo(4);
    assertThat(s.value("ftguard_events_total", "type", "call")).isEqualTo(2);

    assertThat(s.value("ftguard_drops_total", "reason", "buffer_full")).isEqualTo(7);
    assertThat(s.value("ftguard_drops_total", "reason", "nomem")).isZero();
    assertThat(s.value("ftguard_drops_total", "reason", "reader_fault")).isEqualTo(1);
    assertThat(s.value("ftguard_drops_total", "reason", "filtered_type")).isEqualTo(4);
    assertThat(s.value("ftguard_drops_total", "reason", "filtered_binary")).isZero();
    assertThat(s.value("ftguard_drops_total", "reason", "filtered_rule")).isZero();
    assertThat(s.value("ftguard_drops_total", "reason", "rate_limited")).isEqualTo(2);
    assertThat(s.named("ftguard_drops_total")).hasSize(7);

    assertThat(
            s.value(
                "ftguard_policy_decisions_total",
                "policy",
                "no-tmp-exec",
                "rule",
                "exec-from-tmp",
                "action",
                "deny"))
        .isEqualTo(2);
    assertThat(
            s.value(
                "ftguard_policy_decisions_total",
                "policy",
                "observe",
                "rule",
                "shadow-write",
                "action",
                "would deny"))
        .isEqualTo(1);
    assertThat(
            s.value(
                "ftguard_policy_decisions_total",
                "policy",
                "egress",
                "rule",
                "metadata",
                "action",
                "audit"))
        .isEqualTo(1);
    assertThat(
            s.value(
                "ftguard_policy_decisions_total",
                "policy",
                "watch-dirs",
                "rule",
                "mkdir-in-etc",
                "action",
                "audit"))
        .isEqualTo(1);
    assertThat(
            s.value(
                "ftguard_policy_decisions_total",
                "policy",
                "net",
                "rule",
                "no-bind-low",
                "action",
                "deny"))
        .isEqualTo(1);
    assertThat(s.named("ftguard_policy_decisions_total")).hasSize(5);

    assertThat(s.value("ftguard_hook_errors_total", "hook", "execve")).isEqualTo(1);
    assertThat(s.value("ftguard_hook_errors_total", "hook", "wake_up_new_task")).isEqualTo(3);

    assertThat(s.value("ftguard_ring_buffer_used_bytes")).isEqualTo(1234);
    assertThat(s.value("ftguard_ring_buffer_size_bytes")).isEqualTo(8192);
    assertThat(s.value("ftguard_ring_buffer_entries")).isEqualTo(3);
    assertThat(s.value("ftguard_process_table_size")).isEqualTo(42);

    // the daemon's own CPU and memory, from the client library's process and JVM metrics
    assertThat(s.types()).containsEntry("process_cpu_seconds_total", "counter");
    assertThat(s.value("process_cpu_seconds_total")).isPositive();
    assertThat(s.value("process_resident_memory_bytes")).isPositive();
    assertThat(s.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
    assertThat(s.value("jvm_memory_used_bytes", "area", "nonheap")).isPositive();
  }

  @Test
  void everyLabelValueIsThereFromTheStartAndCallerGaugesOnlyOnceSet() throws Exception {
    metrics = AgentMetrics.serve(MetricsConfig.loopback(0));
    Scrape s = scrape(metrics.port().orElseThrow());
    for (String type : AgentMetrics.EVENT_TYPES) {
      assertThat(s.value("ftguard_events_total", "type", type)).isZero();
    }
    for (String reason : Abi.DROP_REASON_NAMES) {
      assertThat(s.value("ftguard_drops_total", "reason", reason)).isZero();
    }
    for (ExportDropReason reason : ExportDropReason.values()) {
      assertThat(s.value("ftguard_drops_total", "reason", reason.label())).isZero();
    }
    assertThat(s.named("ftguard_ring_buffer_used_bytes")).isEmpty();
    assertThat(s.named("ftguard_ring_buffer_size_bytes")).isEmpty();
    assertThat(s.named("ftguard_process_table_size")).isEmpty();
    assertThat(s.named("ftguard_policy_decisions_total")).isEmpty();

    metrics.processTableSize(0);
    assertThat(scrape(metrics.port().orElseThrow()).value("ftguard_process_table_size")).isZero();
  }

  @Test
  void tamperAttemptsAndTheLockComeFromTheModulesCounters() throws Exception {
    metrics = AgentMetrics.serve(MetricsConfig.loopback(0));
    int port = metrics.port().orElseThrow();
    assertThat(scrape(port).named("ftguard_locked")).isEmpty(); // no reading yet
    metrics.kernelStats(stats(new long[3], 4096, 0, false, new long[] {1, 0, 0}));
    Scrape s = scrape(port);
    assertThat(s.value("ftguard_locked")).isZero();
    assertThat(s.value("ftguard_tamper_attempts_total", "what", "ftrace_off")).isEqualTo(1);
    assertThat(s.value("ftguard_tamper_attempts_total", "what", "unload")).isZero();
    metrics.kernelStats(stats(new long[3], 4096, 0, true, new long[] {1, 2, 3}));
    s = scrape(port);
    assertThat(s.value("ftguard_locked")).isEqualTo(1);
    assertThat(s.value("ftguard_tamper_attempts_total", "what", "ftrace_off")).isEqualTo(1);
    assertThat(s.value("ftguard_tamper_attempts_total", "what", "unload")).isEqualTo(2);
    assertThat(s.value("ftguard_tamper_attempts_total", "what", "table")).isEqualTo(3);
  }

  @Test
  void kernelDropsCountTheModulesTotalsThenTheirGrowthAcrossReloads() throws Exception {
    metrics = AgentMetrics.serve(MetricsConfig.loopback(0));
    int port = metrics.port().orElseThrow();
    metrics.kernelStats(stats(new long[] {10, 2, 0}, 4096, 0)); // lost before the daemon started
    assertThat(scrape(port).value("ftguard_drops_total", "reason", "buffer_full")).isEqualTo(10);
    metrics.kernelStats(stats(new long[] {15, 2, 0}, 4096, 0));
    metrics.kernelStats(stats(new long[] {15, 2, 0}, 4096, 0));
    assertThat(scrape(port).value("ftguard_drops_total", "reason", "buffer_full")).isEqualTo(15);
    metrics.kernelStats(stats(new long[] {4, 0, 1}, 4096, 0)); // the module was reloaded
    Scrape s = scrape(port);
    assertThat(s.value("ftguard_drops_total", "reason", "buffer_full")).isEqualTo(19);
    assertThat(s.value("ftguard_drops_total", "reason", "nomem")).isEqualTo(2);
    assertThat(s.value("ftguard_drops_total", "reason", "reader_fault")).isEqualTo(1);
  }

  @Test
  void decisionsOfOneRuleBySeveralActionsAreSeparateSeries() throws Exception {
    metrics = AgentMetrics.create();
    assertThat(metrics.port()).isEmpty();
    metrics.event(Samples.ptraceKilled(1));
    metrics.event(Samples.privilegeKill(2));
    metrics.event(Samples.moduleAudit(3));
    metrics.event(Samples.moduleAudit(4));
    var text = new java.io.ByteArrayOutputStream();
    io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
        .write(text, metrics.registry().scrape());
    Scrape s = parse(text.toString(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(
            s.value(
                "ftguard_policy_decisions_total",
                "policy",
                "baseline",
                "rule",
                "no-ptrace",
                "action",
                "deny+kill"))
        .isEqualTo(1);
    assertThat(
            s.value(
                "ftguard_policy_decisions_total",
                "policy",
                "baseline",
                "rule",
                "no-root",
                "action",
                "kill"))
        .isEqualTo(1);
    assertThat(
            s.value(
                "ftguard_policy_decisions_total",
                "policy",
                "modules",
                "rule",
                "any-module",
                "action",
                "audit"))
        .isEqualTo(2);
  }

  @Test
  void closingStopsTheServer() throws Exception {
    metrics = AgentMetrics.serve(MetricsConfig.loopback(0));
    int port = metrics.port().orElseThrow();
    scrape(port);
    metrics.close();
    assertThatThrownBy(() -> scrape(port)).isInstanceOf(ConnectException.class);
  }

  @Test
  void badPorts() {
    for (int port : new int[] {-1, 65536}) {
      assertThatThrownBy(() -> MetricsConfig.loopback(port))
          .isInstanceOfSatisfying(
              MetricsConfigException.BadPort.class,
              e -> assertThat(e.setting()).isEqualTo("metrics.port"))
          .hasMessage(
              "metrics.port: port "
                  + port
                  + " is out of range; use 1 to 65535, or 0 to let the system pick a free port"
                  + " (the bound port is reported)");
    }
  }

  @Test
  void anAddressThatIsNotAnAddress() {
    assertThatThrownBy(() -> AgentMetrics.serve(new MetricsConfig("", 0)))
        .isInstanceOf(MetricsConfigException.BadAddress.class)
        .hasMessageStartingWith("metrics.address: cannot resolve bind address ''");
    assertThatThrownBy(() -> AgentMetrics.serve(new MetricsConfig("999.1.1.1.1", 0)))
        .isInstanceOf(MetricsConfigException.BadAddress.class)
        .hasMessageContaining("give an IP address of this host: 127.0.0.1 (this host only)");
  }

  @Test
  void aPortInUse() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> AgentMetrics.serve(MetricsConfig.loopback(port)))
          .isInstanceOfSatisfying(
              MetricsConfigException.BindFailed.class,
              e -> assertThat(e.setting()).isEqualTo("metrics.port"))
          .hasMessage(
              "metrics.port: cannot listen on 127.0.0.1 port "
                  + port
                  + ": Address already in use; stop what listens there or choose another port (0"
                  + " picks a free one)");
    }
  }

  @Test
  void theMetricsAreAnExportListener() {
    metrics = AgentMetrics.create();
    ExportListener l = metrics;
    l.dropped(ExportDropReason.FILTERED_RULE, ExportRecord.of(Samples.exec(1)));
    var snapshot = metrics.registry().scrape();
    var drops =
        snapshot.stream()
            .filter(m -> m.getMetadata().getName().equals("ftguard_drops"))
            .findFirst()
            .orElseThrow();
    assertThat(
            drops.getDataPoints().stream()
                .filter(p -> "filtered_rule".equals(p.getLabels().get("reason")))
                .map(
                    p ->
                        ((io.prometheus.metrics.model.snapshots.CounterSnapshot
                                    .CounterDataPointSnapshot)
                                p)
                            .getValue())
                .toList())
        .containsExactly(1.0);
  }
}
