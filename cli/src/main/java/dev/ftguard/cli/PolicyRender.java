package dev.ftguard.cli;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.policy.Access;
import dev.ftguard.policy.Cidr;
import dev.ftguard.policy.Gain;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.PathMatcher;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.Range;
import dev.ftguard.policy.RangeMatcher;
import dev.ftguard.policy.Rule;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policies as {@code ftguard policy show} prints them: text for people, JSON whose {@code match}
 * objects use the policy language's selector names and value forms.
 */
final class PolicyRender {
  private PolicyRender() {}

  /** The table in force, as read back from the kernel. */
  record Shown(long generation, int bytes, List<Policy> policies) {
    int rules() {
      return policies.stream().mapToInt(p -> p.rules().size()).sum();
    }
  }

  /** Selectors of a rule in the order of the language reference, absent ones left out. */
  static List<Map.Entry<String, Object>> selectors(Match match) {
    List<Map.Entry<String, Object>> out = new ArrayList<>();
    switch (match) {
      case Match.Exec e -> {
        put(out, "binary", e.binary());
        put(out, "parentBinary", e.parentBinary());
        put(out, "ancestorBinary", e.ancestorBinary());
        put(out, "uid", e.uid());
        put(out, "euid", e.euid());
        put(out, "argvContains", e.argvContains());
        put(out, "fileless", e.fileless());
        put(out, "fromTempDir", e.fromTempDir());
      }
      case Match.Open o -> {
        put(out, "path", o.path());
        put(out, "access", sorted(o.access(), Access::ordinal, Access::yamlName));
        put(out, "binary", o.binary());
      }
      case Match.Connect c -> {
        put(out, "address", c.address().stream().map(PolicyRender::cidr).toList());
        put(out, "port", c.port());
        put(out, "binary", c.binary());
      }
      case Match.ModuleLoad m -> {
        put(out, "name", m.name());
        put(out, "binary", m.binary());
      }
      case Match.Ptrace p -> {
        put(out, "target", p.target());
        put(out, "binary", p.binary());
      }
      case Match.Privilege p -> {
        put(out, "binary", p.binary());
        put(out, "gains", sorted(p.gains(), Gain::ordinal, Gain::yamlName));
      }
    }
    return out;
  }

  /** A network as written in policies: short IPv6 form ({@code fd00::/8}). */
  static String cidr(Cidr c) {
    return EventJson.address(c.address()) + "/" + c.prefixLength();
  }

  private static void put(List<Map.Entry<String, Object>> out, String name, Optional<?> value) {
    value.ifPresent(v -> out.add(Map.entry(name, v)));
  }

  /** A list selector; an empty list is an absent selector. */
  private static void put(List<Map.Entry<String, Object>> out, String name, List<?> values) {
    if (!values.isEmpty()) {
      out.add(Map.entry(name, values));
    }
  }

  private static <T> List<String> sorted(
      Collection<T> values, Function<T, Integer> order, Function<T, String> name) {
    return values.stream().sorted(Comparator.comparing(order)).map(name).toList();
  }

  // ---- text -----------------------------------------------------------------------------------

  static void text(PrintWriter out, Shown t) {
    out.printf(
        "generation %s: %s, %s, %d bytes%n",
        Long.toUnsignedString(t.generation()),
        PolicyPipeline.plural(t.policies().size(), "policy", "policies"),
        PolicyPipeline.plural(t.rules(), "rule", "rules"),
        t.bytes());
    int index = 0;
    for (Policy p : t.policies()) {
      out.printf("%npolicy %s (%s, priority %d)%n", p.name(), p.mode().yamlName(), p.priority());
      for (Rule r : p.rules()) {
        StringBuilder head =
            new StringBuilder("  [")
                .append(index++)
                .append("] ")
                .append(r.name())
                .append(": ")
                .append(r.event().yamlName())
                .append(" -> ")
                .append(r.action().yamlName());
        r.errno().ifPresent(e -> head.append(' ').append(e.name()));
        out.println(head);
        List<Map.Entry<String, Object>> sel = selectors(r.match());
        if (sel.isEmpty()) {
          out.printf("      (every %s)%n", r.event().yamlName());
        }
        int w = sel.stream().mapToInt(e -> e.getKey().length()).max().orElse(0);
        for (Map.Entry<String, Object> e : sel) {
          out.printf("      %-" + w + "s  %s%n", e.getKey(), valueText(e.getValue()));
        }
      }
    }
  }

