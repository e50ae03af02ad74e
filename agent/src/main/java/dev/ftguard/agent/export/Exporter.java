package dev.ftguard.agent.export;

import java.io.Closeable;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The export stage: for each record, the {@link ExportFilter}, then the {@link RateLimiter}, then
 * one serialization of the JSON and a write to every {@link Sink}. Stream notices ({@code drop},
 * {@code policy_reload}) skip the filter and the limit. Records not written are counted by {@link
 * ExportDropReason} and reported to the {@link ExportListener}.
 *
 * <p>{@link #export}, {@link #flush} and {@link #close} are called from one thread (the event
 * pump); {@link #stats()} may be called from any.
 */
public final class Exporter implements Closeable {
  private final ExportFilter filter;
  private final Optional<RateLimiter> limiter;
  private final List<Sink> sinks;
  private final ExportListener listener;
  private final AtomicLongArray dropped = new AtomicLongArray(ExportDropReason.values().length);
  private final AtomicLong exported = new AtomicLong();

  /**
   * @param filter which events go out ({@link ExportFilter#ALL}: all)
   * @param limiter the rate limit, if any
   * @param sinks where the lines go, in this order (at least one)
   * @param listener told about every drop ({@link ExportListener#NONE})
   */
  public Exporter(
      ExportFilter filter,
      Optional<RateLimiter> limiter,
      List<? extends Sink> sinks,
      ExportListener listener) {
    this.filter = Objects.requireNonNull(filter, "filter");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.sinks = List.copyOf(sinks);
    this.listener = Objects.requireNonNull(listener, "listener");
    if (this.sinks.isEmpty()) {
      throw new IllegalArgumentException("an exporter needs at least one sink");
    }
  }

  /**
   * Filters, rate-limits and writes one record.
   *
   * @return whether it was written
   * @throws IOException a sink failed; the line was still offered to every other sink, and the
   *     later failures are attached as suppressed exceptions
   */
  public boolean export(ExportRecord record) throws IOException {
    if (!record.notice()) {
      Optional<ExportDropReason> reason = filter.reject(record);
      if (reason.isEmpty()
          && limiter.isPresent()
          && !limiter.get().exempt(record.type())
          && !limiter.get().tryAcquire()) {
        reason = ExportDropReason.RATE_LIMITED.asOptional();
      }
      if (reason.isPresent()) {
        dropped.incrementAndGet(reason.get().ordinal());
        listener.dropped(reason.get(), record);
        return false;
      }
    }
    String line = record.line();
    IOException failure = null;
    for (Sink sink : sinks) {
      try {
        sink.write(record, line);
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    exported.incrementAndGet();
    if (failure != null) {
      throw failure;
    }
    return true;
  }

  /** Flushes every sink (call after each batch read from the device). */
  public void flush() throws IOException {
    each(Sink::flush);
  }

  /** The counters. */
  public ExportStats stats() {
    Map<ExportDropReason, Long> d = new EnumMap<>(ExportDropReason.class);
    for (ExportDropReason r : ExportDropReason.values()) {
      d.put(r, dropped.get(r.ordinal()));
    }
    return new ExportStats(exported.get(), d);
  }

  /** Closes every sink (each is flushed; the files are synced). */
  @Override
  public void close() throws IOException {
    each(Sink::close);
  }

  private interface SinkAction {
    void apply(Sink s) throws IOException;
  }

  private void each(SinkAction action) throws IOException {
    IOException failure = null;
    for (Sink sink : sinks) {
      try {
        action.apply(sink);
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
