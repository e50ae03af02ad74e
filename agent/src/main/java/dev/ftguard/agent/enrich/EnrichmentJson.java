package dev.ftguard.agent.enrich;

import dev.ftguard.abi.Event;
import dev.ftguard.agent.json.CallFieldNames;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.agent.json.EventLineWriter;
import dev.ftguard.agent.process.Ancestor;
import dev.ftguard.agent.process.ProcessView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.core.JsonGenerator;

/**
 * JSON form of an {@link Enrichment}: fields added after an event's own (docs/lineage.md lists
 * them), written by {@link EventLineWriter} through {@link Enrichment#writeFields}. Absent values
 * are left out.
 */
public final class EnrichmentJson {
  private EnrichmentJson() {}

  /** The event's JSON line with the enrichment's fields, without line end (for tests and tools). */
  public static String line(Event event, Enrichment enrichment) {
    var bytes = new ByteArrayOutputStream(2048);
    try (EventLineWriter w = new EventLineWriter(bytes)) {
      w.line(event, CallFieldNames.NONE, enrichment);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not from memory
    }
    String s = bytes.toString(StandardCharsets.UTF_8);
    return s.substring(0, s.length() - 1);
  }

  /** Writes the enrichment's fields inside the event's object. */
  static void write(JsonGenerator g, Enrichment x) {
    if (x.process().isPresent()) {
      g.writeName("process");
      process(g, x.process().get(), x.binaryHash(), x.processJson());
    }
    if (x.childExecId().isPresent()) {
      g.writeStringProperty("child_exec_id", x.childExecId().get());
    }
    if (x.cwd().isPresent()) {
      g.writeStringProperty("cwd", x.cwd().get());
    }
    if (x.cgroup().isPresent()) {
      CgroupInfo c = x.cgroup().get();
      g.writeStringProperty("cgroup", c.path());
      if (c.container().isPresent()) {
        Container k = c.container().get();
        g.writeName("container");
        g.writeStartObject();
        g.writeStringProperty("runtime", k.runtime().jsonName());
        g.writeStringProperty("id", k.id());
        if (k.podUid().isPresent()) {
          g.writeStringProperty("pod_uid", k.podUid().get());
        }
        g.writeEndObject();
      }
    }
    if (x.user().isPresent()) {
      g.writeStringProperty("user", x.user().get());
    }
    if (x.group().isPresent()) {
      g.writeStringProperty("group", x.group().get());
    }
    if (x.euser().isPresent()) {
      g.writeStringProperty("euser", x.euser().get());
    }
  }

  /**
   * The process object: its parts that stay the same while the image lives from {@code rendered}
   * when it was rendered from this image ({@link ProcessJson}), else written here.
   */
  private static void process(
      JsonGenerator g, ProcessView p, BinaryHash hash, ProcessJson rendered) {
    boolean fits = rendered != null && rendered.fits(p);
    g.writeStartObject();
    g.writeStringProperty("exec_id", p.execId());
    if (fits) {
      rendered.writeHead(g);
    } else {
      head(g, p);
    }
    g.writeStringProperty("state", p.state().jsonName());
    binaryHash(g, hash);
    g.writeName("ancestors");
    if (fits) {
      rendered.writeAncestors(g);
    } else {
      ancestors(g, p.ancestors());
    }
    g.writeEndObject();
  }

  /** The process object's fields after {@code exec_id} up to {@code origin}. */
  static void head(JsonGenerator g, ProcessView p) {
    if (p.parentExecId().isPresent()) {
      g.writeStringProperty("parent_exec_id", p.parentExecId().get());
    }
    g.writeStringProperty("binary", p.binary());
    EventJson.strings(g, "argv", p.argv());
    if (p.startTicks() >= 0) {
      g.writeNumberProperty("start_ticks", p.startTicks());
    }
    g.writeStringProperty("origin", p.origin().jsonName());
  }

  private static void binaryHash(JsonGenerator g, BinaryHash hash) {
    g.writeName("binary_hash");
    g.writeStartObject();
    g.writeStringProperty("state", hash.state());
    switch (hash) {
      case BinaryHash.Hashed(String sha256, long size) -> {
        g.writeStringProperty("sha256", sha256);
        g.writeNumberProperty("size", size);
      }
      case BinaryHash.TooLarge(long size, long limit) -> {
        g.writeNumberProperty("size", size);
        g.writeNumberProperty("limit", limit);
      }
      case BinaryHash.Unavailable(String reason) -> g.writeStringProperty("reason", reason);
      case BinaryHash.Pending _ -> {}
    }
    g.writeEndObject();
  }

  /** The {@code ancestors} array. */
  static void ancestors(JsonGenerator g, List<Ancestor> ancestors) {
    g.writeStartArray();
    for (int i = 0, n = ancestors.size(); i < n; i++) {
      Ancestor a = ancestors.get(i);
      g.writeStartObject();
      g.writeStringProperty("exec_id", a.execId());
      g.writeNumberProperty("pid", a.pid());
      g.writeStringProperty("binary", a.binary());
      EventJson.strings(g, "argv", a.argv());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
