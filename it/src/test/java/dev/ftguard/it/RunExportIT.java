package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code ftguard run} exporting to a file rotated every 64 KiB with gzip, and serving Prometheus
 * metrics, in the VM: a burst of execs and audited decisions makes many rotations; every event is
 * in exactly one file (sequence numbers contiguous, none twice), and the metrics scraped over HTTP
 * count what the files hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunExportIT {

  private static final int EXECS = 600;
  private static final int PORT = 9464;

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: export}
            spec:
              rules:
                - {name: watched, event: exec, match: {binary: {prefix: [/opt/x/]}}, action: audit}
                - {name: marker, event: exec, match: {binary: {exact: [/opt/marker/true]}}, action: audit}
            """;

  private static final String PAYLOAD =
      """
            F=%1$s
            mkdir -p /pol /opt/x /opt/marker /out/ev
            cp /usr/bin/busybox /opt/x/true; cp /usr/bin/busybox /opt/marker/true
            ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
            cat > /pol/p.yaml <<'EOF'
            %2$s
            EOF
            $F load --ko %3$s
            $F run --policy /pol/p.yaml --output /out/ev/events.jsonl --rotate-size 64k --rotate-keep 1000 \\
                --metrics-port %4$d > /out/run.stdout 2> /out/run.err &
            d=$!
            seen() {
              for f in /out/ev/events.jsonl*; do case $f in *.gz) zcat $f ;; *.tmp|*.lock) ;; *) cat $f ;; esac; done 2>/dev/null \\
                | grep -c "$1" || true
            }
            started() { grep -q 'metrics on' /out/run.err 2>/dev/null && has '"reason":"start"' 1; }
            await 600 "daemon did not start" started
            %5$s exec %6$d /opt/x/true > /out/bench.txt
            /opt/marker/true
            await 900 "marker never exported" has '"rule":"marker"' 1
            sleep 2
            wget -q -O /out/metrics.txt http://127.0.0.1:%4$d/metrics || echo "wget failed: $?" >&2
            stop_daemon
            ls -l /out/ev > /out/ls.txt
            $F unload
            """;

  private GuestResult run;
  private List<JsonNode> lines;
  private Map<String, Double> metrics;

  @BeforeAll
  void boot() throws Exception {
    run =
        FtguardGuest.runClean(
            FtguardGuest.guest("run-export", Duration.ofMinutes(10))
                .file(GuestFile.copyOf(FtguardGuest.compileHelper("ftgbench"), "/ftgbench"))
                .payload(
                    FtguardGuest.daemonScript(
                        PAYLOAD.formatted(
                            FtguardGuest.FTGUARD,
                            POLICY.strip(),
                            FtguardGuest.MODULE,
                            PORT,
                            "/ftgbench",
                            EXECS))));
    lines = readAll(run.outFile("ev"));
    metrics = parse(run.readOutFile("metrics.txt"));
  }

  /**
   * Every line of every file of the output, oldest file first (events.jsonl.N.gz ... events.jsonl).
   */
  static List<JsonNode> readAll(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(p -> p.getFileName().toString().startsWith("events.jsonl"))
              .filter(p -> !p.toString().endsWith(".tmp") && !p.toString().endsWith(".lock"))
              .sorted(Comparator.comparingInt(RunExportIT::age).reversed())
              .toList();
    }
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      try (InputStream in =
          f.toString().endsWith(".gz")
              ? new GZIPInputStream(new ByteArrayInputStream(bytes))
              : new ByteArrayInputStream(bytes)) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            out.add(mapper.readTree(line));
          }
        }
      }
    }
    return out;
  }

  /** 0 for the active file, N for events.jsonl.N[.gz]. */
  static int age(Path p) {
    Matcher m = Pattern.compile("events\\.jsonl\\.(\\d+)").matcher(p.getFileName().toString());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /**
   * Prometheus text format: "name{labels} value" lines, comments skipped; the key is the name with
   * its labels sorted by name.
   */
  static Map<String, Double> parse(String text) {
    Map<String, Double> out = new HashMap<>();
    for (String line : text.lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      String series = line.substring(0, sp);
      int brace = series.indexOf('{');
      if (brace >= 0) {
        List<String> labels =
            new ArrayList<>(List.of(series.substring(brace + 1, series.length() - 1).split(",")));
        labels.sort(null);
        series = series.substring(0, brace) + "{" + String.join(",", labels) + "}";
      }
      out.put(series, Double.parseDouble(line.substring(sp + 1)));
    }
    return out;
  }

  private long count(String type) {
    return lines.stream().filter(l -> l.get("type").asString().equals(type)).count();
  }

  @Test
  void rotationKeepsEveryEventExactlyOnce() throws Exception {
    assertThat(run.readOutFile("run.rc").strip()).as(run.readOutFile("run.err")).isEqualTo("0");
    try (Stream<Path> s = Files.list(run.outFile("ev"))) {
      assertThat(s.filter(p -> p.toString().endsWith(".gz")).count())
          .as(run.readOutFile("ls.txt"))
          .isGreaterThanOrEqualTo(5);
    }
    assertThat(lines).noneMatch(l -> l.get("type").asString().equals("drop"));
    List<Long> seqs =
        lines.stream().filter(l -> l.has("seq")).map(l -> l.get("seq").asLong()).toList();
    // none twice, none missing (the reader merges the CPUs' buffers, so neighbours may swap)
    assertThat(seqs).doesNotHaveDuplicates();
    long min = seqs.stream().mapToLong(Long::longValue).min().orElseThrow();
    long max = seqs.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(max - min + 1).isEqualTo(seqs.size());
    assertThat(lines)
        .filteredOn(l -> l.get("type").asString().equals("decision"))
        .filteredOn(l -> l.get("rule").asString().equals("watched"))
        .hasSize(EXECS);
    assertThat(lines).allSatisfy(l -> assertThat(l.get("schema_version").asInt()).isEqualTo(1));
  }

  @Test
  void metricsScrapedOverHttpCountTheEventsExported() {
    // decisions come only from the audited execs: exact
    assertThat(metrics.get("ftguard_events_total{type=\"decision\"}"))
        .isEqualTo((double) count("decision"));
    assertThat(
            metrics.get(
                "ftguard_policy_decisions_total{action=\"audit\",policy=\"export\",rule=\"watched\"}"))
        .isEqualTo((double) EXECS);
    // exec, fork, exit: the scrape counts a prefix of the exported stream. Everything up to
    // the marker was exported before the scrape began; what the payload's own commands did
    // afterwards may be counted or not yet (the daemon can lag seconds behind under TCG)
    int marker = -1;
    for (int i = 0; i < lines.size(); i++) {
      JsonNode l = lines.get(i);
      if (l.has("rule") && l.get("rule").asString().equals("marker")) {
        marker = i;
      }
    }
    assertThat(marker).isNotNegative();
    List<JsonNode> beforeMarker = lines.subList(0, marker + 1);
    for (String type : List.of("exec", "fork", "exit")) {
      double scraped = metrics.get("ftguard_events_total{type=\"" + type + "\"}");
      long before =
          beforeMarker.stream().filter(l -> l.get("type").asString().equals(type)).count();
      assertThat(scraped).as(type).isBetween((double) before, (double) count(type));
      assertThat(before).as(type).isGreaterThanOrEqualTo(EXECS);
    }
    assertThat(metrics).containsKey("process_cpu_seconds_total");
    assertThat(metrics.keySet()).anyMatch(k -> k.startsWith("ftguard_ring_buffer_size_bytes"));
    assertThat(metrics.get("ftguard_drops_total{reason=\"buffer_full\"}")).isZero();
  }
}
