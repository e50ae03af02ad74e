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
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON form of events, drop notices and status; the schema is docs/events.md. */
public final class EventJson {
  private EventJson() {}

  // property names of the hot path, quoted and encoded once
  private static final SerializableString N_ARGC = new SerializedString("argc");
  private static final SerializableString N_ARGV = new SerializedString("argv");
  private static final SerializableString N_AT_FLAGS = new SerializedString("at_flags");
  private static final SerializableString N_IMAGE = new SerializedString("image");
  private static final SerializableString N_CWD = new SerializedString("cwd");
  private static final SerializableString N_EXE = new SerializedString("exe");
  private static final SerializableString N_DEV = new SerializedString("dev");
  private static final SerializableString N_INO = new SerializedString("ino");
  private static final SerializableString N_SIZE = new SerializedString("size");
  private static final SerializableString N_CTIME_SEC = new SerializedString("ctime_sec");
  private static final SerializableString N_CTIME_NSEC = new SerializedString("ctime_nsec");
  private static final SerializableString N_CGROUP_ID = new SerializedString("cgroup_id");
  private static final SerializableString N_CHILD_PID = new SerializedString("child_pid");
  private static final SerializableString N_CLONE_FLAGS = new SerializedString("clone_flags");
  private static final SerializableString N_CODE = new SerializedString("code");
  private static final SerializableString N_COMM = new SerializedString("comm");
  private static final SerializableString N_CORE_DUMPED = new SerializedString("core_dumped");
  private static final SerializableString N_CPU = new SerializedString("cpu");
  private static final SerializableString N_DIRFD = new SerializedString("dirfd");
  private static final SerializableString N_ERRNO = new SerializedString("errno");
  private static final SerializableString N_EUID = new SerializedString("euid");
  private static final SerializableString N_EXIT_STATUS = new SerializedString("exit_status");
  private static final SerializableString N_FAULT = new SerializedString("fault");
  private static final SerializableString N_FILENAME = new SerializedString("filename");
  private static final SerializableString N_GID = new SerializedString("gid");
  private static final SerializableString N_GROUP_DEAD = new SerializedString("group_dead");
  private static final SerializableString N_MONO_NS = new SerializedString("mono_ns");
  private static final SerializableString N_PID = new SerializedString("pid");
  private static final SerializableString N_PPID = new SerializedString("ppid");
  private static final SerializableString N_RESULT = new SerializedString("result");
  private static final SerializableString N_SCHEMA_VERSION = new SerializedString("schema_version");
  private static final SerializableString N_SEQ = new SerializedString("seq");
  private static final SerializableString N_SIGNAL = new SerializedString("signal");
  private static final SerializableString N_SYSCALL = new SerializedString("syscall");
  private static final SerializableString N_TGID = new SerializedString("tgid");
  private static final SerializableString N_THREAD = new SerializedString("thread");
  private static final SerializableString N_TIME = new SerializedString("time");
  private static final SerializableString N_TRUNCATED = new SerializedString("truncated");
  private static final SerializableString N_TYPE = new SerializedString("type");
  private static final SerializableString N_UID = new SerializedString("uid");

  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  /**
   * The version of the line format ({@code docs/schema/ftguard-events.schema.json}), the second
   * field of every event, drop and policy_reload line: additions keep it, anything else bumps it.
   */
  public static final int SCHEMA_VERSION = 1;

  /**
   * Writes events as JSON lines: no separator between root values, the writer ends each line itself
   * ({@link EventLineWriter}).
   */
  static final JsonMapper LINES =
      JsonMapper.builder(
              JsonFactory.builder().rootValueSeparator((SerializableString) null).build())
          .build();

  /** A generator that writes root values one after the other, nothing between them. */
  public static JsonGenerator linesGenerator(java.io.OutputStream out) {
    return LINES.createGenerator(out);
  }

  /** One event as a JSON object, fields in schema order; call fields named {@code fieldN}. */
  public static ObjectNode event(Event event) {
    return event(event, CallFieldNames.NONE);
  }

  /**
   * One event as a JSON object, fields in schema order; call fields named by {@code names}: the
   * line {@link EventLineWriter} writes, read back (for the callers that need a tree).
   */
  public static ObjectNode event(Event event, CallFieldNames names) {
    return event(event, names, null);
  }

  /** One event with {@code extra}'s fields after its own (may be null) as a JSON object. */
  public static ObjectNode event(Event event, CallFieldNames names, ExtraFields extra) {
    return (ObjectNode) MAPPER.readTree(line(event, names, extra));
  }

