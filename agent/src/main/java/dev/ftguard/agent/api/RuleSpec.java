package dev.ftguard.agent.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule declared in Java: the same fields as a policy's {@code rules:} item
 * ([policy.md](docs/policy.md), [hooks.md](docs/hooks.md)), validated the same way when its policy
 * is built. Selector values are the language's own: a map of {@code exact}/{@code prefix}/{@code
 * glob} lists for paths and strings, {@code in} lists for ids, ports and integers, {@code mask} for
 * integers.
 *
 * <pre>{@code
 * RuleSpec locked = RuleSpec.call("locked", mkdir)
 *     .arg("path", Map.of("prefix", List.of("/srv/locked/")))
 *     .deny("EACCES");
 * RuleSpec tmp = RuleSpec.event("exec-from-tmp", "exec")
 *     .match("binary", Map.of("prefix", List.of("/tmp/")))
 *     .deny("EPERM");
 * }</pre>
 */
public final class RuleSpec {
  private final Map<String, Object> doc = new LinkedHashMap<>();
  private final Map<String, Object> match = new LinkedHashMap<>();
  private final Map<String, Object> args = new LinkedHashMap<>();

  private RuleSpec(String name, String event) {
    doc.put("name", name);
    doc.put("event", event);
  }

  /** A rule on one of the built-in events: exec, open, connect, module_load, ptrace, privilege. */
  public static RuleSpec event(String name, String event) {
    return new RuleSpec(name, event);
  }

  /** A rule on calls of a hooked function (declared in the same policy). */
  public static RuleSpec call(String name, HookSpec hook) {
    RuleSpec r = new RuleSpec(name, "call");
    r.doc.put(hook.key(), hook.name());
    return r;
  }

  /** A selector of {@code match:}, e.g. {@code match("uid", Map.of("in", List.of(0)))}. */
  public RuleSpec match(String selector, Object value) {
    match.put(selector, value);
    return this;
  }

  /** A selector on a call field, e.g. {@code arg("mode", Map.of("mask", Map.of("any", 0x800)))}. */
  public RuleSpec arg(String field, Object value) {
    args.put(field, value);
    return this;
  }

  public RuleSpec allow() {
    return action("allow", null);
  }

  public RuleSpec audit() {
    return action("audit", null);
  }

  public RuleSpec deny(String errno) {
    return action("deny", errno);
  }

  public RuleSpec kill() {
    return action("kill", null);
  }

  public RuleSpec denyKill(String errno) {
    return action("deny+kill", errno);
  }

  private RuleSpec action(String action, String errno) {
    doc.put("action", action);
    if (errno != null) {
      doc.put("errno", errno);
    }
    return this;
  }

  Map<String, Object> document() {
    Map<String, Object> d = new LinkedHashMap<>(doc);
    Map<String, Object> m = new LinkedHashMap<>(match);
    if (!args.isEmpty()) {
      m.put("args", Map.copyOf(args));
    }
    if (!m.isEmpty()) {
      d.put("match", m);
    }
    return d;
  }

  static List<Map<String, Object>> documents(List<RuleSpec> rules) {
    return rules.stream().map(RuleSpec::document).toList();
  }
}
