package dev.ftguard.agent.enrich;

import dev.ftguard.abi.Event;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.agent.process.Ancestor;
import dev.ftguard.agent.process.ProcessView;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON form of an {@link Enrichment}: fields added after an event's own (docs/lineage.md lists
 * them). Absent values are left out.
 */
public final class EnrichmentJson {
  private EnrichmentJson() {}

  /** The event's JSON line with the enrichment's fields. */
  public static String line(Event event, Enrichment enrichment) {
    ObjectNode o = EventJson.event(event);
    put(o, enrichment);
    return EventJson.line(o);
  }

  /** Adds the enrichment's fields to an event's JSON object. */
  public static void put(ObjectNode o, Enrichment x) {
    x.process().ifPresent(p -> process(o.putObject("process"), p, x.binaryHash()));
    x.childExecId().ifPresent(id -> o.put("child_exec_id", id));
    x.cwd().ifPresent(c -> o.put("cwd", c));
    x.cgroup()
        .ifPresent(
            c -> {
              o.put("cgroup", c.path());
              c.container()
                  .ifPresent(
                      k -> {
                        ObjectNode n = o.putObject("container");
                        n.put("runtime", k.runtime().jsonName());
                        n.put("id", k.id());
                        k.podUid().ifPresent(u -> n.put("pod_uid", u));
                      });
            });
    x.user().ifPresent(u -> o.put("user", u));
    x.group().ifPresent(g -> o.put("group", g));
    x.euser().ifPresent(u -> o.put("euser", u));
  }

  private static void process(ObjectNode n, ProcessView p, BinaryHash hash) {
    n.put("exec_id", p.execId());
    p.parentExecId().ifPresent(id -> n.put("parent_exec_id", id));
    n.put("binary", p.binary());
    argv(n, p.argv());
    if (p.startTicks() >= 0) {
      n.put("start_ticks", p.startTicks());
    }
    n.put("origin", p.origin().jsonName());
    n.put("state", p.state().jsonName());
    ObjectNode h = n.putObject("binary_hash");
    h.put("state", hash.state());
    switch (hash) {
      case BinaryHash.Hashed(String sha256, long size) -> {
        h.put("sha256", sha256);
        h.put("size", size);
      }
      case BinaryHash.TooLarge(long size, long limit) -> {
        h.put("size", size);
        h.put("limit", limit);
      }
      case BinaryHash.Unavailable(String reason) -> h.put("reason", reason);
      case BinaryHash.Pending _ -> {}
    }
    ArrayNode ancestors = n.putArray("ancestors");
    for (Ancestor a : p.ancestors()) {
      ObjectNode an = ancestors.addObject();
      an.put("exec_id", a.execId());
      an.put("pid", a.pid());
      an.put("binary", a.binary());
      argv(an, a.argv());
    }
  }

  private static void argv(ObjectNode n, List<String> argv) {
    ArrayNode a = n.putArray("argv");
    argv.forEach(a::add);
  }
}
