package dev.ftguard.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.FtguardGuest;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.KernelCatalog;
import dev.ftguard.vm.Vm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Exec storm in the VM: exec throughput with the module unloaded (baseline) and loaded with
 * {@code ftguard events --follow} reading, events delivered to Java per second, drops, and the
 * time from VM start to the first event. Figures, not pass/fail: run with
 * {@code ./dev bench} and copy the table into docs/performance.md.
 */
class ExecStormBenchmark {

    private static final int ROUNDS = 3;
    private static final int SECONDS = 8;

    /** Two loops of /bin/true, one per CPU, for SECONDS; prints "start end execs" (uptime). */
    private static final String PAYLOAD = """
            set -u
            F=%1$s
            storm() {
              rm -f /tmp/stop
              ( sleep %2$d; touch /tmp/stop ) &
              t0=$(cut -d' ' -f1 /proc/uptime)
              for l in 1 2; do ( n=0; while [ ! -e /tmp/stop ]; do /bin/true; n=$((n + 1)); done; echo $n > /tmp/n.$l ) & done
              wait
              t1=$(cut -d' ' -f1 /proc/uptime)
              echo "$t0 $t1 $(( $(cat /tmp/n.1) + $(cat /tmp/n.2) ))"
            }
            for r in $(seq %3$d); do storm >> /out/baseline.txt; done
            $F load --ko %4$s
            env --default-signal=INT $F events --follow > /out/events.jsonl 2> /out/events.err &
            reader=$!
            until [ -s /out/events.jsonl ]; do sleep 0.1; done
            for r in $(seq %3$d); do storm >> /out/monitored.txt; done
            sleep 5
            kill -INT $reader; wait $reader
            $F status --json > /out/status.json
            $F unload
            """;

    @Test
    void execStorm() throws Exception {
        AtomicLong firstEvent = new AtomicLong();
        long start = System.nanoTime();
        GuestResult r = Vm.run(FtguardGuest.guest("bench-exec-storm", Duration.ofMinutes(6))
                .output(line -> {
                    if (line.startsWith("{\"type\":")) {
                        firstEvent.compareAndSet(0, System.nanoTime());
                    }
                })
                .payload(PAYLOAD.formatted(FtguardGuest.FTGUARD, SECONDS, ROUNDS, FtguardGuest.MODULE))
                .build());
        FtguardGuest.assertCleanRun(r);

        List<double[]> baseline = windows(r.readOutFile("baseline.txt"));
        List<double[]> monitored = windows(r.readOutFile("monitored.txt"));
        List<JsonNode> events = FtguardGuest.readJsonLines(r, "events.jsonl");
        JsonNode status = FtguardGuest.readJson(r, "status.json");

        double[] baseRate = baseline.stream().mapToDouble(w -> w[2] / (w[1] - w[0])).toArray();
        double[] monRate = monitored.stream().mapToDouble(w -> w[2] / (w[1] - w[0])).toArray();
        double[] eventRate = monitored.stream().mapToDouble(w -> inWindow(events, w) / (w[1] - w[0])).toArray();
        long dropped = status.findValue("dropped_total").asLong();
        double firstEventMono = events.stream().filter(e -> e.has("mono_ns"))
                .mapToLong(e -> e.get("mono_ns").asLong()).min().orElse(0) / 1e9;

        Map<String, Object> figures = new java.util.LinkedHashMap<>();
        figures.put("exec_per_s_baseline_median", median(baseRate));
        figures.put("exec_per_s_monitored_median", median(monRate));
        figures.put("exec_throughput_ratio_monitored_to_baseline", median(monRate) / median(baseRate));
        figures.put("events_per_s_delivered_median", median(eventRate));
        figures.put("events_per_s_delivered_rounds", eventRate);
        figures.put("dropped_total", dropped);
        figures.put("vm_start_to_first_event_on_host_s", (firstEvent.get() - start) / 1e9);
        figures.put("kernel_boot_to_first_event_s", firstEventMono);
        figures.put("accel", r.accel().toString());
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures);
        Path out = KernelCatalog.repoRoot().resolve("it/target/bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("exec-storm.json"), json);
        System.out.println("exec storm figures:\n" + json);

        assertThat(monitored).hasSize(ROUNDS);
        assertThat(events).isNotEmpty();
    }

    /** Lines "t0 t1 execs" (seconds of uptime) into arrays. */
    private static List<double[]> windows(String text) {
        List<double[]> out = new ArrayList<>();
        text.lines().filter(l -> !l.isBlank())
                .forEach(l -> out.add(Arrays.stream(l.trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray()));
        return out;
    }

    private static long inWindow(List<JsonNode> events, double[] w) {
        return events.stream().filter(e -> e.has("mono_ns"))
                .mapToDouble(e -> e.get("mono_ns").asLong() / 1e9)
                .filter(t -> t >= w[0] && t <= w[1]).count();
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
