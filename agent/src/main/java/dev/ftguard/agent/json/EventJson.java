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
import dev.ftguard.abi.HookInfo;
import dev.ftguard.abi.Stats;
import dev.ftguard.abi.TamperEvent;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON form of events, drop notices and status; the schema is docs/events.md. */
public final class EventJson {
  private EventJson() {}

  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  /**
   * The version of the line format ({@code docs/schema/ftguard-events.schema.json}), the second
   * field of every event, drop and policy_reload line: additions keep it, anything else bumps it.
   */
  public static final int SCHEMA_VERSION = 1;

  /** One event as a JSON object, fields in schema order; call fields named {@code fieldN}. */
  public static ObjectNode event(Event event) {
    return event(event, CallFieldNames.NONE);
  }

  /** One event as a JSON object, fields in schema order; call fields named by {@code names}. */
  public static ObjectNode event(Event event, CallFieldNames names) {
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
        args.put(name, address(addr.get()));
      }
    }
    return true;
  }

  /**
   * An address in its usual text form: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest
   * run of zero groups as {@code ::}, IPv4-mapped as {@code ::ffff:a.b.c.d}).
   */
  public static String address(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 4) {
      return a.getHostAddress();
    }
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      mapped &= b[i] == 0;
    }
    if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
      return "::ffff:"
          + (b[12] & 0xff)
          + "."
          + (b[13] & 0xff)
          + "."
          + (b[14] & 0xff)
          + "."
          + (b[15] & 0xff);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1, bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  /**
   * A {@code drop} line: records the kernel lost since the previous drop line (or since the reader
   * started), by reason, and the module's totals since load.
   */
  public static ObjectNode drop(Instant now, long[] delta, long[] total) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("type", "drop");
    o.put("schema_version", SCHEMA_VERSION);
    o.put("time", now.toString());
    ObjectNode d = o.putObject("dropped");
    long sum = 0;
    for (int i = 0; i < Abi.DROP_REASONS; i++) {
      d.put(Abi.DROP_REASON_NAMES.get(i), delta[i]);
      sum += delta[i];
    }
    o.put("count", sum);
    ObjectNode t = o.putObject("dropped_since_load");
    for (int i = 0; i < Abi.DROP_REASONS; i++) {
      t.put(Abi.DROP_REASON_NAMES.get(i), total[i]);
    }
    return o;
  }

  /** Counters of {@code ftguard status --json}. */
  public static ObjectNode stats(Stats s) {
    ObjectNode o = MAPPER.createObjectNode();
    unsigned(o, "produced", s.produced());
    unsigned(o, "delivered", s.delivered());
    ObjectNode d = o.putObject("dropped");
    for (int i = 0; i < Abi.DROP_REASONS; i++) {
      unsigned(d, Abi.DROP_REASON_NAMES.get(i), s.dropped(i));
    }
    unsigned(o, "dropped_total", s.droppedTotal());
    unsigned(o, "buffer_bytes", s.bufferBytes());
    unsigned(o, "buffer_entries", s.bufferEntries());
    o.put("inflight", s.inflight());
    ObjectNode dec = o.putObject("decisions");
    for (int i = 0; i < Abi.ACTIONS; i++) {
      unsigned(dec, ACTION_NAMES.get(i), s.decisions()[i]);
    }
    unsigned(o, "blocked", s.blocked());
    unsigned(o, "killed", s.killed());
    unsigned(o, "call_skipped", s.callSkipped());
    o.put("locked", s.locked());
    ObjectNode tamper = o.putObject("tamper");
    for (TamperEvent.What w : TamperEvent.What.values()) {
      unsigned(tamper, w.yamlName(), s.tamper(w.value()));
    }
    return o;
  }

  /** The rule table in force, from the counters ({@code "table"} of {@code status --json}). */
  public static ObjectNode table(Stats s) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("loaded", s.tableGeneration() != 0);
    unsigned(o, "generation", s.tableGeneration());
    o.put("rules", s.tableRules());
    o.put("bytes", s.tableBytes());
    return o;
  }

  /** Action names by {@code enum ftg_action} value ({@code allow}, ..., {@code deny+kill}). */
  public static final java.util.List<String> ACTION_NAMES = actionNames();

  private static java.util.List<String> actionNames() {
    String[] names = new String[Abi.ACTIONS];
    for (DecisionEvent.Action a : DecisionEvent.Action.values()) {
      names[a.value()] = a.yamlName();
    }
    return java.util.List.of(names);
  }

  public static ObjectNode hook(HookInfo h) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("index", h.index());
    o.put("name", h.name());
    o.put("attached", h.attached());
    o.put("ipmodify", h.ipModify());
    o.put("skips_fentry", h.skipsFentry());
    unsigned(o, "hits", h.hits());
    o.put("address", "0x" + Long.toHexString(h.address()));
    return o;
  }

  public static String line(ObjectNode node) {
    return MAPPER.writeValueAsString(node);
  }

  /** Puts a u64 as an unsigned JSON number (values past 2^63 too). */
  public static void unsigned(ObjectNode o, String name, long value) {
    if (value >= 0) {
      o.put(name, value);
    } else {
      o.put(name, new BigInteger(Long.toUnsignedString(value)));
    }
  }
}
