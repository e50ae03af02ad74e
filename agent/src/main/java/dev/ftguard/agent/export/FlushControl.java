package dev.ftguard.agent.export;

import java.util.function.LongSupplier;

/** A sink's bookkeeping of its {@link FlushPolicy}: whether the pending lines must go out now. */
final class FlushControl {
  private final int maxLines;
  private final long maxDelayNs;
  private final LongSupplier nanoClock;
  private int pending;
  private long oldestNs;

  FlushControl(FlushPolicy policy, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    switch (policy) {
      case FlushPolicy.EveryLine _ -> {
        maxLines = 1;
        maxDelayNs = 0;
      }
      case FlushPolicy.Batched b -> {
        maxLines = b.maxLines();
        maxDelayNs = b.maxDelay().toNanos();
      }
    }
  }

  /** A line was buffered; true when the buffer must be written out now. */
  boolean lineBuffered() {
    if (++pending >= maxLines) {
      return true;
    }
    long now = nanoClock.getAsLong();
    if (pending == 1) {
      oldestNs = now;
      return false;
    }
    return now - oldestNs >= maxDelayNs;
  }

  /** The buffer was written out. */
  void flushed() {
    pending = 0;
  }
}
