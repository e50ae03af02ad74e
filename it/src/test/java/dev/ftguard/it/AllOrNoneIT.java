package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hooks install all or none. A second copy of the module (same code, named ftguard_twin) attaches
 * its two probes, then finds execve already redirected by the first copy: only one IPMODIFY user
 * per function may exist (livepatch meets the same -EBUSY). The twin must refuse to load, say why,
 * and detach the probes it had attached; the first copy keeps working.
 */
class AllOrNoneIT {

  private static final String TWIN = "ftguard_twin";

  @Test
  void aConflictingHookRollsBackTheHooksAlreadyInstalled() throws Exception {
    Path twin = FtguardGuest.variantModule("twin", TWIN, "MODNAME=" + TWIN);
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.guest("all-or-none", Duration.ofMinutes(3))
                .file(GuestFile.copyOf(twin, "/twin.ko"))
                .payload(
                    """
                        set -u
                        T=/sys/kernel/tracing
                        insmod %s
                        cat $T/enabled_functions > /out/enabled_before_twin
                        insmod /twin.ko 2> /out/twin.err; echo $? > /out/twin.rc
                        cat $T/enabled_functions > /out/enabled_after_twin
                        grep -c %s /proc/modules > /out/twin_loaded
                        /bin/true still-watched
                        rmmod ftguard
                        cat $T/enabled_functions > /out/enabled_after_unload
                        """
                        .formatted(FtguardGuest.MODULE, TWIN)));
    assertThat(r.readOutFile("twin.rc").strip()).as(r.readOutFile("twin.err")).isNotEqualTo("0");
    assertThat(r.readOutFile("twin_loaded").strip()).isEqualTo("0");
    assertThat(r.dmesg())
        .contains(
            "__x64_sys_execve: register_ftrace_function: -16 (modified by another ftrace user, or kernel.ftrace_enabled=0)")
        .contains("installing __x64_sys_execve failed; removing the 2 hooks already installed");
    List<String> enabled = r.readOutFile("enabled_after_twin").lines().toList();
    List<String> before = r.readOutFile("enabled_before_twin").lines().toList();
    assertThat(before).hasSize(dev.ftguard.check.HookTargets.TABLE.size());
    assertThat(enabled)
        .as("only the first copy's hooks remain")
        .isEqualTo(before)
        .allSatisfy(l -> assertThat(l).contains("[ftguard]").doesNotContain(TWIN));
    assertThat(r.readOutFile("enabled_after_unload")).isEmpty();
  }
}
