package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The double call. With {@code call_mode=guard} a wrapper calls the original through its fentry
 * site, so the ftrace callback runs twice per hooked call (redirect, then let the module's own call
 * through) and every other tracer on that function sees two entries. With {@code call_mode=skip}
 * the wrapper enters the original past its fentry site: one callback, one entry. The default,
 * {@code auto}, is skip where IBT is not enforced, as in this guest: one callback, and the load
 * line says so. Counted on {@code __x64_sys_execve} from the module's own hit counter and from the
 * function tracer, over execs made by a static helper; nothing else execs in the guest meanwhile.
 *
 * <p>A fentry site the module does not know costs {@code auto} only that wrapper's single call: the
 * test build ({@code FTG_TEST_ENTRY=1}, {@code test_fentry_odd=}) takes the target's site as
 * unknown; under {@code auto} that wrapper calls the function's entry and its callback lets the
 * module's own call through (two callbacks per exec, every exec works), the load names it, and the
 * other wrappers still skip; {@code call_mode=skip} refuses to load, naming it.
 */
class DoubleCallIT {

  private static final String TARGET = "__x64_sys_execve";

  /** Execs by ftgbench while the hit counter is read, and while the function tracer runs. */
  private static final int COUNTED = 100;

  private static final int TRACED = 20;

  /** A wrapper target other than {@link #TARGET}: it keeps skip when TARGET falls back. */
  private static final String OTHER = "__x64_sys_execveat";

  private static final String ENTRY_TEST_MODULE = "/ftguard-entry-test.ko";

  private static final String PAYLOAD =
      """
            set -u
            T=/sys/kernel/tracing
            for mode in guard skip default odd; do
              dmesg -C
              case $mode in
                default) insmod %1$s ;;
                odd) insmod %5$s test_fentry_odd=%2$s ;;
                *) insmod %1$s call_mode=$mode ;;
              esac
              dmesg | grep 'ftguard: ' > /out/$mode.loaded
              /ftgtest hook-hits %6$s > /out/$mode.other
              /ftgtest hook-hits %2$s > /out/$mode.h0
              /ftgbench exec %3$d /bin/true > /out/$mode.bench
              /ftgtest hook-hits %2$s > /out/$mode.h1
              echo %2$s > $T/set_ftrace_filter
              echo function > $T/current_tracer
              echo > $T/trace
              /ftgbench exec %4$d /bin/true > /dev/null
              echo 0 > $T/tracing_on
              cp $T/trace /out/$mode.trace
              echo nop > $T/current_tracer
              echo > $T/set_ftrace_filter
              echo 1 > $T/tracing_on
              rmmod ftguard
            done
            dmesg -C
            insmod %5$s call_mode=skip test_fentry_odd=%2$s; echo $? > /out/strict.rc
            dmesg | grep 'ftguard: ' > /out/strict.loaded
            """;

