package dev.ftguard.agent.export;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The token bucket of a {@link RateLimit}. The bucket starts full. Time comes from an injectable
 * monotonic nanosecond clock ({@code System::nanoTime} in the daemon).
 */
public final class RateLimiter {
  private static final double NANOS = 1e9;

  private final RateLimit limit;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;
  private long admitted;
  private long limited;

  /** A limiter on the system's monotonic clock. */
  public RateLimiter(RateLimit limit) {
    this(limit, System::nanoTime);
  }

  public RateLimiter(RateLimit limit, LongSupplier nanoClock) {
    this.limit = Objects.requireNonNull(limit, "limit");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.tokens = limit.burst();
    this.last = nanoClock.getAsLong();
  }

  /** The limit. */
  public RateLimit limit() {
    return limit;
  }

  /** Whether records of {@code type} bypass the limit. */
  public boolean exempt(String type) {
    return limit.exempt().contains(type);
  }

  /** Takes a token if there is one: true if the event may go out, false if it is to be dropped. */
  public synchronized boolean tryAcquire() {
    long now = nanoClock.getAsLong();
    long elapsed = now - last;
    if (elapsed > 0) {
      tokens = Math.min(limit.burst(), tokens + elapsed * limit.perSecond() / NANOS);
      last = now;
    }
    // a tiny tolerance: 1/3 s at 3 events/s must give a whole token despite rounding
    if (tokens >= 1 - 1e-9) {
      tokens = Math.max(0, tokens - 1);
      admitted++;
      return true;
    }
    limited++;
    return false;
  }

  /** Tokens taken so far. */
  public synchronized long admitted() {
    return admitted;
  }

  /** Requests refused so far. */
  public synchronized long limited() {
    return limited;
  }
}
