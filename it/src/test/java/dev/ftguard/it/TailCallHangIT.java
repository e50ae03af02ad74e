package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.verify.Report;
import dev.ftguard.verify.Verifier;
import dev.ftguard.vm.Finding;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.GuestSpec;
import dev.ftguard.vm.Vm;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The tail-call hang, reproduced and caught. A test-only build ({@code FTG_TEST_TAILCALL=1}, see
 * kmod/exec.c) compiles the execve wrapper so that its call to the original becomes a jump:
 * parent_ip then points into the kernel, the ftrace callback redirects the original to the wrapper
 * again, and the CPU loops. {@code ftguard verify} must reject that build and pass the normal one;
 * in the VM the first exec after loading it must lock the CPU up (the soft-lockup detector, with
 * {@code softlockup_panic=1} so that the guest ends by itself), while the normal build runs the
 * same scenario cleanly. Both load with {@code call_mode=guard}, where the wrapper's call passes
 * the original's fentry site: with skip (the default where IBT is not enforced) a tail call would
 * jump past it and not loop, but guard is what runs under IBT.
 */
class TailCallHangIT {

  /** The soft-lockup detector fires after 2 × watchdog_thresh seconds. */
  private static final String[] WATCHDOG = {"watchdog_thresh=5", "softlockup_panic=1"};

  private static final String PAYLOAD =
      """
            set -u
            insmod /hooks.ko call_mode=guard
            echo loaded > /out/loaded
            /bin/true
            echo returned > /out/returned
            rmmod ftguard
            """;

  @Test
  void verifyRejectsTheTailCallBuildAndPassesTheNormalOne() throws Exception {
    Report bad = Verifier.verify(tailCallBuild());
    assertThat(bad.findings())
        .as(bad.toString())
        .isNotEmpty()
        .anySatisfy(f -> assertThat(f.toString()).contains("ftg_execve", "__x86_indirect_thunk"));

    Report good = Verifier.verify(FtguardGuest.module());
    assertThat(good.findings()).as(good.toString()).isEmpty();
    assertThat(good.wrappers()).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void theTailCallBuildHangsTheFirstExecAndTheGuestRecoversByItself() throws Exception {
    Duration timeout = Duration.ofMinutes(3);
    GuestResult r = Vm.run(guest("tail-call-hang", tailCallBuild(), timeout));

    assertThat(r.outcome()).as(r.summary()).isInstanceOf(GuestResult.Outcome.Crashed.class);
    assertThat(r.findings())
        .as(r.summary())
        .extracting(Finding::kind)
        .contains(Finding.Kind.SOFT_LOCKUP);
    assertThat(r.readOutFile("loaded").strip()).isEqualTo("loaded");
    assertThat(r.outFile("returned")).as("the exec never returns").doesNotExist();
    // the stuck CPU is somewhere in the loop: ftrace's trampoline (module area, no symbol) or
    // its helpers, the callback or the wrapper (this module), the retpoline and return
    // thunks, or the fentry site of the original
    assertThat(lockupRip(r.serialLog()))
        .as(r.serialLog())
        .containsPattern(
            "0x[fF]{8}[cC]0|\\[ftguard]|ftrace_|(__x86_\\w*|its_return_)thunk|__x64_sys_execve");
    assertThat(r.timings().total())
        .as("ended by the guest's own panic, not the host's timeout")
        .isLessThan(timeout.minusSeconds(30));
  }

  @Test
  void theNormalBuildRunsTheSameScenarioCleanly() throws Exception {
    GuestResult r =
        Vm.run(guest("tail-call-control", FtguardGuest.module(), Duration.ofMinutes(3)));

    FtguardGuest.assertCleanRun(r);
    assertThat(r.readOutFile("returned").strip()).isEqualTo("returned");
  }

  /** The kernel-mode RIP line of the first soft-lockup report. */
  private static String lockupRip(String serial) {
    int at = serial.indexOf("soft lockup");
    assertThat(at).as("a soft-lockup report").isNotNegative();
    return serial
        .substring(at)
        .lines()
        .filter(l -> l.contains("RIP: 0010:"))
        .findFirst()
        .orElse("");
  }

  private static GuestSpec guest(String name, Path module, Duration timeout) throws Exception {
    var spec =
        FtguardGuest.guest(name, timeout)
            .file(GuestFile.copyOf(module, "/hooks.ko"))
            .payload(PAYLOAD);
    for (String arg : WATCHDOG) {
      spec.kernelArg(arg);
    }
    return spec.build();
  }

  private static Path tailCallBuild() throws Exception {
    return FtguardGuest.variantModule("tailcall", "ftguard", "FTG_TEST_TAILCALL=1");
  }
}
