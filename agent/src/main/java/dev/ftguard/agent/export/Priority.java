package dev.ftguard.agent.export;

import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.TamperEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The syslog priority of a line (syslog(3), sd-daemon(3)): what the {@link JournalSink} puts in
 * front of it as {@code <N>}. The one place that decides it, by event type and decision
 * (docs/export.md, "Journal"):
 *
 * <ul>
 *   <li>tamper: {@link #ERR} when the attempt went ahead (protection off), {@link #WARNING} when
 *       refused;
 *   <li>decision and call: an enforced deny, kill or deny+kill {@link #WARNING}; a monitor policy's
 *       "would" record of one {@link #NOTICE}; allow and audit {@link #INFO};
 *   <li>exec {@link #INFO}; fork and exit {@link #DEBUG};
 *   <li>notices: {@code drop} (the kernel lost records) {@link #WARNING}; {@code policy_reload}
 *       {@link #NOTICE}, {@link #ERR} when it failed (the old rules stay); any other {@link
 *       #NOTICE}.
 * </ul>
 */
public enum Priority {
  EMERG,
  ALERT,
  CRIT,
  ERR,
  WARNING,
  NOTICE,
  INFO,
  DEBUG;

  /** The syslog level number, 0 (emerg) to 7 (debug). */
  public int level() {
    return ordinal();
  }

  /** The sd-daemon(3) prefix, e.g. {@code <4>}. */
  public String prefix() {
    return "<" + level() + ">";
  }

  /** An event's priority. */
  public static Priority of(Event event) {
    return switch (event) {
      case TamperEvent t -> t.refused() ? WARNING : ERR;
      case DecisionEvent d -> decision(d.action(), d.would());
      case CallEvent c -> decision(c.action(), c.would());
      case ExecEvent _ -> INFO;
      case ForkEvent _, ExitEvent _ -> DEBUG;
    };
  }

  /** A rule's action, enforced or (monitor) would-be. */
  static Priority decision(DecisionEvent.Action action, boolean would) {
    return switch (action) {
      case ALLOW, AUDIT -> INFO;
      case DENY, KILL, DENY_KILL -> would ? NOTICE : WARNING;
    };
  }

  /** A stream notice's priority, by its {@code "type"} (and {@code "ok"} for a reload). */
  public static Priority ofNotice(ObjectNode json) {
    JsonNode type = json.get("type");
    String t = type == null ? "" : type.asString();
    return switch (t) {
      case "drop" -> WARNING;
      case "policy_reload" -> {
        JsonNode ok = json.get("ok");
        yield ok != null && ok.isBoolean() && !ok.asBoolean() ? ERR : NOTICE;
      }
      default -> NOTICE;
    };
  }
}