  private static String valueText(Object v) {
    return switch (v) {
      case PathMatcher m -> {
        List<String> parts = new ArrayList<>();
        if (!m.exact().isEmpty()) {
          parts.add("exact " + list(m.exact()));
        }
        if (!m.prefix().isEmpty()) {
          parts.add("prefix " + list(m.prefix()));
        }
        if (!m.glob().isEmpty()) {
          parts.add("glob " + list(m.glob()));
        }
        yield String.join("; ", parts);
      }
      case RangeMatcher m ->
          (m.negated() ? "notIn " : "in ") + String.join(", ", m.ranges().stream().map(Range::toString).toList());
      case List<?> l -> list(l.stream().map(String::valueOf).toList());
      default -> String.valueOf(v);
    };
  }

  private static String list(List<String> items) {
    return String.join(", ", items.stream().map(PolicyRender::quoteIfNeeded).toList());
  }

  /** A value as is, or JSON-quoted when it is empty or has spaces, commas, quotes or controls. */
  static String quoteIfNeeded(String s) {
    boolean plain = !s.isEmpty();
    for (int i = 0; plain && i < s.length(); i++) {
      char c = s.charAt(i);
      plain = c > ' ' && c != ',' && c != '"' && c != ';' && c != 0x7f && !Character.isWhitespace(c);
    }
    return plain ? s : EventJson.MAPPER.writeValueAsString(s);
  }

  // ---- JSON -----------------------------------------------------------------------------------

  static ObjectNode json(Shown t) {
    ObjectNode o = EventJson.MAPPER.createObjectNode();
    o.put("loaded", !t.policies().isEmpty());
    EventJson.unsigned(o, "generation", t.generation());
    o.put("bytes", t.bytes());
    o.put("policy_count", t.policies().size());
    o.put("rule_count", t.rules());
    ArrayNode policies = o.putArray("policies");
    int index = 0;
    for (Policy p : t.policies()) {
      ObjectNode po = policies.addObject();
      po.put("name", p.name());
      po.put("mode", p.mode().yamlName());
      po.put("priority", p.priority());
      ArrayNode rules = po.putArray("rules");
      for (Rule r : p.rules()) {
        ObjectNode ro = rules.addObject();
        ro.put("index", index++);
        ro.put("name", r.name());
        ro.put("event", r.event().yamlName());
        ro.put("action", r.action().yamlName());
        r.errno().ifPresent(e -> ro.put("errno", e.name()));
        ObjectNode match = ro.putObject("match");
        for (Map.Entry<String, Object> e : selectors(r.match())) {
          valueJson(match, e.getKey(), e.getValue());
        }
      }
    }
    return o;
  }

  private static void valueJson(ObjectNode parent, String name, Object v) {
    switch (v) {
      case PathMatcher m -> {
        ObjectNode o = parent.putObject(name);
        strings(o, "exact", m.exact());
        strings(o, "prefix", m.prefix());
        strings(o, "glob", m.glob());
      }
      case RangeMatcher m -> {
        ArrayNode a = parent.putObject(name).putArray(m.negated() ? "notIn" : "in");
        for (Range r : m.ranges()) {
          if (r.low() == r.high()) {
            a.add(r.low());
          } else {
            a.add(r.toString());
          }
        }
      }
      case Boolean b -> parent.put(name, b);
      case List<?> l -> {
        ArrayNode a = parent.putArray(name);
        l.forEach(x -> a.add(String.valueOf(x)));
      }
      default -> parent.put(name, String.valueOf(v));
    }
  }

  private static void strings(ObjectNode o, String name, List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode a = o.putArray(name);
      values.forEach(a::add);
    }
  }
}
