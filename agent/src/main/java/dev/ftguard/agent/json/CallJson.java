package dev.ftguard.agent.json;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Errno;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JsonGenerator;

/**
 * The fields of a {@code call} line after the common ones: the rule that matched, the function, the
 * value returned instead for a deny, and the arguments by field name ({@code null} for a field that
 * could not be read; {@code truncated}, {@code partial} and {@code unreadable} list the fields so
 * marked). An address field is shown with the family field before it.
 */
final class CallJson {
  private CallJson() {}

  static void call(JsonGenerator g, CallEvent c, CallFieldNames names) {
    rule(g, c);
    args(g, c, fieldNames(c, names));
  }

  /** The rule, function and (for a deny) returned value of a {@code call} line. */
  private static void rule(JsonGenerator g, CallEvent c) {
    EventJson.unsigned(g, "generation", c.generation());
    g.writeNumberProperty("rule_index", c.rule());
    g.writeNumberProperty("hook_index", c.hook());
    g.writeStringProperty("policy", c.policy());
    g.writeStringProperty("rule", c.ruleName());
    g.writeStringProperty("event", DecisionEvent.Kind.CALL.yamlName());
    g.writeStringProperty("action", c.action().yamlName());
    g.writeStringProperty("mode", c.mode().yamlName());
    g.writeBooleanProperty("would", c.would());
    g.writeStringProperty("function", c.function());
    if (c.denied()) {
      g.writeNumberProperty("retval", c.retval());
      if (c.retval() < 0 && c.retval() >= -Abi.ERRNO_MAX) {
        g.writeStringProperty("errno", Errno.name((int) -c.retval()));
      }
    }
  }

  /** The names of the call's fields: {@code names}' when it has one per field, else fieldN. */
  private static List<String> fieldNames(CallEvent c, CallFieldNames names) {
    List<String> known = names.names(c.function()).orElse(List.of());
    List<String> fieldNames = new ArrayList<>();
    for (int i = 0; i < c.fields().size(); i++) {
      fieldNames.add(known.size() == c.fields().size() ? known.get(i) : "field" + i);
    }
    return fieldNames;
  }

  /**
   * The {@code args} object of a {@code call} line and the {@code truncated}, {@code partial} and
   * {@code unreadable} lists of field names.
   */
  private static void args(JsonGenerator g, CallEvent c, List<String> fieldNames) {
    List<String> truncated = new ArrayList<>();
    List<String> partial = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    g.writeName("args");
    g.writeStartObject();
    long family = -1;
    for (int i = 0; i < c.fields().size(); i++) {
      CallEvent.Field f = c.fields().get(i);
      String name = fieldNames.get(i);
      if (!arg(g, name, f, family)) {
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
    g.writeEndObject();
    EventJson.strings(g, "truncated", truncated);
    EventJson.strings(g, "partial", partial);
    EventJson.strings(g, "unreadable", unreadable);
  }

  /**
   * Writes one call field of {@code args}; an address field is read with {@code family}, the value
   * of the field before it (-1 if none).
   *
   * @return false when the field could not be read (then written as {@code null})
   */
  private static boolean arg(JsonGenerator g, String name, CallEvent.Field f, long family) {
    g.writeName(name);
    if (f.fault()) {
      g.writeNull();
      return false;
    }
    switch (f) {
      case CallEvent.IntField n -> {
        if (n.signed()) {
          g.writeNumber(n.value());
        } else {
          EventJson.unsigned(g, n.value());
        }
      }
      case CallEvent.StrField str -> g.writeString(str.value());
      case CallEvent.AddrField a -> {
        Optional<InetAddress> addr = a.address(family);
        if (addr.isEmpty()) {
          g.writeNull();
          return false;
        }
        g.writeString(EventJson.address(addr.get()));
      }
    }
    return true;
  }
}
