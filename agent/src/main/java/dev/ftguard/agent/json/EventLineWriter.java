package dev.ftguard.agent.json;

import dev.ftguard.abi.Event;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.exc.JacksonIOException;

/**
 * Writes events as JSON lines (docs/events.md) straight to a stream with one streaming generator:
 * no tree, no string per line. The one writer of event lines; {@link EventJson#event} reads its
 * output back for the callers that need a tree. Not thread-safe; bytes reach the stream when the
 * generator's buffer fills and at {@link #flush}.
 */
public final class EventLineWriter implements Flushable, Closeable {
  private final JsonGenerator g;

  public EventLineWriter(OutputStream out) {
    this.g = EventJson.LINES.createGenerator(out);
  }

  /** Writes one event's line, with {@code extra}'s fields after the event's own (may be null). */
  public void line(Event event, CallFieldNames names, ExtraFields extra) throws IOException {
    try {
      object(event, names, extra);
      g.writeRaw('\n');
    } catch (JacksonIOException e) {
      throw e.getCause();
    }
  }

  /** Writes one event's object, without the line end. */
  void object(Event event, CallFieldNames names, ExtraFields extra) {
    g.writeStartObject();
    EventJson.fields(g, event, names);
    if (extra != null) {
      extra.writeFields(g);
    }
    g.writeEndObject();
  }

  /** Pushes what is buffered to the stream and flushes it. */
  @Override
  public void flush() throws IOException {
    try {
      g.flush();
    } catch (JacksonIOException e) {
      throw e.getCause();
    }
  }

  /** Flushes and closes the generator and the stream. */
  @Override
  public void close() {
    g.close();
  }
}
