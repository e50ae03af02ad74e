package dev.ftguard.agent.process;

/**
 * The fields of {@code /proc/PID/stat} the process table uses.
 *
 * <p>The memory layout fields ({@code startcode}, {@code startstack}, {@code start_brk}, {@code
 * arg_start}, {@code env_start}) are copied by fork and chosen afresh (address space layout
 * randomization) by exec; the kernel shows them only to readers allowed to trace the process,
 * others read 0 ({@link #layoutKnown()}).
 *
 * @param pid the process id (field 1)
 * @param comm the task name (field 2, without the parentheses)
 * @param state the state letter (field 3)
 * @param ppid the process id of the parent (field 4), 0 for the kernel's own first tasks
 * @param flags the kernel's {@code PF_*} flags (field 9)
 * @param startTicks start time in clock ticks since boot (field 22), CLOCK_BOOTTIME based
 */
public record ProcStat(
    int pid,
    String comm,
    char state,
    int ppid,
    long flags,
    long startTicks,
    long startCode,
    long startStack,
    long startBrk,
    long argStart,
    long envStart) {

  /** {@code PF_KTHREAD} of linux/sched.h. */
  public static final long PF_KTHREAD = 0x0020_0000L;

  /** A kernel thread (no user memory, never execs). */
  public boolean isKernelThread() {
    return (flags & PF_KTHREAD) != 0;
  }

  /** Whether the layout fields were shown to this reader (0 otherwise). */
  public boolean layoutKnown() {
    return startStack != 0;
  }

  /** Same memory layout: one was forked from the other and neither has exec'd since. */
  public boolean sameLayout(ProcStat other) {
    return startCode == other.startCode
        && startStack == other.startStack
        && startBrk == other.startBrk
        && argStart == other.argStart
        && envStart == other.envStart;
  }

  /**
   * Parses the content of {@code /proc/PID/stat}; null when it is not in the expected form. The
   * task name may hold spaces and parentheses: it ends at the last {@code ')'}.
   */
  public static ProcStat parse(String text) {
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    if (open <= 0 || close < open || close + 2 > text.length()) {
      return null;
    }
    String[] f = text.substring(close + 2).trim().split(" ");
    // f[0] is field 3 (state): field n is f[n - 3]
    if (f.length < 22 - 2 || f[0].isEmpty()) {
      return null;
    }
    try {
      int pid = Integer.parseInt(text.substring(0, open).trim());
      return new ProcStat(
          pid,
          text.substring(open + 1, close),
          f[0].charAt(0),
          Integer.parseInt(f[4 - 3]),
          Long.parseUnsignedLong(f[9 - 3]),
          Long.parseUnsignedLong(f[22 - 3]),
          field(f, 26),
          field(f, 28),
          field(f, 47),
          field(f, 48),
          field(f, 50));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Field {@code n} as an unsigned number, 0 when the kernel did not write it (older kernels). */
  private static long field(String[] f, int n) {
    return f.length > n - 3 ? Long.parseUnsignedLong(f[n - 3]) : 0;
  }
}
