package dev.ftguard.agent.json;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Errno;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ExitStatus;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.abi.TamperEvent;
import dev.ftguard.agent.enrich.BinaryHash;
import dev.ftguard.agent.enrich.Enrichment;
import dev.ftguard.agent.process.Ancestor;
import dev.ftguard.agent.process.ProcessView;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The event lines as ftguard wrote them before the streaming writer: a Jackson tree per event,
 * enrichment added to it, then serialized. Kept in the tests only, as the reference the streaming
 * writer ({@link EventJson}) must match byte for byte.
 */
public final class TreeReference {
  private TreeReference() {}

  private static final JsonMapper MAPPER = EventJson.MAPPER;
  private static final int SCHEMA_VERSION = EventJson.SCHEMA_VERSION;

  /** The line of an event without enrichment. */
  public static String line(Event event, CallFieldNames names) {
    return MAPPER.writeValueAsString(event(event, names));
  }

  /** The line of an event with its enrichment. */
  public static String line(Event event, CallFieldNames names, Enrichment x) {
    ObjectNode o = event(event, names);
    put(o, x);
    return MAPPER.writeValueAsString(o);
  }

  /** One event as a JSON object, fields in schema order; call fields named by {@code names}. */
  private static ObjectNode event(Event event, CallFieldNames names) {
    ObjectNode o = MAPPER.createObjectNode();
    common(o, event);
    switch (event) {
      case ExecEvent e -> exec(o, e);
      case ForkEvent f -> {
        o.put("child_pid", f.childPid());
        unsigned(o, "clone_flags", f.cloneFlags());
        o.put("thread", f.isThread());
      }
      case ExitEvent x -> exit(o, x);
      case DecisionEvent d -> decision(o, d);
      case CallEvent c -> call(o, c, names);
      case TamperEvent t -> tamper(o, t);
    }
    return o;
  }

  /** The fields every event line starts with: type, schema version, then the header's. */
  private static void common(ObjectNode o, Event event) {
    Header h = event.header();
    o.put("type", event.eventType().jsonName());
    o.put("schema_version", SCHEMA_VERSION);
    unsigned(o, "seq", h.seq());
    o.put("time", h.wallTime().toString());
    unsigned(o, "mono_ns", h.monoNs());
    o.put("cpu", h.cpu());
    o.put("pid", h.pid());
    o.put("tgid", h.tgid());
    o.put("ppid", h.ppid());
    o.put("uid", h.uid());
    o.put("gid", h.gid());
    o.put("euid", h.euid());
    o.put("comm", h.comm());
    unsigned(o, "cgroup_id", h.cgroupId());
  }

  /** The fields of an {@code exec} line after the common ones. */
  private static void exec(ObjectNode o, ExecEvent e) {
    o.put("syscall", e.syscall());
    o.put("filename", e.filename());
    ArrayNode argv = o.putArray("argv");
    e.argv().forEach(argv::add);
    o.put("argc", e.argc());
    o.put("result", e.result());
    if (e.result() < 0) {
      o.put("errno", Errno.name(-e.result()));
    }
    ObjectNode trunc = o.putObject("truncated");
    trunc.put("filename", e.filenameTruncated());
    trunc.put("argv", e.argvTruncated());
    ObjectNode fault = o.putObject("fault");
    fault.put("filename", e.filenameFault());
    fault.put("argv", e.argvFault());
    if (e.isExecveat()) {
      o.put("dirfd", e.dirfd());
      o.put("at_flags", e.atFlags());
    }
    if (e.cwd().isPresent() || e.file().isPresent()) {
      ObjectNode image = o.putObject("image");
      e.cwd().ifPresent(c -> image.put("cwd", c));
      e.file()
          .ifPresent(
              f -> {
                ObjectNode exe = image.putObject("exe");
                exe.put(
                    "dev",
                    Integer.toUnsignedString(f.devMajor())
                        + ":"
                        + Integer.toUnsignedString(f.devMinor()));
                unsigned(exe, "ino", f.ino());
                unsigned(exe, "size", f.size());
                exe.put("ctime_sec", f.ctimeSec());
                exe.put("ctime_nsec", Integer.toUnsignedLong(f.ctimeNsec()));
              });
    }
  }

  /** The fields of an {@code exit} line after the common ones. */
  private static void exit(ObjectNode o, ExitEvent x) {
    o.put("code", x.code());
    switch (x.status()) {
      case ExitStatus.Exited(int status) -> o.put("exit_status", status);
      case ExitStatus.Signaled(int signal, boolean core) -> {
        o.put("signal", signal);
        o.put("core_dumped", core);
      }
      case ExitStatus.Other _ -> {}
    }
    o.put("group_dead", x.groupDead());
  }

  /** The fields of a {@code tamper} line after the common ones. */
  private static void tamper(ObjectNode o, TamperEvent t) {
    o.put("what", t.what().yamlName());
    o.put("target", t.target());
    o.put("refused", t.refused());
    o.put("result", t.result());
    if (t.result() < 0 && t.result() >= -Abi.ERRNO_MAX) {
      o.put("errno", Errno.name(-t.result()));
    }
    o.put("locked", t.locked());
    unsigned(o, "generation", t.generation());
  }

