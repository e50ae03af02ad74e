package dev.ftguard.agent.process;

import dev.ftguard.agent.process.ProcessView.Origin;
import java.util.List;

/**
 * Makes images for processes an event names but the {@link ProcessTable} does not know: from {@code
 * /proc} when the process there started before the event (with its missing ancestors, up to {@link
 * ProcessTable.Config#ancestorDepth}), else a placeholder ({@link Origin#UNKNOWN}).
 */
final class Resolver {
  private final ImageStore store;
  private final ProcFs procfs;
  private final BootClock clock;
  private final String bootPrefix;
  private final Interner binaries;
  private final int ancestorDepth;
  private final Tally tally;

  Resolver(
      ImageStore store,
      ProcFs procfs,
      BootClock clock,
      Interner binaries,
      int ancestorDepth,
      Tally tally) {
    this.store = store;
    this.procfs = procfs;
    this.clock = clock;
    this.bootPrefix = clock.bootPrefix();
    this.binaries = binaries;
    this.ancestorDepth = ancestorDepth;
    this.tally = tally;
  }

  /** The image of {@code tgid} at {@code t}, created from {@code /proc} or as a placeholder. */
  Image resolve(long tgid, long ppid, long t) {
    Image im = store.imageAt(tgid, t);
    if (im != null) {
      store.touch(im);
      return im;
    }
    im = fromProc(tgid, ppid, t, ancestorDepth, 0);
    if (im == null) {
      im = placeholder(tgid, ppid, t, 0, "", List.of(), Origin.UNKNOWN);
    }
    return im;
  }

  /**
   * The process {@code tgid} after a successful exec at {@code t} that the table does not know:
   * {@code /proc} (read now) shows it after the exec, else a placeholder with the exec's binary and
   * arguments.
   */
  void resolveExeced(long tgid, long ppid, long t, String filename, List<String> argv) {
    if (fromProc(tgid, ppid, t, ancestorDepth, 1) == null) {
      placeholder(tgid, ppid, t, 1, binaries.intern(filename), argv, Origin.EXEC);
    }
  }

  /**
   * A placeholder for process {@code tgid} named by an event at {@code t}: it stands for events of
   * that process id since the previous image ended.
   */
  private Image placeholder(
      long tgid, long ppid, long t, int gen, String binary, List<String> argv, Origin origin) {
    Image parent = null;
    if (ppid > 0) {
      parent = store.imageAt(ppid, t);
      if (parent == null) {
        parent = fromProc(ppid, 0, t, ancestorDepth - 1, 0);
      }
    }
    Image before = store.newestStartedBy(tgid, t);
    Image im =
        new Image(
            (int) tgid,
            parent != null ? parent.tgid : (int) ppid,
            -1,
            before == null ? Long.MIN_VALUE : before.endMono + 1,
            t,
            gen,
            origin,
            binary,
            argv);
    im.execId = ExecIds.placeholder(bootPrefix, tgid, t, gen);
    tally.placeholders++;
    store.insert(im, parent);
    return im;
  }

  /**
   * The process {@code tgid} from {@code /proc}, if the one there started by {@code t} (else the
   * pid was reused since), with its missing ancestors up to {@code depth} levels.
   *
   * @param ppid the parent's process id at {@code t} (from the event), 0 to use {@code /proc}'s
   * @param minGen lowest generation to give it (1 when the process is known to have exec'd)
   * @return null when it is not there
   */
  private Image fromProc(long tgid, long ppid, long t, int depth, int minGen) {
    if (depth < 0 || tgid <= 0 || tgid > Integer.MAX_VALUE) {
      return null;
    }
    ProcStat st = procfs.stat(tgid).orElse(null);
    if (st == null || st.pid() != tgid || clock.monoOfTicks(st.startTicks()) > t) {
      return null;
    }
    // an event older than every image the table has of that process (late, or images evicted)
    Image before = store.newestStartedBy(tgid, t);
    Image later = laterImageOf(tgid, before, st.startTicks());
    if (later != null) {
      tally.outOfOrder++;
      return later;
    }
    String exe = procfs.exe(tgid).orElse("");
    List<String> cmdline = procfs.cmdline(tgid);
    int gen = generation(st, exe, cmdline);
    long parentTgid = ppid > 0 ? ppid : st.ppid();
    Image parent = null;
    if (parentTgid > 0) {
      parent = store.imageAt(parentTgid, t);
      if (parent == null) {
        parent = fromProc(parentTgid, 0, t, depth - 1, 0);
      }
    }
    // events of this tgid from before the previous process ended are not this one's
    long startMono = clock.monoOfTicks(st.startTicks());
    if (before != null && before.endMono >= startMono) {
      startMono = before.endMono + 1;
    }
    Image im =
        new Image(
            (int) tgid,
            (int) parentTgid,
            st.startTicks(),
            startMono,
            t,
            Math.max(gen, minGen),
            Origin.PROC,
            binaries.intern(exe),
            cmdline);
    tally.fromProc++;
    store.insert(im, parent);
    return im;
  }

  /**
   * The oldest image of {@code tgid} newer than {@code before} of the process that started at
   * {@code startTicks}, or null.
   */
  private Image laterImageOf(long tgid, Image before, long startTicks) {
    Image later = null;
    for (Image im = store.newest(tgid); im != null && im != before; im = im.older) {
      if (im.sameProcessStartedAt(startTicks)) {
        later = im;
      }
    }
    return later;
  }

  /**
   * The exec generation of the process {@code st} read from {@code /proc} (see {@link ExecIds}).
   */
  private int generation(ProcStat st, String exe, List<String> cmdline) {
    ProcStat pst = st.ppid() > 0 ? procfs.stat(st.ppid()).orElse(null) : null;
    if (pst != null && !pst.isKernelThread() && !(st.layoutKnown() && pst.layoutKnown())) {
      return ExecIds.inferGeneration(
          st, exe, cmdline, pst, procfs.exe(st.ppid()).orElse(""), procfs.cmdline(st.ppid()));
    }
    return ExecIds.inferGeneration(st, exe, cmdline, pst, "", List.of());
  }
}
