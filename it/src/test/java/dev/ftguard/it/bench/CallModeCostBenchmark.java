package dev.ftguard.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.FtguardGuest;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.KernelCatalog;
import dev.ftguard.vm.Vm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Cost of the two call modes, in the VM: time per exec of a static program on tmpfs (timed in C
 * by {@code it/src/test/c/ftgbench.c}) with the module unloaded (baseline), loaded with
 * {@code call_mode=guard} (the callback runs twice per hooked call) and with
 * {@code call_mode=skip} (once). Rounds interleave the three states so that drift of the host
 * hits all alike; medians over {@link #ROUNDS} rounds, as ratios to the baseline of the same run.
 * Figures, not pass/fail: {@code ./dev bench}, copy into docs/performance.md.
 */
class CallModeCostBenchmark {

    private static final int ROUNDS = 7;
    private static final int EXECS = 1000;
    private static final String BENCH = "/ftgbench";

    private static final String PAYLOAD = """
            set -u
            B=%1$s
            mkdir -p /srv/bench && cp /usr/bin/busybox /srv/bench/true
            $B exec 100 /srv/bench/true > /dev/null
            for r in $(seq %2$d); do
              echo "off exec $($B exec %3$d /srv/bench/true)" >> /out/figures.txt
              for mode in guard skip; do
                insmod %4$s call_mode=$mode
                echo "$mode exec $($B exec %3$d /srv/bench/true)" >> /out/figures.txt
                rmmod ftguard
              done
            done
            """;

    @Test
    void callModeCost() throws Exception {
        GuestResult r = Vm.run(FtguardGuest.guest("bench-call-mode", Duration.ofMinutes(20))
                .file(GuestFile.copyOf(FtguardGuest.compileHelper("ftgbench"), BENCH))
                .payload(PAYLOAD.formatted(BENCH, ROUNDS, EXECS, FtguardGuest.MODULE))
                .build());
        FtguardGuest.assertCleanRun(r);

        Medians.Samples s = Medians.Samples.parse(r.readOutFile("figures.txt"));
        assertThat(s.nanos().keySet()).containsExactlyInAnyOrder("off exec", "guard exec", "skip exec");
        assertThat(s.nanos().values()).allSatisfy(v -> assertThat(v).hasSize(ROUNDS));
        assertThat(s.failures().values()).allSatisfy(n -> assertThat(n).isZero());

        double base = s.median("off exec");
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("accel", r.accel().toString());
        figures.put("rounds", ROUNDS);
        figures.put("execs_per_round", EXECS);
        for (String mode : List.of("off", "guard", "skip")) {
            figures.put(mode + "_exec_ns_median", s.median(mode + " exec"));
            figures.put(mode + "_exec_ratio", s.median(mode + " exec") / base);
        }
        figures.put("guard_minus_skip_ns", s.median("guard exec") - s.median("skip exec"));
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures);
        Path out = KernelCatalog.repoRoot().resolve("it/target/bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("call-mode-cost.json"), json);
        System.out.println("call mode cost figures:\n" + json);
    }
}
