package dev.ftguard.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExecIdsTest {
  static ProcStat stat(int pid, long flags, long layout) {
    return new ProcStat(
        pid, "x", 'S', 1, flags, 100, layout, layout * 3, layout * 5, layout * 7, layout * 11);
  }

  static final List<String> ARGS = List.of("bash", "-l");

  @Test
  void idsAreBootTgidTicksAndGeneration() {
    assertThat(ExecIds.of("0123456789abcdef", 4242, 98765, 2))
        .isEqualTo("0123456789abcdef:4242:98765:2");
    assertThat(ExecIds.placeholder("0123456789abcdef", 4242, 5_000_000_001L, 1))
        .isEqualTo("0123456789abcdef:4242:u5000000001:1");
  }

  @Test
  void kernelThreadsAreGenerationZero() {
    assertThat(
            ExecIds.inferGeneration(
                stat(2, ProcStat.PF_KTHREAD, 0), "", List.of(), null, "", List.of()))
        .isZero();
  }

  @Test
  void noParentOrAKernelParentMeansTheKernelExecdIt() {
    assertThat(ExecIds.inferGeneration(stat(1, 0, 5), "/sbin/init", ARGS, null, "", List.of()))
        .isOne();
    assertThat(
            ExecIds.inferGeneration(
                stat(77, 0, 5),
                "/sbin/modprobe",
                ARGS,
                stat(2, ProcStat.PF_KTHREAD, 0),
                "",
                List.of()))
        .isOne();
  }

  @Test
  void sameLayoutAsTheParentIsAForkWithoutExec() {
    assertThat(
            ExecIds.inferGeneration(
                stat(10, 0, 5), "/bin/bash", ARGS, stat(9, 0, 5), "/bin/bash", ARGS))
        .isZero();
    // a new layout: exec'd, even into the same binary with the same arguments
    assertThat(
            ExecIds.inferGeneration(
                stat(10, 0, 6), "/bin/bash", ARGS, stat(9, 0, 5), "/bin/bash", ARGS))
        .isOne();
    // a worker that renamed itself (setproctitle) keeps its parent's layout
    assertThat(
            ExecIds.inferGeneration(
                stat(10, 0, 5),
                "/usr/bin/postgres",
                List.of("postgres: checkpointer"),
                stat(9, 0, 5),
                "/usr/bin/postgres",
                List.of("/usr/bin/postgres", "-D", "/data")))
        .isZero();
  }

  @Test
  void withoutLayoutsBinaryAndArgumentsDecide() {
    assertThat(
            ExecIds.inferGeneration(
                stat(10, 0, 0), "/bin/bash", ARGS, stat(9, 0, 0), "/bin/bash", ARGS))
        .isZero();
    assertThat(
            ExecIds.inferGeneration(
                stat(10, 0, 0),
                "/bin/bash",
                List.of("bash", "x.sh"),
                stat(9, 0, 0),
                "/bin/bash",
                ARGS))
        .isOne();
    assertThat(
            ExecIds.inferGeneration(
                stat(10, 0, 0), "/bin/ls", ARGS, stat(9, 0, 5), "/bin/bash", ARGS))
        .isOne();
    assertThat(ExecIds.inferGeneration(stat(10, 0, 0), "", List.of(), stat(9, 0, 0), "", List.of()))
        .isOne();
  }
}