  @Test
  void guardModeRunsTheCallbackTwicePerCallAndSkipModeOnce() throws Exception {
    Path entryTest = FtguardGuest.module(FtguardGuest.kernel(), "FTG_TEST_ENTRY=1");
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.withTestFiles(FtguardGuest.guest("double-call", Duration.ofMinutes(5)))
                .file(GuestFile.copyOf(FtguardGuest.compileHelper("ftgbench"), "/ftgbench"))
                .file(GuestFile.copyOf(entryTest, ENTRY_TEST_MODULE))
                .payload(
                    PAYLOAD.formatted(
                        FtguardGuest.MODULE, TARGET, COUNTED, TRACED, ENTRY_TEST_MODULE, OTHER)));
    // each hit-counter window holds COUNTED execs, the exec of ftgbench and that of the
    // second ftgtest (the first one's exec is already in h0): nothing else runs in the guest
    int execs = COUNTED + 2;
    assertThat(hitsDelta(r, "guard")).as("callbacks per exec, guard").isEqualTo(2L * execs);
    assertThat(hitsDelta(r, "skip")).as("callbacks per exec, skip").isEqualTo(execs);
    assertThat(flags(r, "guard") & 4).as("FTG_HOOK_SKIP_FENTRY, guard").isZero();
    assertThat(flags(r, "skip") & 4).as("FTG_HOOK_SKIP_FENTRY, skip").isEqualTo(4);
    assertThat(hitsDelta(r, "default")).as("callbacks per exec, default").isEqualTo(execs);
    assertThat(flags(r, "default") & 4).as("FTG_HOOK_SKIP_FENTRY, default").isEqualTo(4);
    assertThat(r.readOutFile("guard.loaded")).contains("call_mode=guard\n");
    assertThat(r.readOutFile("skip.loaded")).contains("call_mode=skip\n");
    assertThat(r.readOutFile("default.loaded"))
        .contains("call_mode=skip (auto)\n")
        .doesNotContain("(guard)");
    // auto, TARGET's fentry site unknown: that wrapper in guard mode, the others still skip
    assertThat(hitsDelta(r, "odd")).as("callbacks per exec, odd site").isEqualTo(2L * execs);
    assertThat(flags(r, "odd") & 4).as("FTG_HOOK_SKIP_FENTRY, odd site").isZero();
    assertThat(field(r, "odd.other", "flags") & 4)
        .as("FTG_HOOK_SKIP_FENTRY, " + OTHER)
        .isEqualTo(4);
    assertThat(field(r, "default.other", "flags") & 4).as(OTHER + ", default").isEqualTo(4);
    assertThat(r.readOutFile("odd.loaded"))
        .contains(
            "ftguard: "
                + TARGET
                + ": test: fentry site taken as unknown (test_fentry_odd): this wrapper calls the"
                + " function's entry (guard)\n")
        .contains("call_mode=skip (auto)\n");
    // call_mode=skip asked for one callback everywhere: an unknown site fails the load, named
    assertThat(r.readOutFile("strict.rc").strip()).as("insmod call_mode=skip").isNotEqualTo("0");
    assertThat(r.readOutFile("strict.loaded"))
        .contains(
            "ftguard: "
                + TARGET
                + ": test: fentry site taken as unknown (test_fentry_odd) (call_mode=skip; auto"
                + " would wrap it in guard mode)\n")
        .doesNotContain("ftguard: loaded");
    for (String mode : List.of("guard", "skip", "default", "odd")) {
      assertThat(r.readOutFile(mode + ".bench").strip()).as(mode).endsWith(" 0"); // no exec failed
    }

    // what the function tracer sees while tracing: the shell's exec of ftgbench and its
    // TRACED execs (trace lines name the task by pid; the comm shown is not reliable)
    int traced = TRACED + 1;
    List<String> guard = entries(r, "guard");
    List<String> skip = entries(r, "skip");
    assertThat(guard).as(r.readOutFile("guard.trace")).hasSize(2 * traced);
    assertThat(guard).filteredOn(l -> l.contains("<-ftg_execve")).hasSize(traced);
    assertThat(skip).as(r.readOutFile("skip.trace")).hasSize(traced);
    assertThat(skip).noneMatch(l -> l.contains("<-ftg_execve"));
    List<String> byDefault = entries(r, "default");
    assertThat(byDefault).as(r.readOutFile("default.trace")).hasSize(traced);
    assertThat(byDefault).noneMatch(l -> l.contains("<-ftg_execve"));
    List<String> odd = entries(r, "odd");
    assertThat(odd).as(r.readOutFile("odd.trace")).hasSize(2 * traced);
    assertThat(odd).filteredOn(l -> l.contains("<-ftg_execve")).hasSize(traced);
  }

  private static long hitsDelta(GuestResult r, String mode) {
    return field(r, mode + ".h1", "hits") - field(r, mode + ".h0", "hits");
  }

  private static long flags(GuestResult r, String mode) {
    return field(r, mode + ".h1", "flags");
  }

  private static long field(GuestResult r, String file, String name) {
    String text = r.readOutFile(file).strip();
    Matcher m = Pattern.compile("^ok .*\\b" + name + "=(\\d+)").matcher(text);
    assertThat(m.find()).as(file + ": " + text).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static List<String> entries(GuestResult r, String mode) {
    return r.readOutFile(mode + ".trace")
        .lines()
        .filter(l -> !l.startsWith("#") && l.contains(" " + TARGET + " <-"))
        .toList();
  }
}
