package dev.ftguard.agent.process;

import dev.ftguard.agent.process.ProcessView.Origin;
import dev.ftguard.agent.process.ProcessView.State;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The start-up scan of {@code /proc}: adds every process the table does not know yet, parents
 * before children, with the exec ids live events would have given them (see {@link ExecIds}).
 */
final class StartupScan {
  private final ImageStore store;
  private final ProcFs procfs;
  private final BootClock clock;
  private final Interner binaries;
  private final Tally tally;

  StartupScan(ImageStore store, ProcFs procfs, BootClock clock, Interner binaries, Tally tally) {
    this.store = store;
    this.procfs = procfs;
    this.clock = clock;
    this.binaries = binaries;
    this.tally = tally;
  }

  /**
   * Scans {@code /proc} at CLOCK_MONOTONIC time {@code monoNs}.
   *
   * @return images added
   */
  int run(long monoNs) {
    Map<Integer, Scanned> found = new HashMap<>();
    for (int pid : procfs.pids()) {
      procfs.stat(pid).ifPresent(st -> found.put(pid, new Scanned(st)));
    }
    List<Scanned> ordered = new ArrayList<>(found.values());
    ordered.sort(
        Comparator.comparingLong((Scanned s) -> s.stat.startTicks())
            .thenComparingInt(s -> s.stat.pid()));
    int added = 0;
    for (Scanned s : ordered) {
      if (add(s, found.get(s.stat.ppid()), monoNs)) {
        added++;
      }
    }
    return added;
  }

  /** Adds the scanned process {@code s} unless the table has it; {@code parent} may be null. */
  private boolean add(Scanned s, Scanned parent, long monoNs) {
    ProcStat st = s.stat;
    Image known = store.newest(st.pid());
    if (known != null && known.sameProcessStartedAt(st.startTicks())) {
      return false;
    }
    if (known != null && known.state == State.LIVE) {
      store.end(known, monoNs, State.EXITED); // its exit was lost: the pid is in use again
      tally.staleEnded++;
    }
    int gen =
        ExecIds.inferGeneration(
            st,
            s.exe(),
            s.cmdline(),
            parent == null ? null : parent.stat,
            parent == null ? "" : parent.exe(),
            parent == null ? List.of() : parent.cmdline());
    Image im =
        new Image(
            st.pid(),
            st.ppid(),
            st.startTicks(),
            clock.monoOfTicks(st.startTicks()),
            monoNs,
            gen,
            Origin.SCAN,
            binaries.intern(s.exe()),
            s.cmdline());
    store.insert(im, st.ppid() > 0 ? store.imageAt(st.ppid(), Long.MAX_VALUE) : null);
    return true;
  }

  /** A process read by the scan; binary and arguments read once, when first needed. */
  private final class Scanned {
    final ProcStat stat;
    private String exe;
    private List<String> cmdline;

    Scanned(ProcStat stat) {
      this.stat = stat;
    }

    String exe() {
      if (exe == null) {
        exe = procfs.exe(stat.pid()).orElse("");
      }
      return exe;
    }

    List<String> cmdline() {
      if (cmdline == null) {
        cmdline = procfs.cmdline(stat.pid());
      }
      return cmdline;
    }
  }
}
