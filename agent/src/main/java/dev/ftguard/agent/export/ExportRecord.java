package dev.ftguard.agent.export;

import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventType;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.TamperEvent;
import dev.ftguard.agent.json.CallFieldNames;
import dev.ftguard.agent.json.EventJson;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One line on its way out: its JSON text and, taken from the typed event when the record was made,
 * the values the export filters look at, so that no stage parses or searches the JSON.
 *
 * @param type the line's {@code "type"} ({@code exec}, {@code fork}, {@code exit}, {@code
 *     decision}, {@code call}, {@code drop}, {@code policy_reload}, ...); equal to the line's
 *     {@code "type"} field, its first
 * @param binary the binary the line is about, when known: the executed file name of an {@code
 *     exec}, the acting process's binary of a {@code decision} (the enrichment stage may set it for
 *     other events, see {@link #withBinary(String)})
 * @param rule the rule's name of a {@code decision} or a {@code call}
 * @param priority its syslog priority ({@link Priority#of(Event)}, {@link Priority#ofNotice})
 * @param line the line, without line end
 */
public record ExportRecord(
    String type, Optional<String> binary, Optional<String> rule, Priority priority, String line) {

  /** The event types ({@link EventType#jsonNames()}), subject to the filters and the rate limit. */
  public static final Set<String> EVENT_TYPES = Set.copyOf(EventType.jsonNames());

  /**
   * Notices about the stream itself ({@code drop}: the kernel lost records; {@code policy_reload}:
   * the rules changed): never filtered, never rate-limited.
   */
  public static final Set<String> NOTICE_TYPES = Set.of("drop", "policy_reload");

  public ExportRecord {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(binary, "binary");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(line, "line");
    String first = firstType(line);
    if (!type.equals(first)) {
      throw new IllegalArgumentException(
          "record type '" + type + "' differs from the line's \"type\": " + first);
    }
  }

  private static final String TYPE_FIRST = "{\"type\":\"";

  /** The line's {@code "type"} when it is its first field (as every line has it), else null. */
  private static String firstType(String line) {
    if (!line.startsWith(TYPE_FIRST)) {
      return null;
    }
    int end = line.indexOf('"', TYPE_FIRST.length());
    return end < 0 ? null : line.substring(TYPE_FIRST.length(), end);
  }

  /** An event's record: its line ({@link EventJson#line}) and its binary and rule name. */
  public static ExportRecord of(Event event) {
    return of(event, EventJson.line(event, CallFieldNames.NONE, null));
  }

  /**
   * An event's record with the line the caller wrote for it (e.g. with {@code call} field names, or
   * enriched; without line end): the type is the event's, the binary and rule come from the event.
   */
  public static ExportRecord of(Event event, String line) {
    String type = event.eventType().jsonName();
    Priority p = Priority.of(event);
    return switch (event) {
      case ExecEvent e -> new ExportRecord(type, nonEmpty(e.filename()), Optional.empty(), p, line);
      case ForkEvent _, ExitEvent _ ->
          new ExportRecord(type, Optional.empty(), Optional.empty(), p, line);
      case DecisionEvent d ->
          new ExportRecord(type, nonEmpty(d.binary()), nonEmpty(d.ruleName()), p, line);
      case CallEvent c -> new ExportRecord(type, Optional.empty(), nonEmpty(c.ruleName()), p, line);
      case TamperEvent _ -> new ExportRecord(type, Optional.empty(), Optional.empty(), p, line);
    };
  }

  /** A {@code drop} notice ({@link EventJson#drop(Instant, long[], long[])}). */
  public static ExportRecord drop(Instant now, long[] delta, long[] total) {
    return notice(EventJson.drop(now, delta, total));
  }

  /**
   * Any other line, e.g. {@code policy_reload}: the type is the object's {@code "type"}; no binary,
   * no rule.
   *
   * @throws IllegalArgumentException if the object has no string {@code "type"}
   */
  public static ExportRecord notice(ObjectNode json) {
    JsonNode t = json.get("type");
    if (t == null || !t.isString()) {
      throw new IllegalArgumentException("a line needs a string \"type\": " + json);
    }
    return new ExportRecord(
        t.asString(),
        Optional.empty(),
        Optional.empty(),
        Priority.ofNotice(json),
        EventJson.line(json));
  }

  /** This record with {@code binary} as its binary (for the enrichment stage). */
  public ExportRecord withBinary(String binary) {
    return new ExportRecord(type, nonEmpty(binary), rule, priority, line);
  }

  /**
   * Whether this is a stream notice ({@link #NOTICE_TYPES}): exempt from filters and rate limit.
   */
  public boolean notice() {
    return NOTICE_TYPES.contains(type);
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
