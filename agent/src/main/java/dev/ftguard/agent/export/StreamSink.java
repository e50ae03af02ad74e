package dev.ftguard.agent.export;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Lines to an output stream: standard output, a pipe. Write errors (a closed pipe: {@code EPIPE})
 * are thrown, not swallowed as {@link java.io.PrintStream} would.
 */
public final class StreamSink implements Sink {
  private static final int BUFFER = 64 * 1024;

  private final OutputStream out;
  private final boolean closeStream;
  private final FlushControl flush;
  private boolean closed;
  private long lines;

  /**
   * @param out where the lines go
   * @param policy when buffered lines are written out
   * @param closeStream whether {@link #close()} closes {@code out} (false for standard output)
   * @param nanoClock for {@link FlushPolicy.Batched#maxDelay()}: {@code System::nanoTime}
   */
  public StreamSink(
      OutputStream out, FlushPolicy policy, boolean closeStream, LongSupplier nanoClock) {
    this.out = new BufferedOutputStream(Objects.requireNonNull(out, "out"), BUFFER);
    this.closeStream = closeStream;
    this.flush = new FlushControl(Objects.requireNonNull(policy, "policy"), nanoClock);
  }

  /**
   * Standard output (file descriptor 1, unbuffered by {@code System.out}); closing the sink flushes
   * it but leaves the descriptor open. Everything the daemon prints on stdout should go through
   * this one sink, so that lines never interleave.
   */
  public static StreamSink stdout(FlushPolicy policy) {
    return new StreamSink(
        new FileOutputStream(FileDescriptor.out), policy, false, System::nanoTime);
  }

  @Override
  public synchronized void write(String line) throws IOException {
    byte[] bytes = Sink.encode(line);
    if (closed) {
      throw new IOException("sink is closed");
    }
    out.write(bytes);
    lines++;
    if (flush.lineBuffered()) {
      flush();
    }
  }

  @Override
  public synchronized void flush() throws IOException {
    if (!closed) {
      out.flush();
      flush.flushed();
    }
  }

  /** Lines written so far. */
  public synchronized long lines() {
    return lines;
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      out.flush();
    } finally {
      closed = true;
      if (closeStream) {
        out.close();
      }
    }
  }
}