  /** The fields of a {@code decision} line after the common ones. */
  private static void decision(ObjectNode o, DecisionEvent d) {
    unsigned(o, "generation", d.generation());
    o.put("rule_index", d.rule());
    o.put("policy", d.policy());
    o.put("rule", d.ruleName());
    o.put("event", d.kind().yamlName());
    o.put("action", d.action().yamlName());
    o.put("mode", d.mode().yamlName());
    o.put("would", d.would());
    o.put("label", d.label());
    o.put("result", d.result());
    d.errnoName().ifPresent(n -> o.put("errno", n));
    o.put("binary", d.binary());
    o.put("object", d.object());
    if (d.byIdentity()) {
      o.put("by_identity", true);
    }
    ArrayNode argv = o.putArray("argv");
    d.argv().forEach(argv::add);
    o.put("argc", d.argc());
    switch (d.kind()) {
      case OPEN -> {
        ArrayNode access = o.putArray("access");
        d.maskNames().forEach(access::add);
      }
      case CONNECT -> {
        o.put("address", d.address().map(EventJson::address).orElse(""));
        o.put("port", d.port());
        o.put(
            "family",
            switch (d.family()) {
              case Abi.AF_INET -> "ipv4";
              case Abi.AF_INET6 -> "ipv6";
              default -> Integer.toString(d.family());
            });
      }
      case PTRACE -> o.put("target_pid", d.targetPid());
      case PRIVILEGE -> {
        ArrayNode gains = o.putArray("gains");
        d.maskNames().forEach(gains::add);
        o.put("new_uid", d.newUid());
        o.put("new_euid", d.newEuid());
      }
      case EXEC -> {
        o.put("via", d.via());
        d.contentLabel().ifPresent(c -> o.put("sha256", c));
      }
      case MODULE_LOAD, CALL -> {}
    }
    ObjectNode trunc = o.putObject("truncated");
    trunc.put("binary", d.binaryTruncated());
    trunc.put("object", d.objectTruncated());
    trunc.put("argv", d.argvTruncated());
    o.putObject("fault").put("argv", d.argvFault());
  }

  /**
   * The fields of a {@code call} line after the common ones: the rule that matched, the function,
   * the value returned instead for a deny, and the arguments by field name ({@code null} for a
   * field that could not be read; {@code truncated}, {@code partial} and {@code unreadable} list
   * the fields so marked). An address field is shown with the family field before it.
   */
  private static void call(ObjectNode o, CallEvent c, CallFieldNames names) {
    callRule(o, c);
    callArgs(o, c, fieldNames(c, names));
  }

  /** The rule, function and (for a deny) returned value of a {@code call} line. */
  private static void callRule(ObjectNode o, CallEvent c) {
    unsigned(o, "generation", c.generation());
    o.put("rule_index", c.rule());
    o.put("hook_index", c.hook());
    o.put("policy", c.policy());
    o.put("rule", c.ruleName());
    o.put("event", DecisionEvent.Kind.CALL.yamlName());
    o.put("action", c.action().yamlName());
    o.put("mode", c.mode().yamlName());
    o.put("would", c.would());
    o.put("function", c.function());
    if (c.denied()) {
      o.put("retval", c.retval());
      if (c.retval() < 0 && c.retval() >= -Abi.ERRNO_MAX) {
        o.put("errno", Errno.name((int) -c.retval()));
      }
    }
  }

  /** The names of the call's fields: {@code names}' when it has one per field, else fieldN. */
  private static List<String> fieldNames(CallEvent c, CallFieldNames names) {
    List<String> known = names.names(c.function()).orElse(List.of());
    List<String> fieldNames = new java.util.ArrayList<>();
    for (int i = 0; i < c.fields().size(); i++) {
      fieldNames.add(known.size() == c.fields().size() ? known.get(i) : "field" + i);
    }
    return fieldNames;
  }

  /**
   * The {@code args} object of a {@code call} line and the {@code truncated}, {@code partial} and
   * {@code unreadable} lists of field names.
   */
  private static void callArgs(ObjectNode o, CallEvent c, List<String> fieldNames) {
    ObjectNode args = o.putObject("args");
    ArrayNode truncated = MAPPER.createArrayNode();
    ArrayNode partial = MAPPER.createArrayNode();
    ArrayNode unreadable = MAPPER.createArrayNode();
    long family = -1;
    for (int i = 0; i < c.fields().size(); i++) {
      CallEvent.Field f = c.fields().get(i);
      String name = fieldNames.get(i);
      if (!arg(args, name, f, family)) {
        unreadable.add(name);
      }
      if (f.truncated()) {
        truncated.add(name);
      }
      if (f.partial()) {
        partial.add(name);
      }
      family = f instanceof CallEvent.IntField n && !f.fault() ? n.value() : -1;
    }
    o.set("truncated", truncated);
    o.set("partial", partial);
    o.set("unreadable", unreadable);
  }

  /**
   * Puts one call field into {@code args}; an address field is read with {@code family}, the value
   * of the field before it (-1 if none).
   *
   * @return false when the field could not be read (then put as {@code null})
   */
  private static boolean arg(ObjectNode args, String name, CallEvent.Field f, long family) {
    if (f.fault()) {
      args.putNull(name);
      return false;
    }
    switch (f) {
      case CallEvent.IntField n -> {
        if (n.signed() || n.value() >= 0) {
          args.put(name, n.value());
        } else {
          args.put(name, new BigInteger(Long.toUnsignedString(n.value())));
        }
      }
      case CallEvent.StrField str -> args.put(name, str.value());
      case CallEvent.AddrField a -> {
        Optional<InetAddress> addr = a.address(family);
        if (addr.isEmpty()) {
          args.putNull(name);
          return false;
        }
        args.put(name, EventJson.address(addr.get()));
      }
    }
    return true;
  }

  /** Puts a u64 as an unsigned JSON number (values past 2^63 too). */
  private static void unsigned(ObjectNode o, String name, long value) {
    if (value >= 0) {
      o.put(name, value);
    } else {
      o.put(name, new BigInteger(Long.toUnsignedString(value)));
    }
  }

  // ---------------------------------------------------------------- EnrichmentJson.put as it was

  private static void put(ObjectNode o, Enrichment x) {
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
