package dev.ftguard.agent.process;

import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.agent.process.ProcessView.Origin;
import dev.ftguard.agent.process.ProcessView.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The processes of the host and their lineage, kept from fork, exec and exit events and a scan of
 * {@code /proc} at start-up.
 *
 * <p>The table holds process images ({@link ProcessView}): a fork makes the child an image with the
 * parent's binary and arguments, a successful exec replaces it with a new image (new exec id, see
 * {@link ExecIds}), the exit of the last thread ends it. Threads ({@code CLONE_THREAD}) are not
 * processes. The parent of an image is the image that forked its process.
 *
 * <p>Bounds. An image that ended stays while an image in the table names it as parent (so
 * descendants keep their ancestors), then for a grace period of event time (for late events). The
 * table never holds more than {@link Config#maxEntries} images: when full it evicts first ended
 * images nobody names as parent (oldest first), then ended images still named as parent, then live
 * images least recently seen; an evicted image's link to its own parent is cut, so what descendants
 * still reach of it is bounded too.
 *
 * <p>Losses. Events may arrive slightly out of order and the kernel may drop some. An event naming
 * a process the table does not know creates it from {@code /proc} when the process there started
 * before the event (and its missing ancestors, up to {@link Config#ancestorDepth}); otherwise a
 * placeholder ({@link Origin#UNKNOWN}). A fork for a child the table already has from its own
 * events only links the parent. A fork over a live image of the same process id ends the old image
 * (its exit was lost). {@link #maintain} ends live images whose process is no longer in {@code
 * /proc}.
 *
 * <p>Not thread-safe: one thread applies events and looks up (the event pump).
 */
public final class ProcessTable {
  /**
   * @param maxEntries most images held (live and ended)
   * @param ancestorDepth most ancestors in a view, and how far up missing ancestors are read from
   *     {@code /proc}
   * @param grace how long (in event time) an ended image nobody names as parent stays
   */
  public record Config(int maxEntries, int ancestorDepth, Duration grace) {
    public Config {
      if (maxEntries < 16) {
        throw new IllegalArgumentException("maxEntries below 16: " + maxEntries);
      }
      if (ancestorDepth < 0) {
        throw new IllegalArgumentException("negative ancestorDepth: " + ancestorDepth);
      }
      if (grace.isNegative()) {
        throw new IllegalArgumentException("negative grace: " + grace);
      }
    }

    /** 65,536 images, 8 ancestors, 5 s of grace. */
    public static Config defaults() {
      return new Config(65_536, 8, Duration.ofSeconds(5));
    }

    public Config withMaxEntries(int n) {
      return new Config(n, ancestorDepth, grace);
    }

    public Config withAncestorDepth(int n) {
      return new Config(maxEntries, n, grace);
    }

    public Config withGrace(Duration d) {
      return new Config(maxEntries, ancestorDepth, d);
    }
  }

  /**
   * What the table did since it was made.
   *
   * @param images images in the table now
   * @param live live images in the table now
   * @param fromProc processes read from {@code /proc} because an event named an unknown one
   * @param placeholders placeholders made for processes neither known nor in {@code /proc}
   * @param staleEnded live images ended because a fork reused their process id (exit lost)
   * @param expired ended images removed after their grace period
   * @param evictedEnded ended images evicted because the table was full
   * @param evictedLive live images evicted because the table was full
   * @param reconciled live images ended by {@link #maintain} (process gone from {@code /proc})
   * @param outOfOrder events that could not be placed (e.g. an exec older than the image)
   */
  public record Counters(
      int images,
      int live,
      long fromProc,
      long placeholders,
      long staleEnded,
      long expired,
      long evictedEnded,
      long evictedLive,
      long reconciled,
      long outOfOrder) {}

  private final Config config;
  private final ProcFs procfs;
  private final BootClock clock;
  private final String bootPrefix;
  private final long graceNs;
  private final TgidMap byTgid;
  private final ImageList live = new ImageList(Image.LIVE_LIST);
  private final ImageList referenced = new ImageList(Image.REFERENCED_LIST);
  private final ImageList released = new ImageList(Image.RELEASED_LIST);
  private final Interner binaries = new Interner(4096);

  /** Latest event time seen (CLOCK_MONOTONIC ns). */
  private long now = Long.MIN_VALUE;

  /** When the start-up scan read {@code /proc}; Long.MIN_VALUE before any scan. */
  private long scanMono = Long.MIN_VALUE;

  private long fromProc, placeholders, staleEnded, expired, evictedEnded, evictedLive;
  private long reconciled, outOfOrder;

  public ProcessTable(Config config, ProcFs procfs, BootClock clock) {
    this.config = config;
    this.procfs = procfs;
    this.clock = clock;
    this.bootPrefix = clock.bootPrefix();
    this.graceNs = config.grace().toNanos();
    this.byTgid = new TgidMap(Math.min(config.maxEntries(), 1 << 16));
  }

  /** The host's table: {@code /proc}, its boot id and clocks, default bounds. */
  public static ProcessTable host() {
    ProcFs procfs = ProcFs.host();
    return new ProcessTable(Config.defaults(), procfs, BootClock.host(procfs));
  }

  public Config config() {
    return config;
  }

  public BootClock clock() {
    return clock;
  }

  public ProcFs procfs() {
    return procfs;
  }

  /** Images held (live and ended). */
  public int size() {
    return live.size + referenced.size + released.size;
  }

  public Counters counters() {
    return new Counters(
        size(),
        live.size,
        fromProc,
        placeholders,
        staleEnded,
        expired,
        evictedEnded,
        evictedLive,
        reconciled,
        outOfOrder);
  }

  // ---------------------------------------------------------------- start-up scan

  /** {@link #scan(long)} at the current CLOCK_MONOTONIC time. */
  public int scan() {
    return scan(System.nanoTime());
  }

  /**
   * Adds every process of {@code /proc} the table does not know yet, parents before children, with
   * the exec ids live events would have given them (see {@link ExecIds}). Run it once, after
   * opening the event source and before applying its events.
   *
   * @param monoNs CLOCK_MONOTONIC time of the scan: exec events older than it are already reflected
   *     in what the scan read
   * @return images added
   */
  public int scan(long monoNs) {
    scanMono = monoNs;
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
      ProcStat st = s.stat;
      Image known = byTgid.get(st.pid());
      if (known != null && known.sameProcessStartedAt(st.startTicks())) {
        continue;
      }
      if (known != null && known.state == State.LIVE) {
        end(known, monoNs, State.EXITED); // its exit was lost: the pid is in use again
        staleEnded++;
      }
      Scanned parent = found.get(st.ppid());
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
      insert(im, st.ppid() > 0 ? imageAt(st.ppid(), Long.MAX_VALUE) : null);
      added++;
    }
    return added;
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

  // ---------------------------------------------------------------- events

  /** Updates the table with one event (in the order read from the device). */
  public void apply(Event event) {
    Header h = event.header();
    long t = h.monoNs();
    if (t > now) {
      now = t;
    }
    switch (event) {
      case ForkEvent f -> onFork(f, h, t);
      case ExecEvent x -> onExec(x, h, t);
      case ExitEvent x -> onExit(x, h, t);
      // rule matches: the acting process, created if unknown
      case DecisionEvent _, CallEvent _ -> resolve(h.tgid(), h.ppid(), t);
    }
    expire();
  }

  private void onFork(ForkEvent f, Header h, long t) {
    Image parent = resolve(h.tgid(), h.ppid(), t);
    if (f.isThread() || f.childPid() <= 0) {
      return;
    }
    int child = f.childPid();
    long ticks = clock.ticksOfMono(t);
    Image head = byTgid.get(child);
    if (head != null && isSameProcess(head, ticks, t)) {
      // the child's own events came first and created it: give it its parent
      for (Image im = head; im != null && isSameProcess(im, ticks, t); im = im.older) {
        if (im.parent == null && im != parent && parent.inTable()) {
          im.parent = parent;
          addRef(parent);
        }
      }
      return;
    }
    if (head != null && head.state == State.LIVE) {
      end(head, t, State.EXITED); // its exit was lost: the pid is in use again
      staleEnded++;
    }
    Image im =
        new Image(child, parent.tgid, ticks, t, t, 0, Origin.FORK, parent.binary, parent.argv);
    insert(im, parent);
  }

  /**
   * Whether {@code im} is an image of the process a fork at {@code t} ({@code ticks}) made: same
   * start, or (start unknown) first seen after the fork; and not exited before it.
   */
  private static boolean isSameProcess(Image im, long ticks, long t) {
    boolean alive = im.state != State.EXITED || im.endMono >= t;
    return alive && (im.startTicks < 0 ? im.seenMono >= t : im.sameProcessStartedAt(ticks));
  }

  private void onExec(ExecEvent x, Header h, long t) {
    if (x.result() != 0) {
      resolve(h.tgid(), h.ppid(), t);
      return;
    }
    Image cur = imageAt(h.tgid(), t);
    if (cur == null) {
      // unknown: /proc (read now) shows the process after this exec
      if (fromProc(h.tgid(), h.ppid(), t, config.ancestorDepth(), 1) == null) {
        placeholder(h.tgid(), h.ppid(), t, 1, binaries.intern(x.filename()), x.argv(), Origin.EXEC);
      }
      return;
    }
    if (cur.origin == Origin.SCAN && t < scanMono) {
      touch(cur); // the scan read the process after this exec
      return;
    }
    if (cur != byTgid.get(h.tgid()) || cur.state != State.LIVE) {
      outOfOrder++; // a newer image exists, or the process exited before: cannot place it
      return;
    }
    Image parent = cur.parent;
    if (parent == null && h.ppid() > 0) {
      parent = imageAt(h.ppid(), t);
    }
    Image im =
        new Image(
            cur.tgid,
            parent != null ? parent.tgid : (int) h.ppid(),
            cur.startTicks,
            t,
            t,
            cur.gen + 1,
            Origin.EXEC,
            binaries.intern(x.filename()),
            x.argv());
    if (cur.startTicks < 0) {
      im.execId = ExecIds.placeholder(bootPrefix, cur.tgid, t, cur.gen + 1);
    }
    end(cur, t, State.REPLACED);
    insert(im, parent);
  }

  private void onExit(ExitEvent x, Header h, long t) {
    Image im = resolve(h.tgid(), h.ppid(), t);
    if (!x.groupDead()) {
      return;
    }
    if (im.state == State.LIVE) {
      end(im, t, State.EXITED);
    } else {
      outOfOrder++;
    }
  }

  /** The image of {@code tgid} at {@code t}, created from {@code /proc} or as a placeholder. */
  private Image resolve(long tgid, long ppid, long t) {
    Image im = imageAt(tgid, t);
    if (im != null) {
      touch(im);
      return im;
    }
    im = fromProc(tgid, ppid, t, config.ancestorDepth(), 0);
    if (im == null) {
      im = placeholder(tgid, ppid, t);
    }
    return im;
  }

  private Image placeholder(long tgid, long ppid, long t) {
    return placeholder(tgid, ppid, t, 0, "", List.of(), Origin.UNKNOWN);
  }

  /**
   * A placeholder for process {@code tgid} named by an event at {@code t}: it stands for events of
   * that process id since the previous image ended.
   */
  private Image placeholder(
      long tgid, long ppid, long t, int gen, String binary, List<String> argv, Origin origin) {
    Image parent = null;
    if (ppid > 0) {
      parent = imageAt(ppid, t);
      if (parent == null) {
        parent = fromProc(ppid, 0, t, config.ancestorDepth() - 1, 0);
      }
    }
    Image before = newestStartedBy(tgid, t);
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
    placeholders++;
    insert(im, parent);
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
    Image before = newestStartedBy(tgid, t);
    Image later = null;
    for (Image im = byTgid.get(tgid); im != null && im != before; im = im.older) {
      if (im.sameProcessStartedAt(st.startTicks())) {
        later = im;
      }
    }
    if (later != null) {
      outOfOrder++;
      return later;
    }
    String exe = procfs.exe(tgid).orElse("");
    List<String> cmdline = procfs.cmdline(tgid);
    ProcStat pst = st.ppid() > 0 ? procfs.stat(st.ppid()).orElse(null) : null;
    int gen;
    if (pst != null && !pst.isKernelThread() && !(st.layoutKnown() && pst.layoutKnown())) {
      gen =
          ExecIds.inferGeneration(
              st, exe, cmdline, pst, procfs.exe(st.ppid()).orElse(""), procfs.cmdline(st.ppid()));
    } else {
      gen = ExecIds.inferGeneration(st, exe, cmdline, pst, "", List.of());
    }
    long parentTgid = ppid > 0 ? ppid : st.ppid();
    Image parent = null;
    if (parentTgid > 0) {
      parent = imageAt(parentTgid, t);
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
    fromProc++;
    insert(im, parent);
    return im;
  }

  // ---------------------------------------------------------------- lookup

  /** The image of the process an event came from, as it was at the event. */
  public Optional<ProcessView> lookup(Header h) {
    return lookup(h.tgid(), h.monoNs());
  }

  /**
   * The image process {@code tgid} ran at CLOCK_MONOTONIC time {@code monoNs}: the newest image of
   * that process id started by then, unless it had exited before. No side effects: apply the event
   * first so that unknown processes are created.
   */
  public Optional<ProcessView> lookup(long tgid, long monoNs) {
    Image im = imageAt(tgid, monoNs);
    return im == null ? Optional.empty() : Optional.of(view(im));
  }

  /** The exec id of the image {@code tgid} ran at {@code monoNs}, without building a view. */
  public Optional<String> execId(long tgid, long monoNs) {
    Image im = imageAt(tgid, monoNs);
    return im == null ? Optional.empty() : Optional.of(im.execId(bootPrefix));
  }

  private Image imageAt(long tgid, long t) {
    Image im = newestStartedBy(tgid, t);
    if (im != null && im.state == State.EXITED && im.endMono < t) {
      return null; // that process had exited: the event is from a later one with the same pid
    }
    return im;
  }

  /** The newest image of {@code tgid} that started by {@code t}, exited or not. */
  private Image newestStartedBy(long tgid, long t) {
    Image im = byTgid.get(tgid);
    while (im != null && im.startMono > t) {
      im = im.older;
    }
    return im;
  }

  private ProcessView view(Image im) {
    int depth = config.ancestorDepth();
    List<Ancestor> ancestors = new ArrayList<>(Math.min(depth, 8));
    for (Image p = im.parent; p != null && ancestors.size() < depth; p = p.parent) {
      ancestors.add(new Ancestor(p.binary, p.tgid, p.argv, p.execId(bootPrefix)));
    }
    return new ProcessView(
        im.tgid,
        im.ppid,
        im.execId(bootPrefix),
        im.parent == null ? Optional.empty() : Optional.of(im.parent.execId(bootPrefix)),
        im.binary,
        im.argv,
        im.startTicks,
        im.origin,
        im.state,
        List.copyOf(ancestors));
  }

  // ---------------------------------------------------------------- upkeep

  /**
   * Periodic upkeep, e.g. from the event pump's tick: removes ended images past their grace period,
   * and checks up to {@code budget} live images not seen for a grace period against {@code /proc},
   * ending those whose process is gone (their exit was lost).
   *
   * @param nowMonoNs CLOCK_MONOTONIC now
   * @return images ended because their process was gone
   */
  public int maintain(long nowMonoNs, int budget) {
    if (nowMonoNs > now) {
      now = nowMonoNs;
    }
    expire();
    int ended = 0;
    for (int checked = 0; checked < budget; checked++) {
      Image im = live.head;
      if (im == null || im.stamp > minus(now, graceNs)) {
        break;
      }
      Optional<ProcStat> st = procfs.stat(im.tgid);
      boolean gone =
          st.isEmpty() || im.startTicks >= 0 && !im.sameProcessStartedAt(st.get().startTicks());
      if (gone) {
        end(im, now, State.EXITED);
        reconciled++;
        ended++;
      } else {
        live.moveToTail(im, now);
      }
    }
    return ended;
  }

  private void touch(Image im) {
    if (im.list == Image.LIVE_LIST) {
      live.moveToTail(im, now);
    }
  }

  /**
   * Adds a new image with {@code parent} (may be null) to the chain of its process id, which is
   * ordered by start, newest first.
   */
  private void insert(Image im, Image parent) {
    if (parent != null && parent.inTable()) {
      im.parent = parent;
      addRef(parent);
    }
    Image head = byTgid.get(im.tgid);
    if (head == null || head.startMono <= im.startMono) {
      im.older = head;
      if (head != null) {
        head.newer = im;
      }
      byTgid.put(im.tgid, im);
    } else {
      Image newer = head;
      while (newer.older != null && newer.older.startMono > im.startMono) {
        newer = newer.older;
      }
      im.older = newer.older;
      if (im.older != null) {
        im.older.newer = im;
      }
      im.newer = newer;
      newer.older = im;
    }
    live.append(im, now);
    while (size() > config.maxEntries()) {
      evictOne();
    }
  }

  private void addRef(Image p) {
    p.refs++;
    if (p.list == Image.RELEASED_LIST) {
      released.remove(p);
      referenced.append(p, now);
    }
  }

  private void end(Image im, long t, State state) {
    im.state = state;
    im.endMono = t;
    if (im.list == Image.LIVE_LIST) {
      live.remove(im);
      if (im.refs > 0) {
        referenced.append(im, now);
      } else {
        released.append(im, now);
      }
    }
  }

  private static long minus(long a, long b) {
    long r = a - b;
    return r > a ? Long.MIN_VALUE : r;
  }

  private void expire() {
    long limit = minus(now, graceNs);
    for (Image im = released.head; im != null && im.stamp <= limit; im = released.head) {
      remove(im);
      expired++;
    }
  }

  private void evictOne() {
    if (released.head != null) {
      remove(released.head);
      evictedEnded++;
    } else if (referenced.head != null) {
      remove(referenced.head);
      evictedEnded++;
    } else {
      remove(live.head);
      evictedLive++;
    }
  }

  /**
   * Takes an image out of the table; descendants that name it keep it, without its parent. A parent
   * nobody names any more is released, or removed as well when it ended more than a grace period
   * ago (and so on up the chain).
   */
  private void remove(Image first) {
    for (Image im = first; im != null; ) {
      switch (im.list) {
        case Image.LIVE_LIST -> live.remove(im);
        case Image.REFERENCED_LIST -> referenced.remove(im);
        case Image.RELEASED_LIST -> released.remove(im);
        default -> throw new IllegalStateException("image not in the table");
      }
      unchain(im);
      Image parent = im.parent;
      im.parent = null;
      im = null;
      if (parent != null
          && parent.inTable()
          && --parent.refs == 0
          && parent.list == Image.REFERENCED_LIST) {
        if (parent.endMono <= minus(now, graceNs)) {
          im = parent;
          expired++;
        } else {
          referenced.remove(parent);
          released.append(parent, now);
        }
      }
    }
  }

  /** Unlinks {@code im} from the chain of its process id. */
  private void unchain(Image im) {
    Image older = im.older;
    Image newer = im.newer;
    if (older != null) {
      older.newer = newer;
    }
    if (newer != null) {
      newer.older = older;
    } else if (older == null) {
      byTgid.remove(im.tgid);
    } else {
      byTgid.put(im.tgid, older);
    }
    im.older = null;
    im.newer = null;
  }
}
