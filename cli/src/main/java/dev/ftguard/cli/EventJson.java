package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ExitStatus;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.abi.HookInfo;
import dev.ftguard.abi.Stats;
import dev.ftguard.abi.Errno;
import java.math.BigInteger;
import java.time.Instant;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON form of events, drop notices and status; the schema is docs/events.md. */
public final class EventJson {
  private EventJson() {}

  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** One event as a JSON object, fields in schema order. */
  public static ObjectNode event(Event event) {
    ObjectNode o = MAPPER.createObjectNode();
    Header h = event.header();
    o.put(
        "type",
        switch (event) {
          case ExecEvent _ -> "exec";
          case ForkEvent _ -> "fork";
          case ExitEvent _ -> "exit";
        });
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
    switch (event) {
      case ExecEvent e -> {
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
      case ForkEvent f -> {
        o.put("child_pid", f.childPid());
        unsigned(o, "clone_flags", f.cloneFlags());
        o.put("thread", f.isThread());
      }
      case ExitEvent x -> {
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
    }
    return o;
  }

  /**
   * A {@code drop} line: records the kernel lost since the previous drop line (or since the
   * reader started), by reason, and the module's totals since load.
   */
  public static ObjectNode drop(Instant now, long[] delta, long[] total) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("type", "drop");
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
    return o;
  }

  public static ObjectNode hook(HookInfo h) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("index", h.index());
    o.put("name", h.name());
    o.put("attached", h.attached());
    o.put("ipmodify", h.ipModify());
    unsigned(o, "hits", h.hits());
    o.put("address", "0x" + Long.toHexString(h.address()));
    return o;
  }

  public static String line(ObjectNode node) {
    return MAPPER.writeValueAsString(node);
  }

  static void unsigned(ObjectNode o, String name, long value) {
    if (value >= 0) {
      o.put(name, value);
    } else {
      o.put(name, new BigInteger(Long.toUnsignedString(value)));
    }
  }
}
