package dev.ftguard.agent.process;

import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.agent.process.ProcessView.Origin;
import dev.ftguard.agent.process.ProcessView.State;

/**
 * What fork, exec and exit events do to the {@link ProcessTable}: a fork makes the child an image
 * with the parent's binary and arguments (or only links the parent when the child's own events came
 * first), a successful exec replaces the image with a new one, the exit of the last thread ends it.
 */
final class EventUpdates {
  private final ImageStore store;
  private final Resolver resolver;
  private final BootClock clock;
  private final String bootPrefix;
  private final Interner binaries;
  private final Tally tally;

  /** When the start-up scan read {@code /proc}; Long.MIN_VALUE before any scan. */
  private long scanMono = Long.MIN_VALUE;

  EventUpdates(
      ImageStore store, Resolver resolver, BootClock clock, Interner binaries, Tally tally) {
    this.store = store;
    this.resolver = resolver;
    this.clock = clock;
    this.bootPrefix = clock.bootPrefix();
    this.binaries = binaries;
    this.tally = tally;
  }

  /** Records that the start-up scan read {@code /proc} at {@code monoNs}. */
  void scannedAt(long monoNs) {
    scanMono = monoNs;
  }

  void onFork(ForkEvent f, Header h, long t) {
    Image parent = resolver.resolve(h.tgid(), h.ppid(), t);
    if (f.isThread() || f.childPid() <= 0) {
      return;
    }
    int child = f.childPid();
    long ticks = clock.ticksOfMono(t);
    Image head = store.newest(child);
    if (head != null && isSameProcess(head, ticks, t)) {
      // the child's own events came first and created it: give it its parent
      for (Image im = head; im != null && isSameProcess(im, ticks, t); im = im.older) {
        if (im.parent == null && im != parent && parent.inTable()) {
          im.parent = parent;
          store.addRef(parent);
        }
      }
      return;
    }
    if (head != null && head.state == State.LIVE) {
      store.end(head, t, State.EXITED); // its exit was lost: the pid is in use again
      tally.staleEnded++;
    }
    Image im =
        new Image(child, parent.tgid, ticks, t, t, 0, Origin.FORK, parent.binary, parent.argv);
    store.insert(im, parent);
  }

  /**
   * Whether {@code im} is an image of the process a fork at {@code t} ({@code ticks}) made: same
   * start, or (start unknown) first seen after the fork; and not exited before it.
   */
  private static boolean isSameProcess(Image im, long ticks, long t) {
    boolean alive = im.state != State.EXITED || im.endMono >= t;
    return alive && (im.startTicks < 0 ? im.seenMono >= t : im.sameProcessStartedAt(ticks));
  }

  void onExec(ExecEvent x, Header h, long t) {
    if (x.result() != 0) {
      resolver.resolve(h.tgid(), h.ppid(), t);
      return;
    }
    Image cur = store.imageAt(h.tgid(), t);
    if (cur == null) {
      resolver.resolveExeced(h.tgid(), h.ppid(), t, x.filename(), x.argv());
      return;
    }
    if (cur.origin == Origin.SCAN && t < scanMono) {
      store.touch(cur); // the scan read the process after this exec
      return;
    }
    if (cur != store.newest(h.tgid()) || cur.state != State.LIVE) {
      tally.outOfOrder++; // a newer image exists, or the process exited before: cannot place it
      return;
    }
    Image parent = cur.parent;
    if (parent == null && h.ppid() > 0) {
      parent = store.imageAt(h.ppid(), t);
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
    store.end(cur, t, State.REPLACED);
    store.insert(im, parent);
  }

  void onExit(ExitEvent x, Header h, long t) {
    Image im = resolver.resolve(h.tgid(), h.ppid(), t);
    if (!x.groupDead()) {
      return;
    }
    if (im.state == State.LIVE) {
      store.end(im, t, State.EXITED);
    } else {
      tally.outOfOrder++;
    }
  }
}
