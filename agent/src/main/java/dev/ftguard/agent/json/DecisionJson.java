package dev.ftguard.agent.json;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent;
import tools.jackson.core.JsonGenerator;

/** The fields of a {@code decision} line after the common ones (docs/events.md). */
final class DecisionJson {
  private DecisionJson() {}

  static void decision(JsonGenerator g, DecisionEvent d) {
    EventJson.unsigned(g, "generation", d.generation());
    g.writeNumberProperty("rule_index", d.rule());
    g.writeStringProperty("policy", d.policy());
    g.writeStringProperty("rule", d.ruleName());
    g.writeStringProperty("event", d.kind().yamlName());
    g.writeStringProperty("action", d.action().yamlName());
    g.writeStringProperty("mode", d.mode().yamlName());
    g.writeBooleanProperty("would", d.would());
    g.writeStringProperty("label", d.label());
    g.writeNumberProperty("result", d.result());
    if (d.errnoName().isPresent()) {
      g.writeStringProperty("errno", d.errnoName().get());
    }
    g.writeStringProperty("binary", d.binary());
    g.writeStringProperty("object", d.object());
    if (d.byIdentity()) {
      g.writeBooleanProperty("by_identity", true);
    }
    EventJson.strings(g, "argv", d.argv());
    g.writeNumberProperty("argc", d.argc());
    kind(g, d);
    g.writeName("truncated");
    g.writeStartObject();
    g.writeBooleanProperty("binary", d.binaryTruncated());
    g.writeBooleanProperty("object", d.objectTruncated());
    g.writeBooleanProperty("argv", d.argvTruncated());
    g.writeEndObject();
    g.writeName("fault");
    g.writeStartObject();
    g.writeBooleanProperty("argv", d.argvFault());
    g.writeEndObject();
  }

  /** The fields of the decision's kind. */
  private static void kind(JsonGenerator g, DecisionEvent d) {
    switch (d.kind()) {
      case OPEN -> EventJson.strings(g, "access", d.maskNames());
      case CONNECT -> {
        g.writeStringProperty("address", d.address().map(EventJson::address).orElse(""));
        g.writeNumberProperty("port", d.port());
        g.writeStringProperty(
            "family",
            switch (d.family()) {
              case Abi.AF_INET -> "ipv4";
              case Abi.AF_INET6 -> "ipv6";
              default -> Integer.toString(d.family());
            });
      }
      case PTRACE -> g.writeNumberProperty("target_pid", d.targetPid());
      case PRIVILEGE -> {
        EventJson.strings(g, "gains", d.maskNames());
        g.writeNumberProperty("new_uid", d.newUid());
        g.writeNumberProperty("new_euid", d.newEuid());
      }
      case EXEC -> {
        g.writeStringProperty("via", d.via());
        if (d.contentLabel().isPresent()) {
          g.writeStringProperty("sha256", d.contentLabel().get());
        }
      }
      case MODULE_LOAD, CALL -> {}
    }
  }
}
