package dev.ftguard.agent.process;

import java.util.List;
import java.util.Objects;

/**
 * How exec ids are made. An exec id names one process image: a process from its fork to its first
 * exec, or from one exec to the next (or to its exit).
 *
 * <p>{@code BOOT:TGID:TICKS:GEN}, for example {@code 9f0c2e7a51d84b3c:4242:1234567:1}:
 *
 * <ul>
 *   <li>{@code BOOT}: the first 16 hex digits of the boot id, so ids of different boots (and hosts)
 *       differ;
 *   <li>{@code TGID}: the process id;
 *   <li>{@code TICKS}: the process's start time in clock ticks since boot, the value of field 22 of
 *       {@code /proc/PID/stat}; for a fork seen live, the fork event's time converted the same way
 *       ({@link BootClock#ticksOfMono}). With the process id it tells processes apart across pid
 *       reuse (reusing a pid within one tick would take the whole pid space in 10 ms);
 *   <li>{@code GEN}: the image's generation: 0 for the image a fork copies from the parent, one
 *       more for each exec.
 * </ul>
 *
 * <p>Nothing in it depends on the daemon: a daemon restarted on the same boot gives a process it
 * finds in {@code /proc} the id it would have given from live events, provided the generation it
 * infers ({@link #inferGeneration}) is the live one. {@code /proc} does not count execs, so the
 * inference says 0 when the process still has its parent's memory layout (forked, no exec since)
 * and 1 otherwise: exact for the common cases (a fork that has not exec'd with its parent still
 * there; fork and one exec), off for processes that exec'd more than once, and for fork children
 * whose parent exec'd or exited since the fork.
 *
 * <p>A process the table never saw and could not read from {@code /proc} gets a placeholder id
 * {@code BOOT:TGID:uMONO:GEN}, with the CLOCK_MONOTONIC time of the event that named it: unique,
 * but not reproducible by another daemon.
 */
public final class ExecIds {
  private ExecIds() {}

  /** The id of generation {@code gen} of the process {@code tgid} started at {@code ticks}. */
  public static String of(String bootPrefix, long tgid, long startTicks, int gen) {
    return bootPrefix + ':' + tgid + ':' + startTicks + ':' + gen;
  }

  /** A placeholder id: start unknown, first named by an event at {@code monoNs}. */
  public static String placeholder(String bootPrefix, long tgid, long monoNs, int gen) {
    return bootPrefix + ':' + tgid + ":u" + monoNs + ':' + gen;
  }

  /**
   * The generation of a process read from {@code /proc}: 0 when it looks like an unexec'd fork of
   * its parent, else 1.
   *
   * <ul>
   *   <li>kernel threads never exec: 0;
   *   <li>no parent (pid 1, whose image the kernel exec'd) or a kernel thread as parent (helpers
   *       the kernel starts with an exec): 1;
   *   <li>both memory layouts readable: 0 when they are the same (fork copies the layout, exec
   *       makes a new randomized one), else 1;
   *   <li>otherwise 0 when binary and arguments equal the parent's, else 1.
   * </ul>
   *
   * @param parent the parent's stat, null when there is none or it cannot be read
   */
  public static int inferGeneration(
      ProcStat self,
      String exe,
      List<String> cmdline,
      ProcStat parent,
      String parentExe,
      List<String> parentCmdline) {
    if (self.isKernelThread()) {
      return 0;
    }
    if (parent == null || parent.isKernelThread()) {
      return 1;
    }
    if (self.layoutKnown() && parent.layoutKnown()) {
      return self.sameLayout(parent) ? 0 : 1;
    }
    return !exe.isEmpty() && Objects.equals(exe, parentExe) && cmdline.equals(parentCmdline)
        ? 0
        : 1;
  }
}
