package dev.ftguard.agent.enrich;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.agent.process.ProcessView;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;

/**
 * The parts of a process's JSON that stay the same while its image lives, rendered once per image
 * (kept by the {@link Enricher} with the image) instead of once per event: from {@code
 * parent_exec_id} to {@code origin}, and the {@code ancestors} array. Only the exec id, the state
 * and the binary's hash are written per event.
 *
 * <p>What it was rendered from is checked on every use, by identity (an image's exec id, binary and
 * arguments are made once per image): the parent may become known after the image, and an ancestor
 * may leave the table, which changes the parent id or the ancestors.
 */
public final class ProcessJson {
  private final String execId;
  private final String parentExecId;
  private final String[] ancestorIds;
  private final SerializableString head;
  private final SerializableString ancestors;

  private ProcessJson(ProcessView p, String head, String ancestors) {
    this.execId = p.execId();
    this.parentExecId = p.parentExecId().orElse(null);
    this.ancestorIds = new String[p.ancestors().size()];
    for (int i = 0; i < ancestorIds.length; i++) {
      ancestorIds[i] = p.ancestors().get(i).execId();
    }
    this.head = new SerializedString(head);
    this.ancestors = new SerializedString(ancestors);
  }

  /** Renders the parts of {@code p}. */
  public static ProcessJson of(ProcessView p) {
    String head = render(g -> EnrichmentJson.head(g, p), true);
    String ancestors = render(g -> EnrichmentJson.ancestors(g, p.ancestors()), false);
    // {"parent_exec_id":...,"origin":"exec"} -> ,"parent_exec_id":...,"origin":"exec"
    return new ProcessJson(p, "," + head.substring(1, head.length() - 1), ancestors);
  }

  /** Whether these parts were rendered from {@code p}'s image, parent and ancestors. */
  boolean fits(ProcessView p) {
    if (p.execId() != execId || p.parentExecId().orElse(null) != parentExecId) {
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

  /**
   * Writes the process object's fields after {@code exec_id} up to {@code origin} (raw: the
   * generator has written {@code exec_id}, so the fields that follow get their comma).
   */
  void writeHead(JsonGenerator g) {
    g.writeRaw(head);
  }

  /** Writes the {@code ancestors} array as the value of the property just named. */
  void writeAncestors(JsonGenerator g) {
    g.writeRawValue(ancestors);
  }

  private interface Part {
    void write(JsonGenerator g);
  }

  private static String render(Part part, boolean object) {
    var bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator g = EventJson.MAPPER.createGenerator(bytes)) {
      if (object) {
        g.writeStartObject();
      }
      part.write(g);
      if (object) {
        g.writeEndObject();
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
