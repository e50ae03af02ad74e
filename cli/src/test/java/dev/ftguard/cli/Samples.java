package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import java.util.List;

final class Samples {
  private Samples() {}

  static Header hdr(long seq, long pid) {
    return new Header(
        0, 0, 0, 3, seq, 1_000_000_000L * seq, 1_764_157_740_000_000_000L + seq, 7, pid, pid, 1,
        1000, 1000, 0, "bash");
  }

  static ExecEvent exec(long seq) {
    return new ExecEvent(hdr(seq, 4242), 0, 0, 2, "/usr/bin/id", List.of("id", "-u"), 0, 0);
  }

  static ExecEvent failedExecveat(long seq) {
    return new ExecEvent(
        hdr(seq, 4242),
        -2,
        Abi.EXEC_EXECVEAT | Abi.EXEC_ARGV_TRUNC,
        100,
        "missing",
        List.of("missing"),
        -100,
        0x100);
  }

  static ForkEvent thread(long seq) {
    return new ForkEvent(hdr(seq, 4242), 0x3d0f00L, 4250);
  }

  static ExitEvent killed(long seq) {
    return new ExitEvent(hdr(seq, 4250), 9, 0);
  }

  static ExitEvent exited(long seq) {
    return new ExitEvent(hdr(seq, 4242), 3 << 8, Abi.EXIT_GROUP_DEAD);
  }
}
