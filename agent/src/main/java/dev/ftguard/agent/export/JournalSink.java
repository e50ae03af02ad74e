package dev.ftguard.agent.export;

import java.io.IOException;
import java.util.Objects;

/**
 * Lines for the journal (or any syslog-minded reader of stdout): each line prefixed with its {@link
 * Priority} as sd-daemon(3) writes it, {@code <N>}, on an underlying stream sink (standard output).
 * systemd reads the prefix ({@code SyslogLevelPrefix=yes}, the default) and stores the line with
 * that priority; no journal socket is needed.
 */
public final class JournalSink implements Sink {
  private final Sink out;

  /**
   * @param out where the prefixed lines go, usually {@link StreamSink#stdout(FlushPolicy)}
   */
  public JournalSink(Sink out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public void write(ExportRecord record, String line) throws IOException {
    out.write(record.priority().prefix() + line);
  }

  /** A line without its record: {@link Priority#INFO}. */
  @Override
  public void write(String line) throws IOException {
    out.write(Priority.INFO.prefix() + line);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
