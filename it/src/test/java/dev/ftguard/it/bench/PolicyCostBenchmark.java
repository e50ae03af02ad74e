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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Cost of deciding, in the VM, counted in guest instructions: QEMU runs the guest with {@code
 * -icount shift=0} (one guest nanosecond per instruction executed, whatever the host's load), one
 * vCPU and {@code noapictimer}, so the nanoseconds the timed loops of {@code
 * it/src/test/c/ftgbench.c} read from {@code CLOCK_MONOTONIC} are guest instructions (the {@code
 * spin} loop of two instructions per turn checks it in every round).
 *
 * <p>Each {@link Config configuration} sets the module's state (unloaded, loaded without a table,
 * or loaded with one of the tables compiled here) and runs its {@link Loop loops}. A round runs
 * every configuration once, in an order rotated by one each round, within one boot; every figure is
 * paired with the unloaded baseline of the same loop in the same round (the added instructions per
 * call, and the ratio), and quoted as the median over {@link #ROUNDS} rounds with min and max.
 * Figures, not pass/fail: {@code ./dev bench}; the run writes the table of docs/performance.md to
 * {@code it/target/bench/policy-cost.md}.
 */
class PolicyCostBenchmark {

  private static final int ROUNDS = 5;
  private static final int CALLS = 2500;
  private static final String BENCH = "/ftgbench";
  private static final String TABLES = "/tables";

  /** A timed loop: its name, what it measures and ftgbench's arguments. */
  record Loop(String name, String what, String args) {}

  static final Loop SPIN = new Loop("spin", "dec+jnz turn", Icount.SPIN_ARGS);
  static final Loop OPEN = new Loop("open", "open+close", "open " + CALLS + " /srv/bench/file");
  static final Loop OPEN_DEEP =
      new Loop(
          "open-deep",
          "open+close of a file 10 directories below /",
          "open " + CALLS + " /srv/deep/1/2/3/4/5/6/7/8/file");
  static final Loop OPEN_DENIED =
      new Loop("open-denied", "open", "open " + CALLS + " /srv/bench/denied");
  static final Loop EXEC = new Loop("exec", "vfork+exec+wait", "exec 100 /srv/bench/true");
  static final Loop EXEC_NEW =
      new Loop(
          "exec-new",
          "copy (1.9 MB) + exec + unlink",
          "exec-new 20 /srv/bench/true /srv/bench/v/true");
  static final Loop MMAPX =
      new Loop("mmapx", "open+mmap(PROT_EXEC)+munmap+close", "mmapx 1000 /srv/bench/true");
  static final Loop TRUNCATE =
      new Loop("truncate", "truncate", "truncate " + CALLS + " /srv/bench/mod");
  static final Loop RENAME = new Loop("rename", "rename", "rename " + CALLS + " /srv/bench/mod");
  static final Loop LINK = new Loop("link", "link+unlink", "link " + CALLS + " /srv/bench/mod");
  static final Loop CHMOD = new Loop("chmod", "chmod", "chmod " + CALLS + " /srv/bench/mod");
  static final Loop UTIMES = new Loop("utimes", "utimensat", "utimes " + CALLS + " /srv/bench/mod");

  static final List<Loop> MODIFY = List.of(TRUNCATE, RENAME, LINK, CHMOD, UTIMES);

  /**
   * A module state and what is measured in it. {@code setup} is shell: {@code unload}, {@code
   * reload} (a fresh module, no table) or {@code table NAME} (loads the module if needed and sets
   * {@code NAME.tbl}).
   */
  record Config(String name, String description, String setup, List<Loop> loops) {}

  static List<Config> configs() {
    List<Config> c = new ArrayList<>();
    List<Loop> all = new ArrayList<>(List.of(SPIN, OPEN, OPEN_DEEP, EXEC, EXEC_NEW, MMAPX));
    all.addAll(MODIFY);
    all.add(OPEN_DENIED);
    c.add(new Config("off", "module unloaded (baseline)", "unload", all));
    List<Loop> loaded = new ArrayList<>(List.of(OPEN, OPEN_DEEP, EXEC, EXEC_NEW, MMAPX));
    loaded.addAll(MODIFY);
    c.add(new Config("loaded", "module loaded, no table", "reload", loaded));
    c.add(new Config("open-1", "1 open rule", "table open-1", List.of(OPEN)));
    List<Loop> open100 = new ArrayList<>(List.of(OPEN, OPEN_DEEP));
    open100.addAll(MODIFY);
    c.add(new Config("open-100", "100 open rules", "table open-100", open100));
    c.add(new Config("open-10000", "10,000 open rules", "table open-10000", List.of(OPEN)));
    // a read open meets none of these rules' access bits: decided without its path
    c.add(
        new Config(
            "open-write",
            "100 open rules on writes (`access: [write]`)",
            "table open-write",
            List.of(OPEN, TRUNCATE)));
    c.add(new Config("exec-1", "1 exec rule", "table exec-1", List.of(EXEC)));
    c.add(
        new Config("exec-100", "100 exec rules", "table exec-100", List.of(EXEC, EXEC_NEW, MMAPX)));
    c.add(new Config("exec-10000", "10,000 exec rules", "table exec-10000", List.of(EXEC)));
    c.add(
        new Config(
            "ident-open-files",
            "100 open rules, `exact` values naming existing files (identity probe)",
            "table ident-open-files",
            List.of(OPEN, OPEN_DEEP)));
    c.add(
        new Config(
            "ident-open-dirs",
            "100 open rules, 50 files + 50 `prefix` directories (identity + one probe per level)",
            "table ident-open-dirs",
            List.of(OPEN, OPEN_DEEP, TRUNCATE, RENAME)));
    c.add(
        new Config(
            "ident-exec-dirs",
            "100 exec rules, 50 files + 50 `prefix` directories",
            "table ident-exec-dirs",
            List.of(EXEC, MMAPX)));
    c.add(
        new Config(
            "monitor",
            "100 open + 100 exec rules, **monitor**, one denies /srv/bench/denied",
            "table mixed-monitor",
            List.of(OPEN, EXEC, OPEN_DENIED)));
    c.add(
        new Config(
            "enforce",
            "the same, **enforce**",
            "table mixed-enforce",
            List.of(OPEN, EXEC, OPEN_DENIED)));
    // content (SHA-256) rules: the hash of the executed file is needed at every exec and
    // PROT_EXEC mapping; the warm-up exec puts busybox's in the cache, exec-new makes a new file
    // version (a new inode) each time, so each of its execs computes one
    c.add(
        new Config(
            "content-cached",
            "100 exec rules, one on content (hash cached)",
            "table content-exec; $B exec 1 /srv/bench/true > /dev/null",
            List.of(EXEC, MMAPX)));
    c.add(
        new Config(
            "content-first",
            "the same, first exec of each file version (hash computed)",
            "table content-exec",
            List.of(EXEC_NEW)));
    return c;
  }

  /**
   * The configurations named by the system property {@code bench.only} (comma-separated, e.g.
   * {@code -Dbench.only=loaded,open-100}) and the baseline, or all of them: a shorter run while
   * working on one decision.
   */
  static List<Config> selected(List<Config> all) {
    String only = System.getProperty("bench.only", "").strip();
    if (only.isEmpty()) {
      return all;
    }
    List<String> names = List.of(only.split(","));
    List<Config> chosen =
        all.stream().filter(c -> c.name().equals("off") || names.contains(c.name())).toList();
    assertThat(chosen).as("configurations named by bench.only=%s", only).hasSizeGreaterThan(1);
    return chosen;
  }

  /** Table name → policy YAML; every table is compiled by TableCompiler as the CLI would. */
  static Map<String, String> tables() {
    Map<String, String> t = new LinkedHashMap<>();
    for (int n : List.of(1, 100, 10_000)) {
      t.put("open-" + n, byName("open", n, "enforce", false));
      t.put("exec-" + n, byName("exec", n, "enforce", false));
    }
    t.put(
        "open-write",
        byName("open", 100, "enforce", false).replace("match: {", "match: {access: [write], "));
    t.put("ident-open-files", identity("open", 100, false));
    t.put("ident-open-dirs", identity("open", 100, true));
    t.put("ident-exec-dirs", identity("exec", 100, true));
    t.put(
        "content-exec",
        byName("exec", 99, "enforce", false)
            + "    - {name: content, event: exec, match: {sha256: [%s]}, action: deny}\n"
                .formatted("0".repeat(64)));
    for (String mode : List.of("monitor", "enforce")) {
      t.put(
          "mixed-" + mode,
          byName("open", 100, mode, true) + "---\n" + byName("exec", 100, mode, false));
    }
    return t;
  }

  @Test
  void decisionCost() throws Exception {
    Path root = Repository.root();
    Path out = root.resolve("it/target/bench");
    Path tables = out.resolve("tables");
    Files.createDirectories(tables);
    var guest =
        Icount.counting(
                FtguardGuest.withTestFiles(
                    FtguardGuest.guest("bench-policy-cost", Duration.ofMinutes(40))))
            .file(GuestFile.copyOf(FtguardGuest.compileHelper("ftgbench"), BENCH));
    for (Map.Entry<String, String> t : tables().entrySet()) {
      guest.file(
          GuestFile.copyOf(
              write(tables, t.getKey(), t.getValue()), TABLES + "/" + t.getKey() + ".tbl"));
    }
    List<Config> configs = selected(configs());
    GuestResult r = FtguardGuest.runClean(guest.payload(payload(configs)));

    // "round config loop ns failures"
    Map<String, Map<Integer, Double>> ns = new TreeMap<>();
    Map<String, Long> failures = new TreeMap<>();
    for (String line : r.readOutFile("figures.txt").lines().filter(l -> !l.isBlank()).toList()) {
      String[] f = line.trim().split("\\s+");
      assertThat(f).as(line).hasSize(5);
      String key = f[1] + " " + f[2];
      ns.computeIfAbsent(key, k -> new TreeMap<>())
          .put(Integer.parseInt(f[0]), Double.parseDouble(f[3]));
      failures.merge(key, Long.parseLong(f[4]), Long::sum);
    }
    for (Config c : configs) {
      for (Loop l : c.loops()) {
        assertThat(ns.get(c.name() + " " + l.name()))
            .as(c.name() + " " + l.name())
            .isNotNull()
            .hasSize(ROUNDS);
      }
    }
    // only the denied opens under enforce fail, all of them
    failures.forEach(
        (key, n) ->
            assertThat(n)
                .as(key)
                .isEqualTo(key.equals("enforce open-denied") ? (long) ROUNDS * CALLS : 0L));
    Icount.assertSpinCountsInstructions(ns.get("off spin").values());

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("accel", r.accel().toString());
    figures.put("icount", Icount.QEMU_ICOUNT);
    figures.put("clocksource", r.readOutFile("clocksource").strip());
    figures.put("rounds", ROUNDS);
    figures.put("spin_ns_per_instruction", Medians.median(list(ns.get("off spin"))) / 2);
    StringBuilder md = new StringBuilder();
    md.append(
        "| configuration | loop | instructions per call: baseline, or added (median) | ratio |"
            + " min–max |\n");
    md.append("| --- | --- | --- | --- | --- |\n");
    for (Config c : configs) {
      for (Loop l : c.loops()) {
        if (l == SPIN) {
          continue;
        }
        Map<Integer, Double> v = ns.get(c.name() + " " + l.name());
        Map<Integer, Double> base = ns.get("off " + l.name());
        List<Double> added = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        v.forEach(
            (round, x) -> {
              added.add(x - base.get(round));
              ratio.add(x / base.get(round));
            });
        String key = c.name() + "_" + l.name();
        figures.put(key + "_ns_median", Medians.median(list(v)));
        figures.put(key + "_added_median", Medians.median(added));
        figures.put(key + "_ratio_median", Medians.median(ratio));
        figures.put(key + "_ratio_min", ratio.stream().mapToDouble(d -> d).min().orElseThrow());
        figures.put(key + "_ratio_max", ratio.stream().mapToDouble(d -> d).max().orElseThrow());
        md.append(
            c.name().equals("off")
                ? String.format(
                    Locale.ROOT,
                    "| %s | %s (%s) | %,.0f | 1 | — |%n",
                    c.description(),
                    l.name(),
                    l.what(),
                    Medians.median(list(v)))
                : String.format(
                    Locale.ROOT,
                    "| %s | %s | %+,.0f | %.3f | %.3f–%.3f |%n",
                    c.description(),
                    l.name(),
                    Medians.median(added),
                    Medians.median(ratio),
                    figures.get(key + "_ratio_min"),
                    figures.get(key + "_ratio_max")));
      }
    }
    figures.put("failures", failures);
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures);
    Files.writeString(out.resolve("policy-cost.json"), json);
    Files.writeString(out.resolve("policy-cost.md"), md);
    System.out.println("policy cost figures:\n" + json + "\n" + md);
  }

  private static List<Double> list(Map<Integer, Double> byRound) {
    return List.copyOf(byRound.values());
  }

  /**
   * The guest's script: the files the loops and the identity tables name, a warm-up, then {@link
   * #ROUNDS} rounds of every configuration, rotated by one each round.
   */
  static String payload(List<Config> configs) {
    StringBuilder s = new StringBuilder();
    s.append(
        """
        set -u
        B=%s; T=%s; D=%s; M=%s
        loaded=0
        load() { [ $loaded = 1 ] || { insmod $M || exit 1; loaded=1; }; }
        unload() { [ $loaded = 0 ] || { rmmod ftguard || exit 1; loaded=0; }; }
        reload() { unload; load; }
        table() { load; $T set-table $D/$1.tbl > /dev/null || exit 1; }
        # tmpfs only: /usr and /etc are 9p shares, whose round trips to the host would swamp
        # the figures; the exec'd program is a static busybox (no shared libraries to load)
        mkdir -p /srv/bench/v /srv/deep/1/2/3/4/5/6/7/8 /srv/ident /srv/xident
        for f in denied file mod; do echo x > /srv/bench/$f; done
        echo x > /srv/deep/1/2/3/4/5/6/7/8/file
        cp /usr/bin/busybox /srv/bench/true
        for i in $(seq 0 99); do
          echo x > /srv/ident/f$i; mkdir -p /srv/ident/d$i
          echo x > /srv/xident/f$i; mkdir -p /srv/xident/d$i
        done
        cat /sys/devices/system/clocksource/clocksource0/current_clocksource > /out/clocksource
        $B open 2000 /srv/bench/file > /dev/null
        $B exec 50 /srv/bench/true > /dev/null
        """
            .formatted(BENCH, FtguardGuest.TEST_HELPER, TABLES, FtguardGuest.MODULE));
    for (Config c : configs) {
      s.append("conf_").append(c.name().replace('-', '_')).append("() {\n  ");
      s.append(c.setup()).append('\n');
      for (Loop l : c.loops()) {
        s.append(
            "  echo \"$1 %s %s $($B %s)\" >> /out/figures.txt\n"
                .formatted(c.name(), l.name(), l.args()));
      }
      s.append("}\n");
    }
    for (int r = 1; r <= ROUNDS; r++) {
      for (Config c : Icount.rotated(configs, r)) {
        s.append("conf_").append(c.name().replace('-', '_')).append(' ').append(r).append('\n');
      }
    }
    s.append("unload\n");
    return s.toString();
  }

  /**
   * n rules of one kind naming no existing file, half exact paths and half prefixes (n = 1: one
   * exact), none matching the files the loops use; with {@code denied}, the last of the n denies
   * opening /srv/bench/denied.
   */
  static String byName(String kind, int n, String mode, boolean denied) {
    StringBuilder y = header(kind, mode);
    int plain = denied ? n - 1 : n;
    for (int i = 0; i < plain; i++) {
      rule(
          y,
          kind,
          i,
          i % 2 == 0
              ? "exact: [/srv/%s/f%d]".formatted(kind, i)
              : "prefix: [/srv/%s/d%d/]".formatted(kind, i));
    }
    if (denied) {
      y.append(
          "    - {name: denied, event: open, match: {path: {exact: [/srv/bench/denied]}}, action:"
              + " deny}\n");
    }
    return y.toString();
  }

  /**
   * n rules whose values name files and directories the payload creates before setting the table
   * (so the table holds their identities): {@code exact} values naming files and, with {@code
   * dirs}, every other rule a {@code prefix} naming a directory.
   */
  static String identity(String kind, int n, boolean dirs) {
    StringBuilder y = header(kind, "enforce");
    String dir = kind.equals("open") ? "ident" : "xident";
    for (int i = 0; i < n; i++) {
      rule(
          y,
          kind,
          i,
          dirs && i % 2 == 1
              ? "prefix: [/srv/%s/d%d/]".formatted(dir, i)
              : "exact: [/srv/%s/f%d]".formatted(dir, i));
    }
    return y.toString();
  }

  private static StringBuilder header(String kind, String mode) {
    return new StringBuilder(
        """
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: bench-%s}
        spec:
          mode: %s
          rules:
        """
            .formatted(kind, mode));
  }

  private static void rule(StringBuilder y, String kind, int i, String value) {
    String selector = kind.equals("open") ? "path" : "binary";
    y.append(
        "    - {name: r%d, event: %s, match: {%s: {%s}}, action: deny}\n"
            .formatted(i, kind, selector, value));
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
