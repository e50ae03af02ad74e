package dev.ftguard.agent.enrich;

import dev.ftguard.nativeio.Users;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * User and group names by id, through the C library ({@link Users}) so that every NSS source
 * answers, cached in two bounded caches.
 *
 * <p>A name not cached is looked up on a separate thread, and the caller waits for it at most
 * {@link Config#maxWait}: a directory service that hangs delays one event of that id by that much,
 * and later events of the id not at all (they get no name until the answer arrives). Answers are
 * kept for {@link Config#ttl}; failed lookups for {@link Config#failureTtl}.
 *
 * <p>Meant for one calling thread (the event pump).
 */
public final class NameCache implements AutoCloseable {
  /** Looks up the name of an id; empty when there is none. */
  @FunctionalInterface
  public interface Resolver {
    Optional<String> name(long id) throws Exception;
  }

  /**
   * @param maxEntries names kept per cache (users, groups)
   * @param maxWait longest wait for a lookup not cached
   * @param ttl how long an answer is kept
   * @param failureTtl how long a failed lookup is remembered before it is tried again
   */
  public record Config(int maxEntries, Duration maxWait, Duration ttl, Duration failureTtl) {
    /** 4096 names, 100 ms, 10 min, 30 s. */
    public static Config defaults() {
      return new Config(
          4096, Duration.ofMillis(100), Duration.ofMinutes(10), Duration.ofSeconds(30));
    }

    public Config withMaxWait(Duration d) {
      return new Config(maxEntries, d, ttl, failureTtl);
    }
  }

  /** A name, looked up or being looked up, and until when it is kept. */
  private static final class Entry {
    final CompletableFuture<Optional<String>> name = new CompletableFuture<>();
    volatile long expires;

    Entry(long expires) {
      this.expires = expires;
    }
  }

  private final Config config;
  private final Resolver users;
  private final Resolver groups;
  private final Executor executor;
  private final ExecutorService owned;
  private final LongSupplier nanoTime;
  private final LruCache<Long, Entry> userCache;
  private final LruCache<Long, Entry> groupCache;

  /**
   * @param executor runs the lookups
   * @param nanoTime the clock for expiry ({@code System::nanoTime})
   */
  public NameCache(
      Config config, Resolver users, Resolver groups, Executor executor, LongSupplier nanoTime) {
    this.config = config;
    this.users = users;
    this.groups = groups;
    this.executor = executor;
    this.owned = executor instanceof ExecutorService s ? s : null;
    this.nanoTime = nanoTime;
    this.userCache = new LruCache<>(config.maxEntries());
    this.groupCache = new LruCache<>(config.maxEntries());
  }

  /** Names from the C library, looked up on one daemon thread. */
  public static NameCache create(Config config) {
    ExecutorService pool =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "ftguard-names");
              t.setDaemon(true);
              return t;
            });
    return new NameCache(config, Users::userName, Users::groupName, pool, System::nanoTime);
  }

  /** The name of user {@code uid}; empty when it has none, or not known yet. */
  public Optional<String> user(long uid) {
    return name(userCache, users, uid);
  }

  /** The name of group {@code gid}; empty when it has none, or not known yet. */
  public Optional<String> group(long gid) {
    return name(groupCache, groups, gid);
  }

  private Optional<String> name(LruCache<Long, Entry> cache, Resolver resolver, long id) {
    long now = nanoTime.getAsLong();
    Entry e = cache.get(id);
    if (e != null && now - e.expires < 0) {
      return e.name.getNow(Optional.empty());
    }
    Entry entry = new Entry(now + config.failureTtl().toNanos());
    CompletableFuture<Optional<String>> f = entry.name;
    cache.put(id, entry);
    long ttl = config.ttl().toNanos();
    try {
      executor.execute(
          () -> {
            try {
              Optional<String> name = resolver.name(id);
              entry.expires = nanoTime.getAsLong() + ttl;
              f.complete(name);
            } catch (Exception | Error x) {
              f.complete(Optional.empty()); // remembered for failureTtl, then tried again
            }
          });
    } catch (RejectedExecutionException x) {
      cache.remove(id);
      return Optional.empty();
    }
    try {
      return f.get(config.maxWait().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException x) {
      return Optional.empty(); // later events of this id get it when it arrives
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException x) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.shutdownNow();
    }
  }
}
