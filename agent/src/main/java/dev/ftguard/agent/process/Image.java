package dev.ftguard.agent.process;

import dev.ftguard.agent.process.ProcessView.Origin;
import dev.ftguard.agent.process.ProcessView.State;
import java.util.List;
import java.util.Optional;

/**
 * One process image in the {@link ProcessTable}: mutable, confined to the table's thread.
 *
 * <p>Each image sits in exactly one of the table's three lists ({@link #list}) while it is in the
 * table, linked through {@link #prev}/{@link #next}; images of the same process id are chained
 * newest first through {@link #older}.
 */
final class Image {
  static final byte NOT_LISTED = 0;
  static final byte LIVE_LIST = 1;
  static final byte REFERENCED_LIST = 2;
  static final byte RELEASED_LIST = 3;

  final int tgid;
  final int ppid;

  /** Start in clock ticks since boot, -1 unknown. */
  final long startTicks;

  /** CLOCK_MONOTONIC time from which events of this tgid belong to this image. */
  final long startMono;

  /** CLOCK_MONOTONIC time of the event (or scan) that created it. */
  final long seenMono;

  final int gen;
  final Origin origin;
  final String binary;
  final List<String> argv;

  /** Set at creation for placeholders, else built on first use. */
  String execId;

  /** This image as an ancestor of others, built on first use (its parts never change). */
  private Ancestor asAncestor;

  /** The last view of this live image ({@link ProcessTable#lookup}); null when none or ended. */
  Optional<ProcessView> view;

  Image parent;
  Image older;
  Image newer;

  /** Images in the table whose {@link #parent} this is. */
  int refs;

  State state = State.LIVE;

  /** When the image ended (exit or exec); valid unless live. */
  long endMono;

  /** Position in its list: last touch (live) or when it entered the list (others). */
  long stamp;

  byte list = NOT_LISTED;
  Image prev;
  Image next;

  Image(
      int tgid,
      int ppid,
      long startTicks,
      long startMono,
      long seenMono,
      int gen,
      Origin origin,
      String binary,
      List<String> argv) {
    this.tgid = tgid;
    this.ppid = ppid;
    this.startTicks = startTicks;
    this.startMono = startMono;
    this.seenMono = seenMono;
    this.gen = gen;
    this.origin = origin;
    this.binary = binary;
    this.argv = argv;
  }

  boolean inTable() {
    return list != NOT_LISTED;
  }

  /** The exec id, built once. */
  String execId(String bootPrefix) {
    String id = execId;
    if (id == null) {
      id = ExecIds.of(bootPrefix, tgid, startTicks, gen);
      execId = id;
    }
    return id;
  }

  /** This image as an ancestor of others, built once. */
  Ancestor asAncestor(String bootPrefix) {
    Ancestor a = asAncestor;
    if (a == null) {
      a = new Ancestor(binary, tgid, argv, execId(bootPrefix));
      asAncestor = a;
    }
    return a;
  }

  /** Whether this is an image of the process that started at {@code ticks} (±1 tick). */
  boolean sameProcessStartedAt(long ticks) {
    return startTicks >= 0 && Math.abs(startTicks - ticks) <= 1;
  }
}
