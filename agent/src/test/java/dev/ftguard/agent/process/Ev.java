package dev.ftguard.agent.process;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import java.util.List;
import java.util.Optional;

/** Events for tests, built with the public record constructors. Times are CLOCK_MONOTONIC ns. */
public final class Ev {
  private Ev() {}

  public static final long CLONE_VM = 0x100;
  public static final long CLONE_VFORK = 0x4000;
  public static final long THREAD_FLAGS = ForkEvent.CLONE_THREAD | CLONE_VM;

  private static long seq;

  /** Milliseconds to nanoseconds. */
  public static long ms(double ms) {
    return Math.round(ms * 1_000_000);
  }

  public static Header hdr(long mono, long pid, long tgid, long ppid, String comm) {
    return new Header(
        0,
        0,
        0,
        1,
        ++seq,
        mono,
        1_764_157_740_000_000_000L + mono,
        7,
        pid,
        tgid,
        ppid,
        1000,
        1000,
        1000,
        comm);
  }

  /** A fork by process {@code tgid} (its main thread) of a new process {@code child}. */
  public static ForkEvent fork(long mono, long tgid, long ppid, int child) {
    return new ForkEvent(hdr(mono, tgid, tgid, ppid, "parent"), 0, child);
  }

  public static ForkEvent vfork(long mono, long tgid, long ppid, int child) {
    return new ForkEvent(hdr(mono, tgid, tgid, ppid, "parent"), CLONE_VM | CLONE_VFORK, child);
  }

  /** A new thread {@code tid} of process {@code tgid}. */
  public static ForkEvent thread(long mono, long tgid, long ppid, int tid) {
    return new ForkEvent(hdr(mono, tgid, tgid, ppid, "parent"), THREAD_FLAGS, tid);
  }

  public static ExecEvent exec(long mono, long tgid, long ppid, String filename, String... argv) {
    return new ExecEvent(
        hdr(mono, tgid, tgid, ppid, "new"), 0, 0, argv.length, filename, List.of(argv), 0, 0);
  }

  public static ExecEvent failedExec(long mono, long tgid, long ppid, String filename) {
    return new ExecEvent(
        hdr(mono, tgid, tgid, ppid, "old"), -2, 0, 1, filename, List.of(filename), 0, 0);
  }

  /** The last thread of process {@code tgid} exits. */
  public static ExitEvent exit(long mono, long tgid, long ppid) {
    return new ExitEvent(hdr(mono, tgid, tgid, ppid, "gone"), 0, Abi.EXIT_GROUP_DEAD);
  }

  /** Thread {@code tid} of process {@code tgid} exits, others remain. */
  public static ExitEvent threadExit(long mono, long tid, long tgid, long ppid) {
    return new ExitEvent(hdr(mono, tid, tgid, ppid, "thread"), 0, 0);
  }

  public static DecisionEvent decision(long mono, long tgid, long ppid) {
    return new DecisionEvent(
        hdr(mono, tgid, tgid, ppid, "acting"),
        7,
        1,
        DecisionEvent.Kind.OPEN,
        DecisionEvent.Action.AUDIT,
        DecisionEvent.Mode.ENFORCE,
        0,
        0,
        Abi.ACCESS_READ,
        "p",
        "r",
        0,
        Optional.empty(),
        0,
        0,
        0,
        0,
        1,
        "/usr/bin/cat",
        "/etc/shadow",
        List.of("cat"),
        0,
        "");
  }
}
