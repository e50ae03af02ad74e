package dev.ftguard.agent.export;

import java.time.Duration;
import java.util.Objects;

/**
 * When a sink hands its buffered lines to the operating system. Whatever the policy, a sink also
 * flushes when {@link Sink#flush()} is called (the event pump does so after every batch it reads
 * from the device), before a file is rotated, and when it is closed; and it only ever writes whole
 * lines.
 */
public sealed interface FlushPolicy {
  /** Every line is written out as soon as it is written: lowest latency, one system call each. */
  record EveryLine() implements FlushPolicy {}

  /**
   * Lines are buffered and written out once {@code maxLines} are pending, or once the oldest
   * pending line is {@code maxDelay} old (checked when a line is written; an idle stream is flushed
   * by the caller's {@link Sink#flush()}).
   *
   * @param maxLines 1 to {@value #MAX_LINES}
   * @param maxDelay more than zero, at most {@link #MAX_DELAY}
   */
  record Batched(int maxLines, Duration maxDelay) implements FlushPolicy {
    /** The largest {@code maxLines}. */
    public static final int MAX_LINES = 1_000_000;

    /** The longest {@code maxDelay}. */
    public static final Duration MAX_DELAY = Duration.ofMinutes(1);

    public Batched {
      Objects.requireNonNull(maxDelay, "maxDelay");
      if (maxLines < 1 || maxLines > MAX_LINES) {
        throw new ExportConfigException.OutOfRange(
            "flush.max_lines",
            "batch size",
            Integer.toString(maxLines),
            "1 to " + MAX_LINES + " lines");
      }
      if (maxDelay.isNegative() || maxDelay.isZero() || maxDelay.compareTo(MAX_DELAY) > 0) {
        throw new ExportConfigException.OutOfRange(
            "flush.max_delay",
            "batch delay",
            maxDelay.toString(),
            "more than 0 and at most " + MAX_DELAY.toSeconds() + " s");
      }
    }
  }

  /** {@link EveryLine}. */
  static FlushPolicy everyLine() {
    return new EveryLine();
  }

  /** {@link Batched}. */
  static FlushPolicy batched(int maxLines, Duration maxDelay) {
    return new Batched(maxLines, maxDelay);
  }
}
