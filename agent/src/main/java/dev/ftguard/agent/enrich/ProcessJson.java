package dev.ftguard.agent.enrich;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.agent.process.ProcessView;
import java.io.ByteArrayOutputStream;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;

/**
 * The parts of a process's JSON that stay the same while its image lives, rendered once per image
 * (kept by the {@link Enricher} with the image) instead of once per event: from {@code
 * parent_exec_id} to {@code origin}, and the {@code ancestors} array. Only the exec id, the state
 * and the binary's hash are written per event.
 *
 * <p>What it was rendered from is checked on every use, by identity (an image's exec id, binary and
 * arguments are made once per image): the parent may become known after the image, and an ancestor
 * may leave the table, which changes the parent id or the ancestors.
 *
 * <p>The ancestors alone ({@link #hasHead} false) are the same for every child of one parent: the
 * enricher renders them once per parent and lends them to its children's first events, before their
 * own parts are rendered.
 */
public final class ProcessJson {
  private final String execId;
  private final String parentExecId;
  private final String[] ancestorIds;
  private final SerializableString head;
  private final SerializableString ancestors;

  private ProcessJson(ProcessView p, SerializableString head, SerializableString ancestors) {
    this.execId = head == null ? null : p.execId();
    this.parentExecId = p.parentExecId().orElse(null);
    this.ancestorIds = new String[p.ancestors().size()];
    for (int i = 0; i < ancestorIds.length; i++) {
      ancestorIds[i] = p.ancestors().get(i).execId();
    }
    this.head = head;
    this.ancestors = ancestors;
  }

  /** Renders the parts of {@code p} (with a renderer of its own). */
  public static ProcessJson of(ProcessView p) {
    return new Renderer().render(p);
  }

  /**
   * Renders the parts of processes with one generator and buffer, kept by its owner (the {@link
   * Enricher}): per image, only the bytes kept. Not thread-safe.
   */
  static final class Renderer {
    private final Buffer out = new Buffer();
    private final JsonGenerator g = EventJson.linesGenerator(out);

    private static final class Buffer extends ByteArrayOutputStream {
      Buffer() {
        super(512);
      }

      /** The bytes written since the last take. */
      RawJson take() {
        RawJson raw = new RawJson(buf, 0, count);
        reset();
        return raw;
      }

      /** The fields of the object written since the last take, after a comma: {a,b} to ,a,b */
      RawJson takeFields() {
        buf[0] = ',';
        RawJson raw = new RawJson(buf, 0, count - 1);
        reset();
        return raw;
      }
    }

    /** The ancestors of {@code p} alone: they fit any image with its parent and ancestors. */
    ProcessJson renderAncestors(ProcessView p) {
      EnrichmentJson.ancestors(g, p.ancestors());
      g.flush();
      return new ProcessJson(p, null, out.take());
    }

    ProcessJson render(ProcessView p) {
      g.writeStartObject();
      EnrichmentJson.head(g, p);
      g.writeEndObject();
      g.flush();
      RawJson head = out.takeFields();
      EnrichmentJson.ancestors(g, p.ancestors());
      g.flush();
      return new ProcessJson(p, head, out.take());
    }
  }

  /**
   * Whether these parts were rendered from {@code p}'s image (unless they are the ancestors alone),
   * parent and ancestors.
   */
  boolean fits(ProcessView p) {
    if (head != null && p.execId() != execId || p.parentExecId().orElse(null) != parentExecId) {
      return false;
    }
    List<dev.ftguard.agent.process.Ancestor> a = p.ancestors();
    if (a.size() != ancestorIds.length) {
      return false;
    }
    for (int i = 0; i < ancestorIds.length; i++) {
      if (a.get(i).execId() != ancestorIds[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether the parts include the image's own fields, not only the ancestors. */
  public boolean hasHead() {
    return head != null;
  }

  /**
   * Writes the process object's fields after {@code exec_id} up to {@code origin} (raw: the
   * generator has written {@code exec_id}, so the fields that follow get their comma). Only when
   * {@link #hasHead}.
   */
  void writeHead(JsonGenerator g) {
    g.writeRaw(head);
  }

  /** Writes the {@code ancestors} array as the value of the property just named. */
  void writeAncestors(JsonGenerator g) {
    g.writeRawValue(ancestors);
  }
}
