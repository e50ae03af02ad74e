package dev.ftguard.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.FtguardGuest;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.GuestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Exec storm in the VM: exec throughput with the module unloaded (baseline) and loaded with {@code
 * ftguard events --follow} reading, events delivered to Java per second, drops, and the time from
 * VM start to the first event. Figures, not pass/fail: run with {@code ./dev bench} and copy the
 * table into docs/performance.md.
 */
class ExecStormBenchmark {

  private static final int ROUNDS = 3;
  private static final int SECONDS = 8;

  /**
   * Loads the module and starts the reader first (times to the first delivered event), warms up,
   * then storms: two loops of /bin/true, one per CPU, for SECONDS, each round printing "start end
   * execs" in uptime seconds. Modes: module and reader, module without reader (hooks only; a full
   * buffer drops), module unloaded (baseline).
   */
  private static final String PAYLOAD =
      """
            set -u
            F=%1$s
            uptime() { cut -d' ' -f1 /proc/uptime; }
            uptime > /out/payload_start
            storm() {
              rm -f /tmp/stop
              ( sleep %2$d; touch /tmp/stop ) & timer=$!
              t0=$(uptime)
              pids=""
              for l in 1 2; do
                ( n=0; while [ ! -e /tmp/stop ]; do /bin/true; n=$((n + 1)); done; echo $n > /tmp/n.$l ) &
                pids="$pids $!"
              done
              # only this storm's jobs: a bare wait would also wait for the reader
              wait $timer $pids
              echo "$t0 $(uptime) $(( $(cat /tmp/n.1) + $(cat /tmp/n.2) ))"
            }
            $F load --ko %4$s
            uptime > /out/loaded
            env --default-signal=INT $F events --follow > /out/events.jsonl 2> /out/events.err &
            reader=$!
            until [ -s /out/events.jsonl ]; do sleep 0.05; done
            uptime > /out/first_event
            storm > /dev/null
            for r in $(seq %3$d); do storm >> /out/with_reader.txt; done
            sleep 3
            kill -INT $reader; wait $reader
            for r in $(seq %3$d); do storm >> /out/hooks_only.txt; done
            $F status --json > /out/status.json
            $F unload
            for r in $(seq %3$d); do storm >> /out/baseline.txt; done
            """;

  @Test
  void execStorm() throws Exception {
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.guest("bench-exec-storm", Duration.ofMinutes(8))
                .payload(
                    PAYLOAD.formatted(FtguardGuest.FTGUARD, SECONDS, ROUNDS, FtguardGuest.MODULE)));

    List<double[]> baseline = windows(r.readOutFile("baseline.txt"));
    List<double[]> withReader = windows(r.readOutFile("with_reader.txt"));
    List<double[]> hooksOnly = windows(r.readOutFile("hooks_only.txt"));
    List<JsonNode> events = FtguardGuest.readJsonLines(r, "events.jsonl");
    JsonNode status = FtguardGuest.readJson(r, "status.json");
    double payloadStart = uptime(r, "payload_start");
    double toPayload = r.timings().toPayload().orElseThrow().toNanos() / 1e9;

    double base = median(rates(baseline));
    double[] eventRate =
        withReader.stream().mapToDouble(w -> inWindow(events, w) / (w[1] - w[0])).toArray();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("accel", r.accel().toString());
    figures.put("rounds", ROUNDS);
    figures.put("round_seconds", SECONDS);
    figures.put("exec_per_s_baseline_median", base);
    figures.put("exec_per_s_hooks_only_median", median(rates(hooksOnly)));
    figures.put("exec_per_s_with_reader_median", median(rates(withReader)));
    figures.put("ratio_hooks_only_to_baseline", median(rates(hooksOnly)) / base);
    figures.put("ratio_with_reader_to_baseline", median(rates(withReader)) / base);
    figures.put("events_per_s_delivered_median", median(eventRate));
    figures.put("events_per_s_delivered_rounds", eventRate);
    figures.put("dropped_with_reader", droppedIn(events));
    figures.put("dropped_total_since_load", status.findValue("dropped_total").asLong());
    figures.put("vm_start_to_payload_s", toPayload);
    figures.put("vm_start_to_module_loaded_s", toPayload + uptime(r, "loaded") - payloadStart);
    figures.put(
        "vm_start_to_first_event_in_java_s", toPayload + uptime(r, "first_event") - payloadStart);
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures);
    Path out = Repository.root().resolve("it/target/bench");
    Files.createDirectories(out);
    Files.writeString(out.resolve("exec-storm.json"), json);
    System.out.println("exec storm figures:\n" + json);

    assertThat(List.of(baseline, withReader, hooksOnly))
        .allSatisfy(w -> assertThat(w).hasSize(ROUNDS));
    assertThat(events).isNotEmpty();
  }

  private static double uptime(GuestResult r, String file) throws java.io.IOException {
    return Double.parseDouble(r.readOutFile(file).strip());
  }

  private static double[] rates(List<double[]> windows) {
    return windows.stream().mapToDouble(w -> w[2] / (w[1] - w[0])).toArray();
  }

  /** Records lost while the reader ran, from its in-band drop lines. */
  private static long droppedIn(List<JsonNode> events) {
    return events.stream()
        .filter(e -> e.get("type").asString().equals("drop"))
        .mapToLong(e -> e.get("count").asLong())
        .sum();
  }

  /** Lines "t0 t1 execs" (seconds of uptime) into arrays. */
  private static List<double[]> windows(String text) {
    List<double[]> out = new ArrayList<>();
    text.lines()
        .filter(l -> !l.isBlank())
        .forEach(
            l ->
                out.add(
                    Arrays.stream(l.trim().split("\\s+"))
                        .mapToDouble(Double::parseDouble)
                        .toArray()));
    return out;
  }

  private static long inWindow(List<JsonNode> events, double[] w) {
    return events.stream()
        .filter(e -> e.has("mono_ns"))
        .mapToDouble(e -> e.get("mono_ns").asLong() / 1e9)
        .filter(t -> t >= w[0] && t <= w[1])
        .count();
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
