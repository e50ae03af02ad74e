package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DmesgCheckerTest {

  /** Shapes of real 6.1 kernel reports. */
  private static final String TROUBLE =
      """
            [    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)
            [    3.101010] ------------[ cut here ]------------
            [    3.101011] WARNING: CPU: 1 PID: 97 at kernel/trace/ftrace.c:2180 ftrace_bug+0x1a0/0x260
            [    3.101012] Call Trace:
            [    3.101013]  <TASK>
            [    4.200000] BUG: kernel NULL pointer dereference, address: 0000000000000008
            [    4.200001] Oops: 0000 [#1] PREEMPT SMP NOPTI
            [    5.000000] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI
            [   26.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:101]
            [   30.000000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
            [   31.000000] kernel BUG at mm/slub.c:432!
            [   40.000000] Kernel panic - not syncing: sysrq triggered crash
            [   41.000000] ftguard: loaded, 3 hooks
            """;

  @Test
  void findsEachKindOnceWithLineNumbersAndWithoutTimestamps() {
    List<Finding> found = DmesgChecker.check(TROUBLE);

    assertThat(found)
        .extracting(Finding::kind)
        .containsExactly(
            Finding.Kind.WARNING,
            Finding.Kind.CALL_TRACE,
            Finding.Kind.BUG,
            Finding.Kind.OOPS,
            Finding.Kind.GENERAL_PROTECTION,
            Finding.Kind.SOFT_LOCKUP,
            Finding.Kind.RCU_STALL,
            Finding.Kind.BUG,
            Finding.Kind.PANIC);
    assertThat(found.getFirst())
        .isEqualTo(
            new Finding(
                Finding.Kind.WARNING,
                "dmesg",
                3,
                "WARNING: CPU: 1 PID: 97 at kernel/trace/ftrace.c:2180 ftrace_bug+0x1a0/0x260"));
    assertThat(found.getLast().line())
        .isEqualTo("Kernel panic - not syncing: sysrq triggered crash");
    assertThat(found.getLast().kind().fatal()).isTrue();
    assertThat(found.getFirst().kind().fatal()).isFalse();
  }

  @Test
  void otherRcuStallWording() {
    assertThat(DmesgChecker.classify("[ 61.1] rcu: INFO: rcu_sched self-detected stall on CPU"))
        .isEqualTo(Finding.Kind.RCU_STALL);
    assertThat(DmesgChecker.classify("rcu_preempt detected stalls on CPUs/tasks"))
        .isEqualTo(Finding.Kind.RCU_STALL);
  }

  @Test
  void ordinaryBootLogIsClean() {
    String boot =
        """
                [    0.000000] Linux version 6.1.0-56-amd64
                [    0.512000] smp: Brought up 1 node, 2 CPUs
                [    1.937724] 9pnet: Installing 9P2000 support
                [    2.100000] ftguard: module verification failed: signature and/or required key missing - tainting kernel
                [    2.100100] Warning: unable to open an initial console.
                [    2.100200] DEBUG: nothing here; no bugs, oopsie
                """;
    assertThat(DmesgChecker.check(boot)).isEmpty();
    assertThat(DmesgChecker.isClean(boot)).isTrue();
    assertThat(DmesgChecker.report(List.of())).isEqualTo("no findings");
  }

  @Test
  void reportListsFindings() {
    String report = DmesgChecker.report(DmesgChecker.check(TROUBLE, "serial"));
    assertThat(report)
        .startsWith("9 kernel finding(s):")
        .contains("PANIC (serial:12): Kernel panic");
  }

  @Test
  void readsFilesAndTreatsMissingOnesAsClean(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("dmesg.txt"), "[ 1.0] BUG: scheduling while atomic\n");
    assertThat(DmesgChecker.check(f))
        .containsExactly(
            new Finding(Finding.Kind.BUG, "dmesg.txt", 1, "BUG: scheduling while atomic"));
    assertThat(DmesgChecker.check(dir.resolve("absent.txt"))).isEmpty();
  }
}
