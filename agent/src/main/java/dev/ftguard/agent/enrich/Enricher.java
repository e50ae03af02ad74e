package dev.ftguard.agent.enrich;

import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.agent.process.ProcFs;
import dev.ftguard.agent.process.ProcessTable;
import dev.ftguard.agent.process.ProcessView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Adds to each event what the kernel record does not carry ({@link Enrichment}): the process's
 * lineage from the {@link ProcessTable}, its working directory, cgroup and container, user and
 * group names, and its binary's SHA-256.
 *
 * <p>What it reads from {@code /proc} it reads only while the process image runs, and caches:
 *
 * <ul>
 *   <li>cwd: taken from the exec record, where the kernel put it as the image started; read for
 *       decisions, any other event kind, and an exec whose record has none; fork and exit events
 *       reuse the image's last value unless it is older than {@link Config#cwdMaxAge};
 *   <li>cgroup path and container: by the event's {@code cgroup_id}, read once per cgroup (bounded
 *       cache); the path read is checked against the id (the inode of the cgroup's directory under
 *       {@link Config#cgroupRoot}) so that a process that moved meanwhile does not label its old
 *       cgroup wrongly; a cgroup that could not be read is tried again after {@link
 *       Config#cgroupRetry};
 *   <li>names: {@link NameCache};
 *   <li>hash: {@link BinaryHasher}, keyed per image, so the event thread never reads a binary: an
 *       image's exec record gives its key; an image known otherwise (found at start-up, exec record
 *       lost) has its binary stat-ed once.
 * </ul>
 *
 * <p>Call it on the event thread, after {@link ProcessTable#apply} of the same event. Not
 * thread-safe.
 */
public final class Enricher implements AutoCloseable {
  /**
   * @param imageEntries process images whose cwd and hash state are kept (least recently used
   *     dropped)
   * @param cgroupEntries cgroups kept
   * @param cwdMaxAge fork and exit events read the cwd again when the kept one is older (event
   *     time)
   * @param cgroupRetry a cgroup that could not be read is tried again after this (event time)
   * @param cgroupRoot where the cgroup v2 hierarchy is mounted (it, or its {@code unified}
   *     directory, holds {@code cgroup.controllers}), to check paths against ids; empty or not a
   *     cgroup v2 hierarchy: paths are taken as read
   */
  public record Config(
      int imageEntries,
      int cgroupEntries,
      Duration cwdMaxAge,
      Duration cgroupRetry,
      Optional<Path> cgroupRoot) {
    /** 65,536 images, 4096 cgroups, cwd 1 s, cgroup retry 1 s, {@code /sys/fs/cgroup}. */
    public static Config defaults() {
      return new Config(
          65_536,
          4096,
          Duration.ofSeconds(1),
          Duration.ofSeconds(1),
          Optional.of(Path.of("/sys/fs/cgroup")));
    }

    public Config withCgroupRoot(Optional<Path> root) {
      return new Config(imageEntries, cgroupEntries, cwdMaxAge, cgroupRetry, root);
    }
  }

  /** What is kept per process image. */
  private static final class ImageState {
    Optional<String> cwd = Optional.empty();
    long cwdAt;
    boolean cwdRead;
    BinaryHasher.Slot slot;

    /** The slot's final answer, once it has one (the slot is dropped then). */
    BinaryHash hash;

    ProcessJson json;

    /** The ancestors of this image's children, lent to their first events. */
    ProcessJson childrensAncestors;

    /** Events enriched with this image. */
    int uses;
  }

  /**
   * The event of an image from which its JSON parts are rendered and kept ({@link ProcessJson}):
   * most images see 2 to 4 events (exec, maybe a thread or a decision, exit), and rendering them
   * for the first or second costs more (the kept bytes) than it saves.
   */
  static final int RENDER_AT_USE = 3;

  /** A cgroup by id: its info, or empty and when to try again. */
  private record CgroupEntry(Optional<CgroupInfo> info, long retryAt) {}

  private final ProcessTable table;
  private final ProcFs procfs;
  private final BinaryHasher hasher;
  private final NameCache names;
  private final long cwdMaxAgeNs;
  private final long cgroupRetryNs;
  private final Path cgroupRoot;
  private final LruCache<String, ImageState> images;
  private final LruCache<Long, CgroupEntry> cgroups;
  private final boolean owns;
  private final ProcessJson.Renderer renderer = new ProcessJson.Renderer();

  /**
   * Working directories read lately, by hash (a new one replaces the old): images that read the
   * same directory keep one string and {@code Optional}, not one each.
   */
  @SuppressWarnings("unchecked")
  private final Optional<String>[] cwds = new Optional[256];

  public Enricher(Config config, ProcessTable table, BinaryHasher hasher, NameCache names) {
    this(config, table, hasher, names, false);
  }

  private Enricher(
      Config config, ProcessTable table, BinaryHasher hasher, NameCache names, boolean owns) {
    this.table = table;
    this.procfs = table.procfs();
    this.hasher = hasher;
    this.names = names;
    this.cwdMaxAgeNs = config.cwdMaxAge().toNanos();
    this.cgroupRetryNs = config.cgroupRetry().toNanos();
    this.cgroupRoot = config.cgroupRoot().map(Enricher::cgroup2Root).orElse(null);
    this.images = new LruCache<>(config.imageEntries());
    this.cgroups = new LruCache<>(config.cgroupEntries());
    this.owns = owns;
  }

  /**
   * An enricher for {@code table} with default bounds and its own hasher and name lookups (closed
   * with it).
   */
  public static Enricher create(ProcessTable table) {
    return new Enricher(
        Config.defaults(),
        table,
        BinaryHasher.create(BinaryHasher.Config.defaults()),
        NameCache.create(NameCache.Config.defaults()),
        true);
  }

  /** The enrichment of one event (already applied to the table). */
  public Enrichment enrich(Event event) {
    Header h = event.header();
    long t = h.monoNs();
    Optional<ProcessView> view = table.lookup(h);
    Optional<String> cwd = Optional.empty();
    BinaryHash hash = UNKNOWN;
    ProcessJson json = null;
    if (view.isPresent()) {
      ProcessView v = view.get();
      ImageState img = images.get(v.execId());
      if (img == null) {
        img = new ImageState();
        images.put(v.execId(), img);
      }
      boolean running = v.state() == ProcessView.State.LIVE;
      if (event instanceof ExecEvent x && x.result() == 0) {
        fromExec(x, v, img, t);
      }
      cwd = cwd(event, v, img, running, t);
      hash = hash(v, img, running);
      if (++img.uses >= RENDER_AT_USE) {
        if (img.json == null || !img.json.fits(v)) {
          img.json = renderer.render(v);
        }
        json = img.json;
      } else {
        json = childrensAncestors(v);
      }
    }
    Optional<String> child =
        event instanceof ForkEvent f && !f.isThread()
            ? table.execId(f.childPid(), t)
            : Optional.empty();
    return new Enrichment(
        view,
        child,
        cwd,
        cgroup(h, view, t),
        names.user(h.uid()),
        names.group(h.gid()),
        names.user(h.euid()),
        hash,
        json);
  }

  /**
   * The ancestors of an image in its first events, rendered once for all the children of its parent
   * (kept with the parent's state); null for an image without a known parent.
   */
  private ProcessJson childrensAncestors(ProcessView v) {
    if (v.parentExecId().isEmpty()) {
      return null;
    }
    ImageState parent = images.get(v.parentExecId().get());
    if (parent == null) {
      return null;
    }
    if (parent.childrensAncestors == null || !parent.childrensAncestors.fits(v)) {
      parent.childrensAncestors = renderer.renderAncestors(v);
    }
    return parent.childrensAncestors;
  }

  private static final BinaryHash UNKNOWN = new BinaryHash.Unavailable("process unknown");
  private static final BinaryHash EXITED =
      new BinaryHash.Unavailable("exited before its binary was read");

  /**
   * What the exec record of an image says of it: its working directory and the key of its binary,
   * taken by the kernel as the image started, so nothing is read from {@code /proc} for them.
   */
  private void fromExec(ExecEvent x, ProcessView v, ImageState img, long t) {
    if (x.cwd().isPresent()) {
      img.cwd = shared(x.cwd());
      img.cwdRead = true;
      img.cwdAt = t;
    }
    if (x.file().isPresent() && img.slot == null && img.hash == null) {
      img.slot = hasher.open(procfs.exePath(v.tgid()), FileKey.of(x.file().get()));
    }
  }

  private Optional<String> cwd(
      Event event, ProcessView v, ImageState img, boolean running, long t) {
    if (running) {
      boolean cachedKind =
          event instanceof ForkEvent
              || event instanceof ExitEvent
              || event instanceof ExecEvent x && x.cwd().isPresent();
      if (!cachedKind || !img.cwdRead || t - img.cwdAt > cwdMaxAgeNs) {
        Optional<String> now = procfs.cwd(v.tgid());
        img.cwdRead = true;
        img.cwdAt = t;
        if (now.isPresent()) {
          img.cwd = shared(now);
        }
      }
    }
    return img.cwd;
  }

  private Optional<String> shared(Optional<String> cwd) {
    int slot = cwd.get().hashCode() & (cwds.length - 1);
    Optional<String> known = cwds[slot];
    if (known != null && known.get().equals(cwd.get())) {
      return known;
    }
    cwds[slot] = cwd;
    return cwd;
  }

  private BinaryHash hash(ProcessView v, ImageState img, boolean running) {
    if (img.hash != null) {
      return img.hash;
    }
    if (img.slot == null) {
      if (!running) {
        return EXITED;
      }
      img.slot = hasher.open(procfs.exePath(v.tgid()));
    }
    BinaryHash now = hasher.current(img.slot);
    if (!(now instanceof BinaryHash.Pending)) {
      img.hash = now; // final: what the image keeps is the answer, not the slot and its path
      img.slot = null;
    }
    return now;
  }

  private Optional<CgroupInfo> cgroup(Header h, Optional<ProcessView> view, long t) {
    long id = h.cgroupId();
    if (id == 0) {
      return Optional.empty(); // a kernel without cgroups
    }
    CgroupEntry e = cgroups.get(id);
    if (e == null || e.info().isEmpty() && t - e.retryAt() >= 0) {
      boolean running = view.isPresent() && view.get().state() == ProcessView.State.LIVE;
      CgroupInfo info = running ? readCgroup(h.tgid(), id) : null;
      e = new CgroupEntry(Optional.ofNullable(info), t + cgroupRetryNs);
      cgroups.put(id, e);
    }
    return e.info();
  }

  /**
   * The cgroup v2 hierarchy at or under {@code root} ({@code root/unified} on hosts that mount both
   * versions), null when there is none.
   */
  private static Path cgroup2Root(Path root) {
    for (Path p : new Path[] {root, root.resolve("unified")}) {
      if (Files.isRegularFile(p.resolve("cgroup.controllers"))) {
        return p;
      }
    }
    return null;
  }

  /** The cgroup of process {@code tgid} if it is (still) the one with id {@code id}. */
  private CgroupInfo readCgroup(long tgid, long id) {
    Optional<String> path = procfs.cgroup(tgid);
    if (path.isEmpty()) {
      return null;
    }
    if (cgroupRoot != null) {
      Path dir = cgroupRoot.resolve(path.get().substring(path.get().startsWith("/") ? 1 : 0));
      try {
        Object ino = Files.readAttributes(dir, "unix:ino").get("ino");
        if (!(ino instanceof Long l) || l != id) {
          return null; // moved to another cgroup since the event
        }
      } catch (NoSuchFileException e) {
        return null; // removed since, or the path is not under this root
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        // cannot check: take the path as read
      }
    }
    return CgroupInfo.of(path.get());
  }

  /** Closes the hasher and name lookups if this enricher made them. */
  @Override
  public void close() {
    if (owns) {
      hasher.close();
      names.close();
    }
  }
}