  /** One event's line (without line end), {@code extra}'s fields after its own (may be null). */
  public static String line(Event event, CallFieldNames names, ExtraFields extra) {
    var bytes = new java.io.ByteArrayOutputStream(1024);
    try (EventLineWriter w = new EventLineWriter(bytes)) {
      w.object(event, names, extra);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Writes the fields of one event (inside its object), in schema order. */
  static void fields(JsonGenerator g, Event event, CallFieldNames names) {
    common(g, event);
    switch (event) {
      case ExecEvent e -> exec(g, e);
      case ForkEvent f -> {
        num(g, N_CHILD_PID, f.childPid());
        unsigned(g, N_CLONE_FLAGS, f.cloneFlags());
        bool(g, N_THREAD, f.isThread());
      }
      case ExitEvent x -> exit(g, x);
      case DecisionEvent d -> DecisionJson.decision(g, d);
      case CallEvent c -> CallJson.call(g, c, names);
      case TamperEvent t -> tamper(g, t);
    }
  }

  /** The fields every event line starts with: type, schema version, then the header's. */
  private static void common(JsonGenerator g, Event event) {
    Header h = event.header();
    str(g, N_TYPE, event.eventType().jsonName());
    num(g, N_SCHEMA_VERSION, SCHEMA_VERSION);
    unsigned(g, N_SEQ, h.seq());
    g.writeName(N_TIME);
    Times.write(g, h.wallNs());
    unsigned(g, N_MONO_NS, h.monoNs());
    num(g, N_CPU, h.cpu());
    num(g, N_PID, h.pid());
    num(g, N_TGID, h.tgid());
    num(g, N_PPID, h.ppid());
    num(g, N_UID, h.uid());
    num(g, N_GID, h.gid());
    num(g, N_EUID, h.euid());
    str(g, N_COMM, h.comm());
    unsigned(g, N_CGROUP_ID, h.cgroupId());
  }

  /** The fields of an {@code exec} line after the common ones. */
  private static void exec(JsonGenerator g, ExecEvent e) {
    str(g, N_SYSCALL, e.syscall());
    str(g, N_FILENAME, e.filename());
    strings(g, N_ARGV, e.argv());
    num(g, N_ARGC, e.argc());
    num(g, N_RESULT, e.result());
    if (e.result() < 0) {
      str(g, N_ERRNO, Errno.name(-e.result()));
    }
    g.writeName(N_TRUNCATED);
    g.writeStartObject();
    bool(g, N_FILENAME, e.filenameTruncated());
    bool(g, N_ARGV, e.argvTruncated());
    g.writeEndObject();
    g.writeName(N_FAULT);
    g.writeStartObject();
    bool(g, N_FILENAME, e.filenameFault());
    bool(g, N_ARGV, e.argvFault());
    g.writeEndObject();
    if (e.isExecveat()) {
      num(g, N_DIRFD, e.dirfd());
      num(g, N_AT_FLAGS, e.atFlags());
    }
    if (e.cwd().isPresent() || e.file().isPresent()) {
      g.writeName(N_IMAGE);
      g.writeStartObject();
      if (e.cwd().isPresent()) {
        str(g, N_CWD, e.cwd().get());
      }
      if (e.file().isPresent()) {
        ExecEvent.ExecFile f = e.file().get();
        g.writeName(N_EXE);
        g.writeStartObject();
        str(
            g,
            N_DEV,
            Integer.toUnsignedString(f.devMajor()) + ":" + Integer.toUnsignedString(f.devMinor()));
        unsigned(g, N_INO, f.ino());
        unsigned(g, N_SIZE, f.size());
        num(g, N_CTIME_SEC, f.ctimeSec());
        num(g, N_CTIME_NSEC, Integer.toUnsignedLong(f.ctimeNsec()));
        g.writeEndObject();
      }
      g.writeEndObject();
    }
  }

  /** The fields of an {@code exit} line after the common ones. */
  private static void exit(JsonGenerator g, ExitEvent x) {
    num(g, N_CODE, x.code());
    switch (x.status()) {
      case ExitStatus.Exited(int status) -> num(g, N_EXIT_STATUS, status);
      case ExitStatus.Signaled(int signal, boolean core) -> {
        num(g, N_SIGNAL, signal);
        bool(g, N_CORE_DUMPED, core);
      }
      case ExitStatus.Other _ -> {}
    }
    bool(g, N_GROUP_DEAD, x.groupDead());
  }

  /** The fields of a {@code tamper} line after the common ones. */
  private static void tamper(JsonGenerator g, TamperEvent t) {
    g.writeStringProperty("what", t.what().yamlName());
    g.writeStringProperty("target", t.target());
    g.writeBooleanProperty("refused", t.refused());
    g.writeNumberProperty("result", t.result());
    if (t.result() < 0 && t.result() >= -Abi.ERRNO_MAX) {
      g.writeStringProperty("errno", Errno.name(-t.result()));
    }
    g.writeBooleanProperty("locked", t.locked());
    unsigned(g, "generation", t.generation());
  }

  /** Writes a string property named by a pre-encoded name. */
  public static void str(JsonGenerator g, SerializableString name, String value) {
    g.writeName(name);
    g.writeString(value);
  }

  /** Writes a number property named by a pre-encoded name. */
  public static void num(JsonGenerator g, SerializableString name, long value) {
    g.writeName(name);
    g.writeNumber(value);
  }

  /** Writes a boolean property named by a pre-encoded name. */
  public static void bool(JsonGenerator g, SerializableString name, boolean value) {
    g.writeName(name);
    g.writeBoolean(value);
  }

  /** Writes an array of strings as property {@code name} (pre-encoded). */
  public static void strings(JsonGenerator g, SerializableString name, List<String> values) {
    g.writeName(name);
    stringArray(g, values);
  }

  /** Writes a u64 as an unsigned JSON number (values past 2^63 too), name pre-encoded. */
  static void unsigned(JsonGenerator g, SerializableString name, long value) {
    g.writeName(name);
    unsigned(g, value);
  }

  /** Writes an array of strings as property {@code name}. */
  public static void strings(JsonGenerator g, String name, List<String> values) {
    g.writeName(name);
    stringArray(g, values);
  }

  private static void stringArray(JsonGenerator g, List<String> values) {
    g.writeStartArray();
    for (int i = 0, n = values.size(); i < n; i++) {
      g.writeString(values.get(i));
    }
    g.writeEndArray();
  }

  /** Writes a u64 as an unsigned JSON number (values past 2^63 too). */
  static void unsigned(JsonGenerator g, String name, long value) {
    g.writeName(name);
    unsigned(g, value);
  }

  /** Writes a u64 value as an unsigned JSON number (values past 2^63 too). */
  static void unsigned(JsonGenerator g, long value) {
    if (value >= 0) {
      g.writeNumber(value);
    } else {
      g.writeNumber(Long.toUnsignedString(value));
    }
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
