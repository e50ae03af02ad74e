package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestResult;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Removing the module while wrappers run (an exec storm on every CPU) must never return into freed
 * module text: 25 load/unload cycles, every one succeeding, and a clean kernel log.
 */
class UnloadUnderLoadIT {

  private static final int CYCLES = 25;

  /**
   * Payload lines: an exec storm on two shells while the module at {@link FtguardGuest#MODULE} is
   * loaded and removed {@code cycles} times; writes {@code /out/cycles} and the storms' counts.
   */
  static String script(int cycles) {
    return """
                storm() { n=0; while [ ! -e /tmp/stop ]; do /bin/true; /usr/bin/env true; n=$((n + 2)); done; echo $n > /out/storm.$1; }
                rm -f /tmp/stop
                storm 1 & s1=$!
                storm 2 & s2=$!
                ok=0
                i=0
                while [ $i -lt %d ]; do
                  i=$((i + 1))
                  insmod %s || { echo "insmod failed in cycle $i" >&2; break; }
                  sleep 0.2
                  rmmod ftguard || { echo "rmmod failed in cycle $i" >&2; break; }
                  ok=$((ok + 1))
                done
                touch /tmp/stop
                wait $s1 $s2
                echo $ok > /out/cycles
                """
        .formatted(cycles, FtguardGuest.MODULE);
  }

  /** Every cycle loaded and unloaded, with execs running through all of them. */
  static void assertCycles(GuestResult r, int cycles, int loadsBefore) {
    assertThat(r.readOutFile("cycles").strip()).as(r.summary()).isEqualTo(String.valueOf(cycles));
    long execs =
        Long.parseLong(r.readOutFile("storm.1").strip())
            + Long.parseLong(r.readOutFile("storm.2").strip());
    assertThat(execs).as("execs during the cycles").isGreaterThan(2L * cycles);
    assertThat(count(r.dmesg(), "ftguard: loaded")).isEqualTo(cycles + loadsBefore);
    assertThat(count(r.dmesg(), "ftguard: unloaded")).isEqualTo(cycles + loadsBefore);
  }

  @Test
  void loadUnloadCyclesDuringAnExecStormLeaveTheKernelClean() throws Exception {
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.guest("unload-under-load", Duration.ofMinutes(8))
                .payload("set -u\n" + script(CYCLES)));
    assertCycles(r, CYCLES, 0);
  }

  private static long count(String text, String what) {
    return Pattern.compile(Pattern.quote(what)).matcher(text).results().count();
  }
}
