package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import dev.ftguard.policy.YNode.YSeq;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** A {@code kind: Policy} document's spec: mode, priority, hooks and rules. */
final class PolicyRules {
  private final YamlChecks yaml;
  private final HookDecls hookDecls;
  private final MatchSelectors selectors;
  private final CallMatches calls;
  private int ruleCount;
  private boolean ruleLimitReported;

  PolicyRules(YamlChecks yaml, HookDecls hookDecls, MatchSelectors selectors, CallMatches calls) {
    this.yaml = yaml;
    this.hookDecls = hookDecls;
    this.selectors = selectors;
    this.calls = calls;
  }

  /** The policy of a {@code kind: Policy} document; null when it has errors. */
  Policy policy(Documents.Header h) {
    YMap spec = h.spec();
    yaml.keys(
        spec,
        "Policy spec",
        List.of("mode", "priority", "description", "lock", "hooks", "rules"),
        List.of("rules"));
    yaml.description(spec);
    Mode mode = Mode.ENFORCE;
    var mo = spec.get("mode");
    if (mo != null) {
      mode = yaml.named(mo.value(), "mode", Mode.values(), Mode::yamlName);
    }
    int priority = priority(spec.get("priority"));
    List<HookDecl> hooks = hookDecls.hooks(spec);
    Map<String, HookDecl> byFunction = new HashMap<>();
    hooks.forEach(hd -> byFunction.put(hd.function(), hd));
    var rs = spec.get("rules");
    List<Rule> rules = rs == null ? new ArrayList<>() : rules(rs.value(), byFunction);
    if (mode == null || h.name() == null) {
      return null;
    }
    return new Policy(h.name(), mode, priority, hooks, rules, lock(spec.get("lock")), h.at());
  }

  /** The policy's {@code lock:}, a boolean; false when absent or wrong. */
  private boolean lock(YMap.Entry lk) {
    if (lk == null) {
      return false;
    }
    if (lk.value() instanceof YScalar s && s.type() == YScalar.Type.BOOL) {
      return Boolean.parseBoolean(s.text());
    }
    yaml.typeError(
        lk.value(),
        "lock",
        "a boolean",
        "write 'lock: true' to lock the module once this policy is in force, or leave it out");
    return false;
  }

