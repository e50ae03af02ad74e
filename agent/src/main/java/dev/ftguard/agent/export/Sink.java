package dev.ftguard.agent.export;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Where JSON lines go. A sink writes each line whole, followed by {@code \n}, and never splits or
 * interleaves lines. Sinks are used by one thread at a time (the event pump); implementations in
 * this package are also safe to flush or close from another thread.
 */
public interface Sink extends Closeable {
  /**
   * Writes one line. {@code line} is one JSON object without its line end; it must not contain a
   * line break (JSON from Jackson never does).
   *
   * @throws IllegalArgumentException if {@code line} contains {@code \n} or {@code \r}
   */
  void write(String line) throws IOException;

  /**
   * Writes one record's line ({@code line} is {@code record.line()}, serialized once for every
   * sink). Sinks that use more of the record than its line override this (the {@link JournalSink}:
   * its priority).
   */
  default void write(ExportRecord record, String line) throws IOException {
    write(line);
  }

  /** Hands every buffered line to the operating system. */
  void flush() throws IOException;

  /** Flushes and releases the sink; the lines written are then complete on their medium. */
  @Override
  void close() throws IOException;

  /** {@code line} as UTF-8 with its {@code \n}, after checking it holds no line break. */
  static byte[] encode(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\n' || c == '\r') {
        throw new IllegalArgumentException(
            "a line must not contain a line break (at index " + i + ")");
      }
    }
    byte[] text = line.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[text.length + 1];
    System.arraycopy(text, 0, out, 0, text.length);
    out[text.length] = '\n';
    return out;
  }
}
