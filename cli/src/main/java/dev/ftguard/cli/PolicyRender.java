package dev.ftguard.cli;

import dev.ftguard.abi.Errno;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.policy.Access;
import dev.ftguard.policy.Cidr;
import dev.ftguard.policy.FieldMatcher;
import dev.ftguard.policy.Gain;
import dev.ftguard.policy.HookDecl;
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
        put(out, "sha256", e.sha256());
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
      case Match.Call c -> {
        out.add(Map.entry("function", c.hook().function()));
        c.args().forEach((name, fm) -> out.add(Map.entry("args." + name, fm)));
        put(out, "binary", c.binary());
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
      for (HookDecl h : p.hooks()) {
        out.printf("  hook %s%n", hookText(h));
      }
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
        r.errno().ifPresent(e -> head.append(' ').append(Errno.name(e)));
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
          (m.negated() ? "notIn " : "in ")
              + String.join(", ", m.ranges().stream().map(Range::toString).toList());
      case List<?> l -> list(l.stream().map(String::valueOf).toList());
      case FieldMatcher.Str s -> valueText(s.matcher());
      case FieldMatcher.Ints i ->
          "in " + String.join(", ", i.ranges().stream().map(PolicyRender::intRange).toList());
      case FieldMatcher.Mask m ->
          "mask " + (m.all() ? "all" : "any") + " 0x" + Long.toHexString(m.bits());
      case FieldMatcher.Addr a ->
          "in " + list(a.networks().stream().map(PolicyRender::cidr).toList());
      default -> String.valueOf(v);
    };
  }

  private static String intRange(FieldMatcher.IntRange r) {
    return r.low() == r.high() ? Long.toString(r.low()) : r.low() + ".." + r.high();
  }

  /** A hook as one line: {@code function(name type [maxLength], ...)}, marked when a syscall. */
  static String hookText(HookDecl h) {
    return (h.syscall() ? "syscall " : "")
        + h.function()
        + "("
        + String.join(
            ", ",
            h.args().stream()
                .map(
                    a ->
                        a.name()
                            + " "
                            + a.type().yamlName()
                            + (a.type().hasLength() ? " " + a.maxLength() : "")
                            + (a.position() != h.args().indexOf(a) ? " @" + a.position() : ""))
                .toList())
        + ")";
  }

  private static String list(List<String> items) {
    return String.join(", ", items.stream().map(PolicyRender::quoteIfNeeded).toList());
  }

  /** A value as is, or JSON-quoted when it is empty or has spaces, commas, quotes or controls. */
  static String quoteIfNeeded(String s) {
    boolean plain = !s.isEmpty();
    for (int i = 0; plain && i < s.length(); i++) {
      char c = s.charAt(i);
      plain =
          c > ' ' && c != ',' && c != '"' && c != ';' && c != 0x7f && !Character.isWhitespace(c);
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
      if (!p.hooks().isEmpty()) {
        ArrayNode hooks = po.putArray("hooks");
        for (HookDecl h : p.hooks()) {
          ObjectNode ho = hooks.addObject();
          ho.put("function", h.function());
          ho.put("syscall", h.syscall());
          ArrayNode args = ho.putArray("args");
          for (HookDecl.Arg a : h.args()) {
            ObjectNode ao = args.addObject();
            ao.put("name", a.name());
            ao.put("type", a.type().yamlName());
            ao.put("position", a.position());
            if (a.type().hasLength()) {
              ao.put("maxLength", a.maxLength());
            }
          }
        }
      }
      ArrayNode rules = po.putArray("rules");
      for (Rule r : p.rules()) {
        ObjectNode ro = rules.addObject();
        ro.put("index", index++);
        ro.put("name", r.name());
        ro.put("event", r.event().yamlName());
        ro.put("action", r.action().yamlName());
        r.errno().ifPresent(e -> ro.put("errno", Errno.name(e)));
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
      case FieldMatcher.Str s -> valueJson(parent, name, s.matcher());
      case FieldMatcher.Ints i -> {
        ArrayNode a = parent.putObject(name).putArray("in");
        i.ranges()
            .forEach(
                r -> {
                  if (r.low() == r.high()) {
                    a.add(r.low());
                  } else {
                    a.add(intRange(r));
                  }
                });
      }
      case FieldMatcher.Mask m ->
          parent.putObject(name).putObject("mask").put(m.all() ? "all" : "any", m.bits());
      case FieldMatcher.Addr a -> {
        ArrayNode arr = parent.putObject(name).putArray("in");
        a.networks().forEach(c -> arr.add(cidr(c)));
      }
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