  /** The policy's {@code priority:}, an int; 0 when absent or wrong. */
  private int priority(YMap.Entry pr) {
    if (pr == null) {
      return 0;
    }
    BigInteger p = yaml.integer(pr.value(), "priority", "write e.g. 'priority: 10'");
    if (p == null) {
      return 0;
    }
    if (p.bitLength() > 31) {
      yaml.error(
          pr.value().at(),
          "priority " + p + " is out of range",
          "use a value from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
      return 0;
    }
    return p.intValue();
  }

  /**
   * The {@code rules:} of a policy whose hooks are {@code hooks}; the rules without errors. Counts
   * them against the limit for all loaded files.
   */
  private List<Rule> rules(YNode rs, Map<String, HookDecl> hooks) {
    List<Rule> rules = new ArrayList<>();
    YSeq seq = yaml.seq(rs, "rules", "write 'rules:' followed by '- name: ...' items");
    if (seq == null) {
      return rules;
    }
    if (seq.items().isEmpty()) {
      yaml.error(seq.at(), "policy has no rules", "add at least one rule, or remove the policy");
    }
    Map<String, Location> names = new HashMap<>();
    for (YNode rn : seq.items()) {
      ruleCount++;
      if (ruleCount > Limits.RULES && !ruleLimitReported) {
        ruleLimitReported = true;
        yaml.error(
            rn.at(),
            "too many rules: at most " + Limits.RULES + " in all loaded files",
            "merge rules with lists or globs, or load fewer policies");
      }
      Rule r = rule(rn, names, hooks);
      if (r != null) {
        rules.add(r);
      }
    }
    return rules;
  }

  private Rule rule(YNode rn, Map<String, Location> names, Map<String, HookDecl> hooks) {
    YMap m = yaml.map(rn, "rule", "write each rule as '- name: ...' with event, match and action");
    if (m == null) {
      return null;
    }
    yaml.keys(
        m,
        "rule",
        List.of("name", "description", "event", "function", "syscall", "match", "action", "errno"),
        List.of("name", "event", "action"));
    yaml.description(m);
    String name = ruleName(m.get("name"), names);
    Kind event = null;
    var ev = m.get("event");
    if (ev != null) {
      event = yaml.named(ev.value(), "event", Kind.values(), Kind::yamlName);
    }
    Action action = null;
    var ac = m.get("action");
    if (ac != null) {
      action = yaml.named(ac.value(), "action", Action.values(), Action::yamlName);
    }
    OptionalInt errno = errno(m.get("errno"), action);
    Match match = null;
    if (event != null) {
      checkCallOnlyKeys(m, event);
      if (event == Kind.CALL) {
        HookDecl hook = calls.ruleHook(m, hooks);
        if (action != null && Actions.kills(action)) {
          yaml.error(
              ac.value().at(),
              "action '" + action.yamlName() + "' is not available for event 'call'",
              "use 'deny' (on a function that is safe to fail) or 'audit'; a hooked function may run in any context, where no process can be killed safely");
          action = null;
        }
        if (hook != null) {
          match = match(m, event, hook);
        }
      } else {
        match = match(m, event, null);
      }
    }
    if (name == null || event == null || action == null || match == null) {
      return null;
    }
    return new Rule(name, event, match, action, errno, m.at());
  }

  /** A rule's {@code name:}, unique in the policy; null when absent or not a name. */
  private String ruleName(YMap.Entry n, Map<String, Location> names) {
    if (n == null) {
      return null;
    }
    String name = yaml.name(n.value(), "rule name");
    if (name != null) {
      Location first = names.putIfAbsent(name, n.value().at());
      if (first != null) {
        yaml.error(
            n.value().at(),
            "duplicate rule name '" + name + "' in this policy (first at " + first + ")",
            "rule names must be unique within a policy; rename one");
      }
    }
    return name;
  }

  /**
   * The errno a rule of {@code action} denies with: its {@code errno:}, or the default for a deny
   * action without one; none for other actions.
   */
  private OptionalInt errno(YMap.Entry er, Action action) {
    OptionalInt errno = OptionalInt.empty();
    if (er != null) {
      Integer e =
          yaml.named(
              er.value(),
              "errno",
              DenyErrnos.ALLOWED.toArray(Integer[]::new),
              dev.ftguard.abi.Errno::name);
      if (action != null && !Actions.denies(action)) {
        yaml.error(
            er.keyAt(),
            "errno is only valid with action deny or deny+kill, not '" + action.yamlName() + "'",
            "remove errno, or use action: deny");
      }
      errno = e == null ? OptionalInt.empty() : OptionalInt.of(e);
    }
    if (action != null && Actions.denies(action) && errno.isEmpty()) {
      errno = OptionalInt.of(DenyErrnos.DEFAULT);
    }
    if (action != null && !Actions.denies(action)) {
      errno = OptionalInt.empty();
    }
    return errno;
  }

  /** {@code function:} and {@code syscall:} are only for rules of event {@code call}. */
  private void checkCallOnlyKeys(YMap m, Kind event) {
    for (String k : List.of("function", "syscall")) {
      var e = m.get(k);
      if (e != null && event != Kind.CALL) {
        yaml.error(
            e.keyAt(),
            "'" + k + "' is only for rules of event 'call', not '" + event.yamlName() + "'",
            "remove it");
      }
    }
  }

  /** The rule's {@code match:} (none: matches every event); {@code hook} for a call rule. */
  private Match match(YMap m, Kind event, HookDecl hook) {
    var ma = m.get("match");
    YMap mm =
        ma == null
            ? new YMap(m.at(), List.of())
            : yaml.map(
                ma.value(),
                "match",
                "write 'match:' followed by selectors, e.g. 'binary: {exact: [/bin/sh]}'");
    if (mm == null) {
      return null;
    }
    return event == Kind.CALL ? calls.callMatch(hook, mm) : selectors.match(event, mm);
  }
}
