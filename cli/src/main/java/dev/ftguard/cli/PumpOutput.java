package dev.ftguard.cli;

import dev.ftguard.abi.Event;
import dev.ftguard.abi.Stats;
import dev.ftguard.agent.export.ExportRecord;
import dev.ftguard.agent.export.Exporter;
import dev.ftguard.agent.json.CallFieldNames;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.agent.json.EventLineWriter;
import dev.ftguard.agent.json.ExtraFields;
import dev.ftguard.agent.metrics.AgentMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where the event pump's lines go: a stream (stdout, as {@code ftguard events}), or the export
 * pipeline (filters, rate limit, files with rotation) with metrics, as {@code ftguard run} can.
 */
sealed interface PumpOutput {
  /**
   * One event: its line, call fields named by {@code names}, with {@code extra}'s fields after the
   * event's own (may be null).
   */
  void event(Event event, CallFieldNames names, ExtraFields extra) throws IOException;

  /** A line that is not an event ({@code drop}, {@code policy_reload}): never filtered. */
  void notice(ObjectNode json) throws IOException;

  /** The module's counters, read after every batch. */
  default void stats(Stats stats) {}

  void flush() throws IOException;

  /** Every line, unfiltered, to one stream; event lines streamed, no tree. */
  final class Stream implements PumpOutput {
    private final OutputStream out;
    private final EventLineWriter lines;

    Stream(OutputStream out) {
      this.out = out;
      this.lines = new EventLineWriter(out);
    }

    @Override
    public void event(Event event, CallFieldNames names, ExtraFields extra) throws IOException {
      lines.line(event, names, extra);
    }

    @Override
    public void notice(ObjectNode json) throws IOException {
      lines.flush(); // the event lines before it first
      out.write((EventJson.line(json) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void flush() throws IOException {
      lines.flush();
    }
  }

  /** Through an exporter; every event, exported or not, counted in the metrics (if any). */
  final class Export implements PumpOutput {
    private final Exporter exporter;
    private final Optional<AgentMetrics> metrics;
    private final Buffer buffer = new Buffer();
    private final EventLineWriter lines = new EventLineWriter(buffer);

    Export(Exporter exporter, Optional<AgentMetrics> metrics) {
      this.exporter = exporter;
      this.metrics = metrics;
    }

    /** The line being written, read back as text once the writer flushed it. */
    private static final class Buffer extends ByteArrayOutputStream {
      String takeLine() {
        String line = new String(buf, 0, count - 1, StandardCharsets.UTF_8); // without '\n'
        reset();
        return line;
      }
    }

    @Override
    public void event(Event event, CallFieldNames names, ExtraFields extra) throws IOException {
      metrics.ifPresent(m -> m.event(event));
      lines.line(event, names, extra);
      lines.flush();
      exporter.export(ExportRecord.of(event, buffer.takeLine()));
    }

    @Override
    public void notice(ObjectNode json) throws IOException {
      exporter.export(ExportRecord.notice(json));
    }

    @Override
    public void stats(Stats stats) {
      metrics.ifPresent(m -> m.kernelStats(stats));
    }

    @Override
    public void flush() throws IOException {
      exporter.flush();
    }
  }
}
