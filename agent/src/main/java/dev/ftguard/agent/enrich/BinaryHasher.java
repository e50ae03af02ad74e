package dev.ftguard.agent.enrich;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SHA-256 of binaries, computed off the event thread and cached by {@link FileKey} (device, inode,
 * change time).
 *
 * <p>The event thread only looks: {@link #open} takes the file's key with one {@code stat} (of
 * {@code /proc/PID/exe}, which leads to the process's binary even when it was deleted or lives in
 * another mount namespace) and answers from the cache, or queues the hashing on a bounded executor
 * and answers {@link BinaryHash#PENDING}; {@link #current} tells later how it went. One job per key
 * reads the file, whichever process asked first; if that process has gone, the job tries the paths
 * of the others that asked for the same key. Files above {@link Config#maxFileBytes} are not read.
 * When the queue is full nothing is dropped for good: the next {@link #current} of that binary
 * queues it again.
 *
 * <p>Thread-safe.
 */
public final class BinaryHasher implements AutoCloseable {
  /**
   * @param maxFileBytes larger files are not hashed ({@link BinaryHash.TooLarge})
   * @param cacheEntries hashes kept (least recently used dropped)
   * @param threads threads hashing
   * @param queueCapacity binaries waiting to be hashed, at most
   */
  public record Config(long maxFileBytes, int cacheEntries, int threads, int queueCapacity) {
    public Config {
      if (maxFileBytes < 0 || cacheEntries < 1 || threads < 1 || queueCapacity < 1) {
        throw new IllegalArgumentException("bad hasher configuration: " + this);
      }
    }

    /** 64 MiB per file, 4096 hashes, one thread, 1024 queued. */
    public static Config defaults() {
      return new Config(64L << 20, 4096, 1, 1024);
    }
  }

  /**
   * One process image's binary, as asked about: its key and path, and the answer so far. Made by
   * {@link #open}; kept by the caller for that image.
   */
  public static final class Slot {
    private final FileKey key;

    /** The path asked about: a {@code Path} only if a job reads it. */
    private final String path;

    private volatile BinaryHash state;

    /** A job holds this slot (or the answer is final). */
    private volatile boolean queued;

    private Slot(FileKey key, String path, BinaryHash state) {
      this.key = key;
      this.path = path;
      this.state = state;
      this.queued = !(state instanceof BinaryHash.Pending);
    }

    /** The binary's key, null when it could not be read. */
    public FileKey key() {
      return key;
    }
  }

  private final Config config;
  private final Executor executor;
  private final ExecutorService owned;
  private final LruCache<FileKey, BinaryHash> cache;
  private final ConcurrentHashMap<FileKey, Job> inflight = new ConcurrentHashMap<>();
  private final AtomicInteger hashed = new AtomicInteger();

  /** A hasher running its jobs on {@code executor} (which may refuse them). */
  public BinaryHasher(Config config, Executor executor) {
    this.config = config;
    this.executor = executor;
    this.owned = executor instanceof ExecutorService s ? s : null;
    this.cache = new LruCache<>(config.cacheEntries());
  }

  /** A hasher with its own pool: {@code threads} daemon threads, a bounded queue. */
  public static BinaryHasher create(Config config) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            config.threads(),
            config.threads(),
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(config.queueCapacity()),
            r -> {
              Thread t = new Thread(r, "ftguard-hash-" + n.incrementAndGet());
              t.setDaemon(true);
              t.setPriority(Thread.MIN_PRIORITY);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return new BinaryHasher(config, pool);
  }

  public Config config() {
    return config;
  }

  /**
   * Starts on the binary {@code path} leads to (typically {@code /proc/PID/exe}): takes its key
   * now, answers from the cache or queues it. Never blocks on the file's content.
   */
  public Slot open(Path path) {
    return open(path.toString());
  }

  /** {@link #open(Path)} of a path given as a string (no {@code Path} made unless read). */
  public Slot open(String path) {
    FileKey.Stat st;
    try {
      st = FileKey.stat(path);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return new Slot(null, path, new BinaryHash.Unavailable(reason(e)));
    }
    return open(path, st);
  }

  /**
   * {@link #open(String)} of a binary whose key and size are known ({@link FileKey#of}, from its
   * exec record): no system call unless the content must be read, and then only if {@code path}
   * still leads to that file.
   */
  Slot open(String path, FileKey.Stat st) {
    if (st.size() > config.maxFileBytes()) {
      return new Slot(st.key(), path, new BinaryHash.TooLarge(st.size(), config.maxFileBytes()));
    }
    BinaryHash known = cached(st.key());
    if (known != null) {
      return new Slot(st.key(), path, known);
    }
    Slot slot = new Slot(st.key(), path, BinaryHash.PENDING);
    enqueue(slot);
    return slot;
  }

  /** The answer for {@code slot} now; queues it again if the queue had no room. */
  public BinaryHash current(Slot slot) {
    BinaryHash s = slot.state;
    if (!(s instanceof BinaryHash.Pending)) {
      return s;
    }
    BinaryHash known = cached(slot.key);
    if (known != null) {
      slot.state = known;
      slot.queued = true;
      return known;
    }
    if (!slot.queued) {
      enqueue(slot);
    }
    return slot.state;
  }

  /** Hashes computed since this hasher was made. */
  public int hashedCount() {
    return hashed.get();
  }

  /** Hashes in the cache now. */
  public int cachedCount() {
    synchronized (cache) {
      return cache.size();
    }
  }

  private BinaryHash cached(FileKey key) {
    synchronized (cache) {
      return cache.get(key);
    }
  }

  private void enqueue(Slot slot) {
    while (true) {
      Job job = inflight.get(slot.key);
      if (job != null) {
        if (job.join(slot)) {
          return;
        }
        // that job just finished: its answer is cached, or it failed for its paths
        BinaryHash known = cached(slot.key);
        if (known != null) {
          slot.state = known;
          slot.queued = true;
          return;
        }
        inflight.remove(slot.key, job);
        continue;
      }
      Job fresh = new Job(slot.key);
      fresh.join(slot);
      if (inflight.putIfAbsent(slot.key, fresh) != null) {
        continue;
      }
      try {
        executor.execute(fresh);
      } catch (RejectedExecutionException e) {
        inflight.remove(slot.key, fresh);
        fresh.abandon(); // every slot it held is asked again on its next event
      }
      return;
    }
  }

  /** Hashes one key's file for every slot that asked. */
  private final class Job implements Runnable {
    private final FileKey key;
    private final List<Slot> waiters = new ArrayList<>(2);
    private boolean done;

    Job(FileKey key) {
      this.key = key;
    }

    synchronized boolean join(Slot slot) {
      if (done) {
        return false;
      }
      waiters.add(slot);
      slot.queued = true;
      return true;
    }

    synchronized void abandon() {
      done = true;
      for (Slot s : waiters) {
        s.queued = false;
      }
    }

    @Override
    public void run() {
      BinaryHash result = null;
      String failure = "no path to the binary";
      for (int i = 0; result == null; i++) {
        Slot s;
        synchronized (this) {
          if (i >= waiters.size()) {
            break;
          }
          s = waiters.get(i);
        }
        try {
          result = hash(Path.of(s.path), key);
          if (result == null) {
            failure = "replaced before it was read";
          }
        } catch (IOException | SecurityException e) {
          failure = reason(e);
        }
      }
      if (result == null) {
        result = new BinaryHash.Unavailable(failure);
      } else {
        synchronized (cache) {
          cache.put(key, result);
        }
        hashed.incrementAndGet();
      }
      List<Slot> ws;
      synchronized (this) {
        done = true;
        ws = List.copyOf(waiters);
      }
      inflight.remove(key, this);
      for (Slot s : ws) {
        s.state = result;
      }
    }
  }

  /**
   * SHA-256 of the file {@code path} leads to, if it is (before and after reading) the file of
   * {@code key}; null when it is another one now.
   */
  private BinaryHash hash(Path path, FileKey key) throws IOException {
    if (!FileKey.stat(path).key().equals(key)) {
      return null;
    }
    MessageDigest sha = sha256();
    long total = 0;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (ch.read(buf) >= 0) {
        buf.flip();
        total += buf.remaining();
        if (total > config.maxFileBytes()) {
          return new BinaryHash.TooLarge(total, config.maxFileBytes());
        }
        sha.update(buf);
        buf.clear();
      }
    }
    if (!FileKey.stat(path).key().equals(key)) {
      return null;
    }
    return new BinaryHash.Hashed(HexFormat.of().formatHex(sha.digest()), total);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  /** A short reason for a failed read. */
  static String reason(Exception e) {
    return switch (e) {
      case NoSuchFileException _ -> "gone";
      case AccessDeniedException _ -> "permission denied";
      case FileSystemException f when f.getReason() != null -> f.getReason();
      case SecurityException _ -> "permission denied";
      default ->
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    };
  }

  /** Stops the own pool's threads; queued jobs are dropped. */
  @Override
  public void close() {
    if (owned != null) {
      owned.shutdownNow();
    }
  }
}
