package dev.ftguard.agent.process;

import dev.ftguard.agent.process.ProcessView.State;

/**
 * The images a {@link ProcessTable} holds and its bounds: the chain of images of each process id
 * (newest first), the three lists an image sits in (live, ended and named as parent, ended and
 * named by nobody), the event clock, and the policy that keeps the table within {@link
 * ProcessTable.Config#maxEntries} images and a grace period.
 *
 * <p>Bounds. An ended image stays while an image in the table names it as parent, then for a grace
 * period of event time. When full, the store evicts first ended images nobody names as parent
 * (oldest first), then ended images still named as parent, then live images least recently seen; an
 * evicted image's link to its own parent is cut.
 */
final class ImageStore {
  private final int maxEntries;
  private final long graceNs;
  private final Tally tally;
  private final TgidMap byTgid;
  private final ImageList live = new ImageList(Image.LIVE_LIST);
  private final ImageList referenced = new ImageList(Image.REFERENCED_LIST);
  private final ImageList released = new ImageList(Image.RELEASED_LIST);

  /** Latest event time seen (CLOCK_MONOTONIC ns). */
  private long now = Long.MIN_VALUE;

  ImageStore(ProcessTable.Config config, Tally tally) {
    this.maxEntries = config.maxEntries();
    this.graceNs = config.grace().toNanos();
    this.tally = tally;
    this.byTgid = new TgidMap(Math.min(config.maxEntries(), 1 << 16));
  }

  /** Images held (live and ended). */
  int size() {
    return live.size + referenced.size + released.size;
  }

  int liveCount() {
    return live.size;
  }

  long now() {
    return now;
  }

  /** Moves the event clock to {@code t} if that is later. */
  void advance(long t) {
    if (t > now) {
      now = t;
    }
  }

  // ---------------------------------------------------------------- chains

  /** The newest image of process id {@code tgid}, or null. */
  Image newest(long tgid) {
    return byTgid.get(tgid);
  }

  /**
   * The image process {@code tgid} ran at {@code t}: the newest image of that process id started by
   * then, unless it had exited before.
   */
  Image imageAt(long tgid, long t) {
    Image im = newestStartedBy(tgid, t);
    if (im != null && im.state == State.EXITED && im.endMono < t) {
      return null; // that process had exited: the event is from a later one with the same pid
    }
    return im;
  }

  /** The newest image of {@code tgid} that started by {@code t}, exited or not. */
  Image newestStartedBy(long tgid, long t) {
    Image im = byTgid.get(tgid);
    while (im != null && im.startMono > t) {
      im = im.older;
    }
    return im;
  }

  /**
   * Adds a new image with {@code parent} (may be null) to the chain of its process id, which is
   * ordered by start, newest first; then evicts while the table holds too many images.
   */
  void insert(Image im, Image parent) {
    if (parent != null && parent.inTable()) {
      im.parent = parent;
      addRef(parent);
    }
    chain(im);
    live.append(im, now);
    while (size() > maxEntries) {
      evictOne();
    }
  }

  /** Links {@code im} into the chain of its process id, by start, newest first. */
  private void chain(Image im) {
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

  // ---------------------------------------------------------------- lists

  /** Records that an image in the table now names {@code p} as parent. */
  void addRef(Image p) {
    p.refs++;
    if (p.list == Image.RELEASED_LIST) {
      released.remove(p);
      referenced.append(p, now);
    }
  }

  /** Marks a live image seen now (least recently seen live images are evicted first). */
  void touch(Image im) {
    if (im.list == Image.LIVE_LIST) {
      live.moveToTail(im, now);
    }
  }

  /** Ends {@code im} at {@code t} (exit or exec). */
  void end(Image im, long t, State state) {
    im.state = state;
    im.endMono = t;
    im.view = null; // kept for live images only
    if (im.list == Image.LIVE_LIST) {
      live.remove(im);
      if (im.refs > 0) {
        referenced.append(im, now);
      } else {
        released.append(im, now);
      }
    }
  }

  /** The live image least recently seen, if not seen for a grace period; else null. */
  Image unseenLive() {
    Image im = live.head;
    return im == null || im.stamp > minus(now, graceNs) ? null : im;
  }

  // ---------------------------------------------------------------- bounds

  private static long minus(long a, long b) {
    long r = a - b;
    return r > a ? Long.MIN_VALUE : r;
  }

  /** Removes the ended images nobody names as parent whose grace period is over. */
  void expire() {
    long limit = minus(now, graceNs);
    for (Image im = released.head; im != null && im.stamp <= limit; im = released.head) {
      remove(im);
      tally.expired++;
    }
  }

  private void evictOne() {
    if (released.head != null) {
      remove(released.head);
      tally.evictedEnded++;
    } else if (referenced.head != null) {
      remove(referenced.head);
      tally.evictedEnded++;
    } else {
      remove(live.head);
      tally.evictedLive++;
    }
  }

  /**
   * Takes an image out of the table; descendants that name it keep it, without its parent. A parent
   * nobody names any more is released, or removed as well when it ended more than a grace period
   * ago (and so on up the chain).
   */
  private void remove(Image first) {
    for (Image im = first; im != null; ) {
      unlist(im);
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
          tally.expired++;
        } else {
          referenced.remove(parent);
          released.append(parent, now);
        }
      }
    }
  }

  /** Takes {@code im} off the list it sits in. */
  private void unlist(Image im) {
    switch (im.list) {
      case Image.LIVE_LIST -> live.remove(im);
      case Image.REFERENCED_LIST -> referenced.remove(im);
      case Image.RELEASED_LIST -> released.remove(im);
      default -> throw new IllegalStateException("image not in the table");
    }
  }
}
