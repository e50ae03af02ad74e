package dev.ftguard.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.FtguardGuest;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.Accel;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.GuestSpec;
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
 * Cost of one hooked call: a system call stub that does almost nothing, called {@link #KCALLS}
 * times from a loop inside the kernel (the test module {@code it/src/test/kmod-callloop}, nothing
 * around the call but the loop), unhooked and with each of the {@link #configs() configurations}
 * attached: the references of {@code it/src/test/kmod-compare} (bare {@code ftrace_ops} with and
 * without {@code SAVE_REGS}, with ftrace's recursion protection, an empty and a working kprobe) on
 * {@code __x64_sys_getppid}, and ftguard's benchmark build ({@code make FTG_TEST_BENCH=1},
 * kmod/bench.c) in both call modes: its pass-through wrapper on {@code __x64_sys_getppid} and its
 * allowing guard on {@code __x64_sys_getpid}.
 *
 * <p>{@link #instructions()} counts guest instructions ({@link Icount}: the loop module's {@code
 * ktime_get_ns()} reads one nanosecond per instruction); {@link #wallClock()} times the same rounds
 * in nanoseconds under plain TCG with 2 vCPUs, for what icount prices as one instruction (an
 * atomic, a cache line, a retpoline). A round runs every configuration once, in an order rotated by
 * one each round; each loop's figure is paired with the unhooked loop of the same function in the
 * same round (the added instructions per call), and with the bare {@code SAVE_REGS} ops and the
 * empty kprobe of the same round (the ratios), quoted as median, min and max over {@link #ROUNDS}
 * rounds. The hit counters (the comparison module's, ftguard's per hook) prove that each loop ran
 * through the attachment it names, as many times per call as its mode claims. Figures, not
 * pass/fail: {@code ./dev bench}; the run writes the table of docs/performance.md to {@code
 * it/target/bench/call-cost.md}.
 */
class CallCostBenchmark {

  private static final int ROUNDS = 5;
  private static final int KCALLS = 1_000_000;

  /** Calls of the hooked function outside the loop allowed between two hit readings. */
  private static final int STRAY_CALLS = 16;

  private static final String BENCH = "/ftgbench";
  private static final String LOOP_MODULE = "/ftg_callloop.ko";
  private static final String COMPARE_MODULE = "/ftg_compare.ko";
  private static final String FTGUARD_BENCH = "/ftguard-bench.ko";
  private static final String GETPPID = "__x64_sys_getppid";
  private static final String GETPID = "__x64_sys_getpid";

  /** The goals of issue 14: added instructions at most these multiples of the references. */
  static final double GOAL_TO_SAVE_REGS = 1.25;

  static final double GOAL_TO_KPROBE = 0.5;

  /**
   * One timed loop of a configuration: the function called, what the attachment on it is, and the
   * callbacks per call its hit counter must show (0: nothing attached).
   */
  record Loop(String name, String function, String what, int hitsPerCall) {}

  /**
   * A state of the guest: {@code setup} and {@code teardown} are shell, {@code hits} a shell
   * command printing the attachment's hit counter for the function in {@code $1}.
   */
  record Config(
      String name,
      String description,
      String setup,
      String teardown,
      String hits,
      List<Loop> loops) {
    /** A goal row: ftguard's own hook path. */
    boolean ftguard() {
      return name.startsWith("ftguard-");
    }
  }

  static final String OFF = "off";
  static final String SAVE_REGS = "ops-regs";
  static final String KPROBE = "kprobe";

  static List<Config> configs() {
    List<Config> c = new ArrayList<>();
    c.add(
        new Config(
            OFF,
            "nothing attached (baseline)",
            ":",
            ":",
            "echo 0",
            List.of(
                new Loop("getppid", GETPPID, "unhooked", 0),
                new Loop("getpid", GETPID, "unhooked", 0))));
    for (String[] m :
        new String[][] {
          {"ops", "ops-bare", "bare `ftrace_ops`, no flags"},
          {"regs", SAVE_REGS, "bare `ftrace_ops`, SAVE_REGS"},
          {"recursion", "ops-recursion", "the same + RECURSION (ftguard's flags minus IPMODIFY)"},
          {"kprobe", KPROBE, "empty kprobe"},
          {"kprobe-arg", "kprobe-arg", "working kprobe (reads an argument, counts per CPU)"},
        }) {
      c.add(
          new Config(
              m[1],
              m[2],
              "insmod " + COMPARE_MODULE + " mode=" + m[0] + " || exit 1",
              "rmmod ftg_compare || exit 1",
              "cat /sys/module/ftg_compare/parameters/hits",
              List.of(new Loop("getppid", GETPPID, m[2], 1))));
    }
    for (String mode : List.of("guard", "skip")) {
      c.add(
          new Config(
              "ftguard-" + mode,
              "ftguard, `call_mode="
                  + mode
                  + "`"
                  + (mode.equals("skip") ? " (what the default, `auto`, picks without IBT)" : ""),
              "insmod " + FTGUARD_BENCH + " call_mode=" + mode + " || exit 1",
              "rmmod ftguard || exit 1",
              FtguardGuest.TEST_HELPER + " hook-hits $1 | sed 's/.*hits=\\([0-9]*\\).*/\\1/'",
              List.of(
                  new Loop(
                      "getppid",
                      GETPPID,
                      "pass-through wrapper",
                      // guard mode: the callback runs for the call and for the wrapper's
                      mode.equals("guard") ? 2 : 1),
                  new Loop("getpid", GETPID, "allowing guard (decide returns 0)", 1))));
    }
    return c;
  }

  @Test
  void instructions() throws Exception {
    GuestResult r =
        run(
            Icount.counting(
                FtguardGuest.withTestFiles(
                    FtguardGuest.guest("bench-call-cost", Duration.ofMinutes(30)))));
    Figures f = Figures.read(r);
    Icount.assertSpinCountsInstructions(f.spin().values());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("accel", r.accel().toString());
    json.put("icount", Icount.QEMU_ICOUNT);
    json.put("cpus", 1);
    json.put("spin_ns_per_instruction", Medians.median(f.spin().values()) / 2);
    write("call-cost", "instructions", f, json);
  }

  @Test
  void wallClock() throws Exception {
    GuestResult r =
        run(
            FtguardGuest.withTestFiles(
                    FtguardGuest.guest("bench-call-cost-tcg", Duration.ofMinutes(30)))
                .accel(Accel.TCG)
                .cpus(2));
    Figures f = Figures.read(r);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("accel", r.accel().toString());
    json.put("icount", "none");
    json.put("cpus", 2);
    json.put("spin_ns_per_turn_median", Medians.median(f.spin().values()));
    write("call-cost-tcg", "ns", f, json);
  }

  private static GuestResult run(GuestSpec.Builder guest) throws Exception {
    Path ftguard = FtguardGuest.variantModule("bench", "ftguard", "FTG_TEST_BENCH=1");
    return FtguardGuest.runClean(
        guest
            .file(GuestFile.copyOf(FtguardGuest.compileHelper("ftgbench"), BENCH))
            .file(GuestFile.copyOf(ftguard, FTGUARD_BENCH))
            .file(
                GuestFile.copyOf(FtguardGuest.testModule("callloop", "ftg_callloop"), LOOP_MODULE))
            .file(
                GuestFile.copyOf(FtguardGuest.testModule("compare", "ftg_compare"), COMPARE_MODULE))
            .payload(payload(configs())));
  }

  /**
   * The guest's script: the loop module, a warm-up, then {@link #ROUNDS} rounds of every
   * configuration, rotated by one each round. Lines of {@code figures.txt}: "round configuration
   * loop calls ns hits-before hits-after"; of {@code spin.txt}: "round ns-per-turn failures".
   */
  static String payload(List<Config> configs) {
    StringBuilder s = new StringBuilder();
    s.append(
        """
        set -u
        L=/sys/module/ftg_callloop/parameters
        insmod %s || exit 1
        # $1 round, $2 configuration, $3 loop, $4 function, $5 hit counter command
        kcall() {
          echo $4 > $L/target || exit 1
          h0=$(hits $4)
          echo %d > $L/run || exit 1
          h1=$(hits $4)
          echo "$1 $2 $3 $(cat $L/result) $h0 $h1" >> /out/figures.txt
        }
        for f in %s %s; do echo $f > $L/target; echo %d > $L/run; done
        """
            .formatted(LOOP_MODULE, KCALLS, GETPPID, GETPID, KCALLS / 10));
    for (Config c : configs) {
      s.append("conf_").append(c.name().replace('-', '_')).append("() {\n");
      s.append("  ").append(c.setup()).append('\n');
      s.append("  hits() { ").append(c.hits()).append("; }\n");
      if (c.name().equals(OFF)) {
        s.append("  echo \"$1 $(%s %s)\" >> /out/spin.txt\n".formatted(BENCH, Icount.SPIN_ARGS));
      }
      for (Loop l : c.loops()) {
        s.append("  kcall $1 %s %s %s\n".formatted(c.name(), l.name(), l.function()));
      }
      s.append("  ").append(c.teardown()).append("\n}\n");
    }
    for (int r = 1; r <= ROUNDS; r++) {
      for (Config c : Icount.rotated(configs, r)) {
        s.append("conf_").append(c.name().replace('-', '_')).append(' ').append(r).append('\n');
      }
    }
    s.append("rmmod ftg_callloop\n");
    return s.toString();
  }

  /** Per configuration and loop ("config loop"): round → ns per call; spin: round → ns per turn. */
  record Figures(Map<String, Map<Integer, Double>> perCall, Map<Integer, Double> spin) {
    static Figures read(GuestResult r) {
      List<Config> configs = configs();
      Map<String, Loop> loops = new LinkedHashMap<>();
      for (Config c : configs) {
        for (Loop l : c.loops()) {
          loops.put(c.name() + " " + l.name(), l);
        }
      }
      Map<String, Map<Integer, Double>> perCall = new TreeMap<>();
      for (String line : r.readOutFile("figures.txt").lines().filter(x -> !x.isBlank()).toList()) {
        String[] f = line.trim().split("\\s+");
        assertThat(f).as(line).hasSize(7);
        String key = f[1] + " " + f[2];
        Loop loop = loops.get(key);
        assertThat(loop).as(line).isNotNull();
        long calls = Long.parseLong(f[3]);
        assertThat(calls).as(line).isEqualTo(KCALLS);
        // the loop ran through the attachment it names, as often per call as its mode says
        // (a few calls of the function from elsewhere between the readings are allowed)
        long hits = Long.parseLong(f[6]) - Long.parseLong(f[5]);
        assertThat(hits)
            .as(line)
            .isBetween(
                (long) loop.hitsPerCall() * KCALLS,
                (long) loop.hitsPerCall() * (KCALLS + STRAY_CALLS));
        perCall
            .computeIfAbsent(key, k -> new TreeMap<>())
            .put(Integer.parseInt(f[0]), Double.parseDouble(f[4]) / calls);
      }
      assertThat(perCall.keySet()).containsExactlyInAnyOrderElementsOf(loops.keySet());
      perCall.forEach((key, v) -> assertThat(v).as(key).hasSize(ROUNDS));
      Map<Integer, Double> spin = new TreeMap<>();
      for (String line : r.readOutFile("spin.txt").lines().filter(x -> !x.isBlank()).toList()) {
        String[] f = line.trim().split("\\s+");
        assertThat(f).as(line).hasSize(3);
        assertThat(f[2]).as(line).isEqualTo("0");
        spin.put(Integer.parseInt(f[0]), Double.parseDouble(f[1]));
      }
      assertThat(spin).hasSize(ROUNDS);
      return new Figures(perCall, spin);
    }

    /** Per round: what the loop adds per call to the unhooked loop of the same function. */
    Map<Integer, Double> added(String config, Loop loop) {
      Map<Integer, Double> v = perCall.get(config + " " + loop.name());
      Map<Integer, Double> base = perCall.get(OFF + " " + loop.name());
      Map<Integer, Double> added = new TreeMap<>();
      v.forEach((round, x) -> added.put(round, x - base.get(round)));
      return added;
    }

    /** Per round: added(a) / added(b). */
    static List<Double> ratio(Map<Integer, Double> a, Map<Integer, Double> b) {
      List<Double> ratio = new ArrayList<>();
      a.forEach((round, x) -> ratio.add(x / b.get(round)));
      return ratio;
    }
  }

  /** it/target/bench/NAME.json and NAME.md: every figure, and the table of docs/performance.md. */
  private static void write(String name, String unit, Figures f, Map<String, Object> json)
      throws Exception {
    List<Config> configs = configs();
    Loop getppid = configs.getFirst().loops().getFirst();
    Map<Integer, Double> regs = f.added(SAVE_REGS, getppid);
    Map<Integer, Double> kprobe = f.added(KPROBE, getppid);
    json.put("rounds", ROUNDS);
    json.put("calls_per_round", KCALLS);
    json.put("unit", unit);
    StringBuilder md = new StringBuilder();
    md.append(
        "| attached | on | %s per call: baseline, or added (median, min–max) | ratio to bare SAVE_REGS ops | ratio to empty kprobe | ≤ %.2f× SAVE_REGS | ≤ %.1f× kprobe |%n"
            .formatted(unit, GOAL_TO_SAVE_REGS, GOAL_TO_KPROBE));
    md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
    for (Config c : configs) {
      for (Loop l : c.loops()) {
        String key = c.name() + "_" + l.name();
        String what =
            c.name().equals(OFF) || l.what().equals(c.description())
                ? c.description()
                : c.description() + ": " + l.what();
        String on = "`" + l.function() + "`";
        if (c.name().equals(OFF)) {
          Medians.Spread base = Medians.Spread.of(f.perCall().get(OFF + " " + l.name()).values());
          json.put(key + "_per_call", base);
          md.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %s | %,.1f (%,.1f–%,.1f) | — | — | — | — |%n",
                  what,
                  on,
                  base.median(),
                  base.min(),
                  base.max()));
          continue;
        }
        Map<Integer, Double> added = f.added(c.name(), l);
        Medians.Spread a = Medians.Spread.of(added.values());
        Medians.Spread toRegs = Medians.Spread.of(Figures.ratio(added, regs));
        Medians.Spread toKprobe = Medians.Spread.of(Figures.ratio(added, kprobe));
        json.put(key + "_added", a);
        json.put(key + "_ratio_to_save_regs", toRegs);
        json.put(key + "_ratio_to_kprobe", toKprobe);
        String goalRegs = "—";
        String goalKprobe = "—";
        if (c.ftguard()) {
          goalRegs = toRegs.median() <= GOAL_TO_SAVE_REGS ? "met" : "not met";
          goalKprobe = toKprobe.median() <= GOAL_TO_KPROBE ? "met" : "not met";
          json.put(key + "_goal_save_regs", goalRegs);
          json.put(key + "_goal_kprobe", goalKprobe);
        }
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %+,.1f (%+,.1f–%+,.1f) | %.2f (%.2f–%.2f) | %.2f (%.2f–%.2f) | %s | %s |%n",
                what,
                on,
                a.median(),
                a.min(),
                a.max(),
                toRegs.median(),
                toRegs.min(),
                toRegs.max(),
                toKprobe.median(),
                toKprobe.min(),
                toKprobe.max(),
                goalRegs,
                goalKprobe));
      }
    }
    json.put("per_call_by_round", f.perCall());
    json.put("spin_by_round", f.spin());
    String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
    Path out = Repository.root().resolve("it/target/bench");
    Files.createDirectories(out);
    Files.writeString(out.resolve(name + ".json"), text);
    Files.writeString(out.resolve(name + ".md"), md);
    System.out.println(name + " figures:\n" + text + "\n" + md);
  }
}
