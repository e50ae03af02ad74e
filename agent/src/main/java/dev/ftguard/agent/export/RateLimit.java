package dev.ftguard.agent.export;

import java.util.Objects;
import java.util.Set;

/**
 * The export rate limit: a token bucket that holds up to {@code burst} tokens and gains {@code
 * perSecond} tokens a second; each exported event takes one, and an event that finds the bucket
 * empty is dropped (and counted, reason {@code rate_limited}). Stream notices are never limited;
 * {@code exempt} names event types that are not limited either (e.g. {@code decision}, so that a
 * storm of {@code exec} events cannot crowd out policy decisions).
 *
 * @param perSecond sustained events per second, more than 0 and at most {@value #MAX_RATE}
 * @param burst events let through at once after a quiet period, 1 to {@value #MAX_BURST}
 * @param exempt event types ({@link ExportRecord#EVENT_TYPES}) the limit does not apply to
 */
public record RateLimit(double perSecond, long burst, Set<String> exempt) {
  /** The largest {@link #perSecond()}. */
  public static final double MAX_RATE = 1e9;

  /** The largest {@link #burst()}. */
  public static final long MAX_BURST = 1_000_000_000L;

  public RateLimit {
    if (!(perSecond > 0) || perSecond > MAX_RATE) {
      throw new ExportConfigException.OutOfRange(
          "rate.per_second",
          "export rate limit",
          Double.toString(perSecond) + " events/s",
          "a rate above 0 and at most " + (long) MAX_RATE + " events/s");
    }
    if (burst < 1 || burst > MAX_BURST) {
      throw new ExportConfigException.OutOfRange(
          "rate.burst",
          "export rate limit burst",
          Long.toString(burst),
          "1 to " + MAX_BURST + " events (e.g. the rate times a few seconds)");
    }
    exempt = Set.copyOf(Objects.requireNonNull(exempt, "exempt"));
    for (String t : exempt) {
      if (!ExportRecord.EVENT_TYPES.contains(t)) {
        throw new ExportConfigException.UnknownType("rate.exempt", t, ExportRecord.EVENT_TYPES);
      }
    }
  }

  /** A limit that applies to every event type. */
  public static RateLimit of(double perSecond, long burst) {
    return new RateLimit(perSecond, burst, Set.of());
  }
}
