package dev.ftguard.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.FtguardGuest;
import dev.ftguard.policy.LoadResult;
import dev.ftguard.policy.PolicyLoader;
import dev.ftguard.policy.PolicySource;
import dev.ftguard.policy.table.TableCompiler;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Cost of deciding, in the VM: the time per {@code open()} and per {@code exec} (timed in C by
 * {@code it/src/test/c/ftgbench.c}, no shell in the loop) with the module unloaded (baseline),
 * loaded without rules, and with rule tables of 1, 100 and 10,000 rules of that kind that do not
 * match the operation (an open of a file on tmpfs, an exec of a static program on tmpfs) (the
 * common case: every call goes through the lookup), then with a 100-rule policy in monitor and in
 * enforce mode, and an operation the policy denies. Every figure is a median over {@link #ROUNDS}
 * rounds, reported as a ratio to the baseline of the same run. Figures, not pass/fail: {@code ./dev
 * bench}, copy into docs/performance.md.
 */
class PolicyCostBenchmark {

  private static final int ROUNDS = 5;
  private static final int OPENS = 20_000;
  private static final int EXECS = 1000;
  private static final List<Integer> SIZES = List.of(1, 100, 10_000);
  private static final String BENCH = "/ftgbench";
  private static final String TABLES = "/tables";

  /** One line per measurement: "label kind ns_per_op failures". */
  private static final String PAYLOAD =
      """
            set -u
            B=%1$s; T=%2$s; D=%3$s
            measure() {
              for r in $(seq %4$d); do
                echo "$1 open $($B open %5$d /srv/bench/file)"
                echo "$1 exec $($B exec %6$d /srv/bench/true)"
              done >> /out/figures.txt
            }
            deny_case() {
              for r in $(seq %4$d); do
                echo "$1 open-denied $($B open %5$d /srv/bench/denied)"
              done >> /out/figures.txt
            }
            # tmpfs only: /usr and /etc are 9p shares, whose round trips to the host would swamp
            # the figures; the exec'd program is a static busybox (no shared libraries to load)
            mkdir -p /srv/bench && echo x > /srv/bench/denied && echo x > /srv/bench/file
            cp /usr/bin/busybox /srv/bench/true
            $B open 2000 /srv/bench/file > /dev/null
            $B exec 100 /srv/bench/true > /dev/null
            measure off
            deny_case off
            insmod %7$s
            measure loaded
            for n in %8$s; do
              $T set-table $D/open-$n.tbl > /dev/null || exit 1
              for r in $(seq %4$d); do echo "rules-$n open $($B open %5$d /srv/bench/file)"; done >> /out/figures.txt
              $T set-table $D/exec-$n.tbl > /dev/null || exit 1
              for r in $(seq %4$d); do echo "rules-$n exec $($B exec %6$d /srv/bench/true)"; done >> /out/figures.txt
            done
            for mode in monitor enforce; do
              $T set-table $D/mixed-$mode.tbl > /dev/null || exit 1
              measure $mode
              deny_case $mode
            done
            rmmod ftguard
            """;

  @Test
  void decisionCost() throws Exception {
    Path root = Repository.root();
    Path tables = root.resolve("it/target/bench/tables");
    Files.createDirectories(tables);
    var guest =
        FtguardGuest.withTestFiles(FtguardGuest.guest("bench-policy-cost", Duration.ofMinutes(20)))
            .file(GuestFile.copyOf(FtguardGuest.compileHelper("ftgbench"), BENCH));
    for (int n : SIZES) {
      guest.file(
          GuestFile.copyOf(
              write(tables, "open-" + n, rules("open", n, "enforce")),
              TABLES + "/open-" + n + ".tbl"));
      guest.file(
          GuestFile.copyOf(
              write(tables, "exec-" + n, rules("exec", n, "enforce")),
              TABLES + "/exec-" + n + ".tbl"));
    }
    for (String mode : List.of("monitor", "enforce")) {
      String yaml = rules("open", 100, mode) + "---\n" + rules("exec", 100, mode);
      guest.file(
          GuestFile.copyOf(
              write(tables, "mixed-" + mode, yaml), TABLES + "/mixed-" + mode + ".tbl"));
    }
    String sizes = String.join(" ", SIZES.stream().map(String::valueOf).toList());
    GuestResult r =
        FtguardGuest.runClean(
            guest.payload(
                PAYLOAD.formatted(
                    BENCH,
                    FtguardGuest.TEST_HELPER,
                    TABLES,
                    ROUNDS,
                    OPENS,
                    EXECS,
                    FtguardGuest.MODULE,
                    sizes)));

    Medians.Samples parsed = Medians.Samples.parse(r.readOutFile("figures.txt"));
    Map<String, List<Double>> samples = parsed.nanos();
    Map<String, Long> failures = parsed.failures();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("accel", r.accel().toString());
    figures.put("rounds", ROUNDS);
    figures.put("opens_per_round", OPENS);
    figures.put("execs_per_round", EXECS);
    double openBase = parsed.median("off open");
    double execBase = parsed.median("off exec");
    double deniedBase = parsed.median("off open-denied");
    samples.forEach(
        (key, v) -> {
          double m = Medians.median(v);
          double base =
              key.endsWith("open-denied") ? deniedBase : key.endsWith("open") ? openBase : execBase;
          figures.put(key.replace(' ', '_') + "_ns_median", m);
          figures.put(key.replace(' ', '_') + "_ratio", m / base);
        });
    figures.put("failures", failures);
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures);
    Path out = root.resolve("it/target/bench");
    Files.writeString(out.resolve("policy-cost.json"), json);
    System.out.println("policy cost figures:\n" + json);

    assertThat(samples)
        .containsKeys(
            "off open",
            "loaded exec",
            "rules-10000 open",
            "rules-10000 exec",
            "monitor open",
            "enforce exec",
            "enforce open-denied");
    assertThat(samples.values()).allSatisfy(v -> assertThat(v).hasSize(ROUNDS));
    // only the denied opens under enforce fail, all of them
    failures.forEach(
        (key, n) ->
            assertThat(n)
                .as(key)
                .isEqualTo(key.equals("enforce open-denied") ? (long) ROUNDS * OPENS : 0L));
  }

  /**
   * n rules of one kind, half exact paths and half prefixes (n = 1: one exact), none matching
   * /srv/bench/file or /srv/bench/true; the open set also denies /srv/bench/denied (last rule).
   */
  static String rules(String kind, int n, String mode) {
    String selector = kind.equals("open") ? "path" : "binary";
    StringBuilder y =
        new StringBuilder(
            """
                apiVersion: ftguard.dev/v1
                kind: Policy
                metadata: {name: bench-%s}
                spec:
                  mode: %s
                  rules:
                """
                .formatted(kind, mode));
    int plain = kind.equals("open") && n > 1 ? n - 1 : n;
    for (int i = 0; i < plain; i++) {
      String value =
          i % 2 == 0
              ? "exact: [/srv/%s/f%d]".formatted(kind, i)
              : "prefix: [/srv/%s/d%d/]".formatted(kind, i);
      y.append(
          "    - {name: r%d, event: %s, match: {%s: {%s}}, action: deny}\n"
              .formatted(i, kind, selector, value));
    }
    if (plain < n) {
      y.append(
          "    - {name: denied, event: open, match: {path: {exact: [/srv/bench/denied]}}, action: deny}\n");
    }
    return y.toString();
  }

  private static Path write(Path dir, String name, String yaml) throws Exception {
    LoadResult loaded = PolicyLoader.load(new PolicySource(name + ".yaml", yaml));
    if (!(loaded instanceof LoadResult.Loaded(var set))) {
      throw new AssertionError("benchmark policy " + name + " is invalid: " + loaded);
    }
    Path file = dir.resolve(name + ".tbl");
    Files.write(file, TableCompiler.compile(set));
    return file;
  }
}
