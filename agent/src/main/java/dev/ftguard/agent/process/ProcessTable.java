package dev.ftguard.agent.process;

import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.abi.TamperEvent;
import dev.ftguard.agent.process.ProcessView.Origin;
import dev.ftguard.agent.process.ProcessView.State;
import java.time.Duration;
import java.util.List;
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
 *
 * <p>Parts: {@link ImageStore} holds the images and enforces the bounds, {@link EventUpdates}
 * applies fork, exec and exit events, {@link Resolver} makes images for unknown processes, {@link
 * StartupScan} reads {@code /proc} at start-up.
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
  private final Tally tally = new Tally();
  private final ImageStore store;
  private final Resolver resolver;
  private final EventUpdates updates;
  private final StartupScan startupScan;

  public ProcessTable(Config config, ProcFs procfs, BootClock clock) {
    this.config = config;
    this.procfs = procfs;
    this.clock = clock;
    this.bootPrefix = clock.bootPrefix();
    Interner binaries = new Interner(4096);
    this.store = new ImageStore(config, tally);
    this.resolver = new Resolver(store, procfs, clock, binaries, config.ancestorDepth(), tally);
    this.updates = new EventUpdates(store, resolver, clock, binaries, tally);
    this.startupScan = new StartupScan(store, procfs, clock, binaries, tally);
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
    return store.size();
  }

  public Counters counters() {
    return tally.snapshot(store.size(), store.liveCount());
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
    updates.scannedAt(monoNs);
    return startupScan.run(monoNs);
  }

  // ---------------------------------------------------------------- events

  /** Updates the table with one event (in the order read from the device). */
  public void apply(Event event) {
    Header h = event.header();
    long t = h.monoNs();
    store.advance(t);
    switch (event) {
      case ForkEvent f -> updates.onFork(f, h, t);
      case ExecEvent x -> updates.onExec(x, h, t);
      case ExitEvent x -> updates.onExit(x, h, t);
      // rule matches and attempts on the module: the acting process, created if unknown
      case DecisionEvent _, CallEvent _, TamperEvent _ -> resolver.resolve(h.tgid(), h.ppid(), t);
    }
    store.expire();
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
    Image im = store.imageAt(tgid, monoNs);
    return im == null ? Optional.empty() : view(im);
  }

  /** The exec id of the image {@code tgid} ran at {@code monoNs}, without building a view. */
  public Optional<String> execId(long tgid, long monoNs) {
    Image im = store.imageAt(tgid, monoNs);
    return im == null ? Optional.empty() : Optional.of(im.execId(bootPrefix));
  }

  /**
   * The view of {@code im}: the one kept with a live image while it still tells its state, parent
   * and ancestors (an image's other parts never change), else a new one, kept if the image is live
   * ({@link ImageStore#end} drops it).
   */
  private Optional<ProcessView> view(Image im) {
    Optional<ProcessView> kept = im.view;
    if (kept != null && fits(kept.get(), im)) {
      return kept;
    }
    Optional<ProcessView> v = Optional.of(newView(im));
    im.view = im.state == State.LIVE ? v : null;
    return v;
  }

  /** Whether {@code v} still tells {@code im}'s state, parent and ancestors (by identity). */
  private boolean fits(ProcessView v, Image im) {
    if (v.state() != im.state) {
      return false;
    }
    Optional<String> parentId = v.parentExecId();
    if (im.parent == null
        ? parentId.isPresent()
        : parentId.isEmpty() || parentId.get() != im.parent.execId(bootPrefix)) {
      return false;
    }
    List<Ancestor> a = v.ancestors();
    int depth = config.ancestorDepth();
    int n = 0;
    for (Image p = im.parent; p != null && n < depth; p = p.parent, n++) {
      if (n >= a.size() || a.get(n) != p.asAncestor(bootPrefix)) {
        return false;
      }
    }
    return n == a.size();
  }

  private ProcessView newView(Image im) {
    int depth = config.ancestorDepth();
    int n = 0;
    for (Image p = im.parent; p != null && n < depth; p = p.parent) {
      n++;
    }
    Ancestor[] ancestors = new Ancestor[n];
    Image p = im.parent;
    for (int i = 0; i < n; i++, p = p.parent) {
      ancestors[i] = p.asAncestor(bootPrefix);
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
        List.of(ancestors));
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
    store.advance(nowMonoNs);
    store.expire();
    int ended = 0;
    for (int checked = 0; checked < budget; checked++) {
      Image im = store.unseenLive();
      if (im == null) {
        break;
      }
      Optional<ProcStat> st = procfs.stat(im.tgid);
      boolean gone =
          st.isEmpty() || im.startTicks >= 0 && !im.sameProcessStartedAt(st.get().startTicks());
      if (gone) {
        store.end(im, store.now(), State.EXITED);
        tally.reconciled++;
        ended++;
      } else {
        store.touch(im);
      }
    }
    return ended;
  }
}
