package dev.ftguard.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.FtguardGuest;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Cost of the two call modes, in the VM, with the module unloaded (baseline), loaded with {@code
 * call_mode=guard} (the callback runs twice per hooked call) and with {@code call_mode=skip}
 * (once). The benchmark build of the module ({@code make FTG_TEST_BENCH=1}, see kmod/bench.c) wraps
 * {@code __x64_sys_getppid} with a wrapper that only does the accounting and calls the original, so
 * the difference to the baseline is the price of one hooked call and {@code guard - skip} that of
 * the second callback round trip. Three loops:
 *
 * <ul>
 *   <li>{@code kcall}: {@code __x64_sys_getppid} called in a loop inside the kernel by the test
 *       module {@code it/src/test/kmod-callloop}, nothing around the hooked call;
 *   <li>{@code getppid}: the system call from user space ({@code it/src/test/c/ftgbench.c}), where
 *       the guest's system call entry (page-table switch under TCG) dominates;
 *   <li>{@code exec}: a static program on tmpfs, the real wrappers' path, where the difference
 *       drowns in the cost of an exec.
 * </ul>
 *
 * Rounds interleave the three states so that drift of the host hits all alike; medians over {@link
 * #ROUNDS} rounds, as ratios to the baseline of the same run. The module's hit counter on the
 * getppid hook proves each state ran the mode it claims (2 callbacks per call, then 1). Figures,
 * not pass/fail: {@code ./dev bench}, copy into docs/performance.md.
 */
class CallModeCostBenchmark {

  private static final int ROUNDS = 9;
  private static final int CALLS = 200_000;
  private static final int KCALLS = 1_000_000;
  private static final int EXECS = 500;
  private static final String BENCH = "/ftgbench";
  private static final String MODULE = "/ftguard-bench.ko";
  private static final String TARGET = "__x64_sys_getppid";
  private static final String LOOP = "/ftg_callloop.ko";

  private static final String PAYLOAD =
      """
            set -u
            B=%1$s
            L=/sys/module/ftg_callloop/parameters
            mkdir -p /srv/bench && cp /usr/bin/busybox /srv/bench/true
            insmod %7$s
            kcall() {
              echo %8$d > $L/run
              set -- $(cat $L/result)
              echo "$1 $2" | awk '{ printf "%%.1f 0\\n", $2 / $1 }'
            }
            $B exec 100 /srv/bench/true > /dev/null
            $B getppid %3$d > /dev/null
            kcall > /dev/null
            for r in $(seq %2$d); do
              echo "off kcall $(kcall)" >> /out/figures.txt
              echo "off getppid $($B getppid %3$d)" >> /out/figures.txt
              echo "off exec $($B exec %4$d /srv/bench/true)" >> /out/figures.txt
              for mode in guard skip; do
                insmod %5$s call_mode=$mode
                echo "$mode kcall $(kcall)" >> /out/figures.txt
                /ftgtest hook-hits %6$s > /out/hits0
                echo "$mode getppid $($B getppid %3$d)" >> /out/figures.txt
                /ftgtest hook-hits %6$s > /out/hits1
                echo "$mode $(cat /out/hits0) $(cat /out/hits1)" >> /out/hits.txt
                echo "$mode exec $($B exec %4$d /srv/bench/true)" >> /out/figures.txt
                rmmod ftguard
              done
            done
            rmmod ftg_callloop
            """;

  private static final Pattern HITS =
      Pattern.compile("^(\\w+) ok .*?\\bhits=(\\d+).* ok .*?\\bhits=(\\d+)");

  @Test
  void callModeCost() throws Exception {
    Path module = FtguardGuest.variantModule("bench", "ftguard", "FTG_TEST_BENCH=1");
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.withTestFiles(
                    FtguardGuest.guest("bench-call-mode", Duration.ofMinutes(25)))
                .file(GuestFile.copyOf(FtguardGuest.compileHelper("ftgbench"), BENCH))
                .file(GuestFile.copyOf(module, MODULE))
                .file(GuestFile.copyOf(FtguardGuest.testModule("callloop", "ftg_callloop"), LOOP))
                .payload(
                    PAYLOAD.formatted(BENCH, ROUNDS, CALLS, EXECS, MODULE, TARGET, LOOP, KCALLS)));

    // each state ran its mode: the getppid loop made CALLS hooked calls, the callback ran
    // twice per call in guard mode and once in skip mode (a few more calls from the shell
    // and the helpers between the two readings are allowed, never fewer)
    List<String> hits = r.readOutFile("hits.txt").lines().filter(l -> !l.isBlank()).toList();
    assertThat(hits).hasSize(2 * ROUNDS);
    for (String line : hits) {
      Matcher m = HITS.matcher(line);
      assertThat(m.find()).as(line).isTrue();
      long delta = Long.parseLong(m.group(3)) - Long.parseLong(m.group(2));
      long perCall = m.group(1).equals("guard") ? 2 : 1;
      assertThat(delta).as(line).isBetween(perCall * CALLS, perCall * (CALLS + 16));
    }

    Medians.Samples s = Medians.Samples.parse(r.readOutFile("figures.txt"));
    List<String> keys =
        List.of(
            "off kcall",
            "guard kcall",
            "skip kcall",
            "off getppid",
            "guard getppid",
            "skip getppid",
            "off exec",
            "guard exec",
            "skip exec");
    assertThat(s.nanos().keySet()).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(s.nanos().values()).allSatisfy(v -> assertThat(v).hasSize(ROUNDS));
    assertThat(s.failures().values()).allSatisfy(n -> assertThat(n).isZero());

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("accel", r.accel().toString());
    figures.put("rounds", ROUNDS);
    figures.put("kcalls_per_round", KCALLS);
    figures.put("getppid_calls_per_round", CALLS);
    figures.put("execs_per_round", EXECS);
    for (String op : List.of("kcall", "getppid", "exec")) {
      double base = s.median("off " + op);
      for (String mode : List.of("off", "guard", "skip")) {
        String key = mode + " " + op;
        figures.put(mode + "_" + op + "_ns_median", s.median(key));
        figures.put(mode + "_" + op + "_ratio", s.median(key) / base);
        figures.put(mode + "_" + op + "_ns_rounds", s.nanos().get(key));
      }
      figures.put("guard_" + op + "_added_ns", s.median("guard " + op) - base);
      figures.put("skip_" + op + "_added_ns", s.median("skip " + op) - base);
      figures.put(
          "guard_minus_skip_" + op + "_ns", s.median("guard " + op) - s.median("skip " + op));
    }
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures);
    Path out = Repository.root().resolve("it/target/bench");
    Files.createDirectories(out);
    Files.writeString(out.resolve("call-mode-cost.json"), json);
    System.out.println("call mode cost figures:\n" + json);
  }
}
