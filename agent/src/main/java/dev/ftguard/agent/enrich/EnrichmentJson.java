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
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;

/**
 * JSON form of an {@link Enrichment}: fields added after an event's own (docs/lineage.md lists
 * them), written by {@link EventLineWriter} through {@link Enrichment#writeFields}. Absent values
 * are left out.
 */
public final class EnrichmentJson {
  private EnrichmentJson() {}

  // property names of the hot path, quoted and encoded once
  private static final SerializableString N_PID = new SerializedString("pid");
  private static final SerializableString N_ANCESTORS = new SerializedString("ancestors");
  private static final SerializableString N_ARGV = new SerializedString("argv");
  private static final SerializableString N_BINARY = new SerializedString("binary");
  private static final SerializableString N_BINARY_HASH = new SerializedString("binary_hash");
  private static final SerializableString N_CGROUP = new SerializedString("cgroup");
  private static final SerializableString N_CHILD_EXEC_ID = new SerializedString("child_exec_id");
  private static final SerializableString N_CONTAINER = new SerializedString("container");
  private static final SerializableString N_CWD = new SerializedString("cwd");
  private static final SerializableString N_EUSER = new SerializedString("euser");
  private static final SerializableString N_EXEC_ID = new SerializedString("exec_id");
  private static final SerializableString N_GROUP = new SerializedString("group");
  private static final SerializableString N_ID = new SerializedString("id");
  private static final SerializableString N_LIMIT = new SerializedString("limit");
  private static final SerializableString N_ORIGIN = new SerializedString("origin");
  private static final SerializableString N_PARENT_EXEC_ID = new SerializedString("parent_exec_id");
  private static final SerializableString N_POD_UID = new SerializedString("pod_uid");
  private static final SerializableString N_PROCESS = new SerializedString("process");
  private static final SerializableString N_REASON = new SerializedString("reason");
  private static final SerializableString N_RUNTIME = new SerializedString("runtime");
  private static final SerializableString N_SHA256 = new SerializedString("sha256");
  private static final SerializableString N_SIZE = new SerializedString("size");
  private static final SerializableString N_START_TICKS = new SerializedString("start_ticks");
  private static final SerializableString N_STATE = new SerializedString("state");
  private static final SerializableString N_USER = new SerializedString("user");

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
      g.writeName(N_PROCESS);
      process(g, x.process().get(), x.binaryHash(), x.processJson());
    }
    if (x.childExecId().isPresent()) {
      EventJson.str(g, N_CHILD_EXEC_ID, x.childExecId().get());
    }
    if (x.cwd().isPresent()) {
      EventJson.str(g, N_CWD, x.cwd().get());
    }
    if (x.cgroup().isPresent()) {
      CgroupInfo c = x.cgroup().get();
      EventJson.str(g, N_CGROUP, c.path());
      if (c.container().isPresent()) {
        Container k = c.container().get();
        g.writeName(N_CONTAINER);
        g.writeStartObject();
        EventJson.str(g, N_RUNTIME, k.runtime().jsonName());
        EventJson.str(g, N_ID, k.id());
        if (k.podUid().isPresent()) {
          EventJson.str(g, N_POD_UID, k.podUid().get());
        }
        g.writeEndObject();
      }
    }
    if (x.user().isPresent()) {
      EventJson.str(g, N_USER, x.user().get());
    }
    if (x.group().isPresent()) {
      EventJson.str(g, N_GROUP, x.group().get());
    }
    if (x.euser().isPresent()) {
      EventJson.str(g, N_EUSER, x.euser().get());
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
    EventJson.str(g, N_EXEC_ID, p.execId());
    if (fits && rendered.hasHead()) {
      rendered.writeHead(g);
    } else {
      head(g, p);
    }
    EventJson.str(g, N_STATE, p.state().jsonName());
    binaryHash(g, hash);
    g.writeName(N_ANCESTORS);
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
      EventJson.str(g, N_PARENT_EXEC_ID, p.parentExecId().get());
    }
    EventJson.str(g, N_BINARY, p.binary());
    EventJson.strings(g, N_ARGV, p.argv());
    if (p.startTicks() >= 0) {
      EventJson.num(g, N_START_TICKS, p.startTicks());
    }
    EventJson.str(g, N_ORIGIN, p.origin().jsonName());
  }

  private static void binaryHash(JsonGenerator g, BinaryHash hash) {
    g.writeName(N_BINARY_HASH);
    g.writeStartObject();
    EventJson.str(g, N_STATE, hash.state());
    switch (hash) {
      case BinaryHash.Hashed(String sha256, long size) -> {
        EventJson.str(g, N_SHA256, sha256);
        EventJson.num(g, N_SIZE, size);
      }
      case BinaryHash.TooLarge(long size, long limit) -> {
        EventJson.num(g, N_SIZE, size);
        EventJson.num(g, N_LIMIT, limit);
      }
      case BinaryHash.Unavailable(String reason) -> EventJson.str(g, N_REASON, reason);
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
      EventJson.str(g, N_EXEC_ID, a.execId());
      EventJson.num(g, N_PID, a.pid());
      EventJson.str(g, N_BINARY, a.binary());
      EventJson.strings(g, N_ARGV, a.argv());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
