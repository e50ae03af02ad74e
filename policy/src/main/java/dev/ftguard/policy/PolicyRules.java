package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YSeq;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** A {@code kind: Policy} document's spec: mode, priority, hooks and rules. */
final class PolicyRules extends YamlChecks {
  private final HookDecls hookDecls;
  private final MatchSelectors selectors;
  private final CallMatches calls;
  private int ruleCount;
  private boolean ruleLimitReported;

  PolicyRules(
      List<PolicyError> errors, HookDecls hookDecls, MatchSelectors selectors, CallMatches calls) {
    super(errors);
    this.hookDecls = hookDecls;
    this.selectors = selectors;
    this.calls = calls;
  }

  /** The policy of a {@code kind: Policy} document; null when it has errors. */
  Policy policy(Documents.Header h) {
    YMap spec = h.spec();
    keys(
        spec,
        "Policy spec",
        List.of("mode", "priority", "description", "hooks", "rules"),
        List.of("rules"));
    description(spec);
    Mode mode = Mode.ENFORCE;
    var mo = spec.get("mode");
    if (mo != null) {
      mode = named(mo.value(), "mode", Mode.values(), Mode::yamlName);
    }
    int priority = 0;
    var pr = spec.get("priority");
    if (pr != null) {
      BigInteger p = integer(pr.value(), "priority", "write e.g. 'priority: 10'");
      if (p != null) {
        if (p.bitLength() > 31) {
          error(
              pr.value().at(),
              "priority " + p + " is out of range",
              "use a value from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        } else {
          priority = p.intValue();
        }
      }
    }
    List<HookDecl> hooks = hookDecls.hooks(spec);
    Map<String, HookDecl> byFunction = new HashMap<>();
    hooks.forEach(hd -> byFunction.put(hd.function(), hd));
    List<Rule> rules = new ArrayList<>();
    var rs = spec.get("rules");
    if (rs != null) {
      YSeq seq = seq(rs.value(), "rules", "write 'rules:' followed by '- name: ...' items");
      if (seq != null) {
        if (seq.items().isEmpty()) {
          error(seq.at(), "policy has no rules", "add at least one rule, or remove the policy");
        }
        Map<String, Location> names = new HashMap<>();
        for (YNode rn : seq.items()) {
          ruleCount++;
          if (ruleCount > Limits.RULES && !ruleLimitReported) {
            ruleLimitReported = true;
            error(
                rn.at(),
                "too many rules: at most " + Limits.RULES + " in all loaded files",
                "merge rules with lists or globs, or load fewer policies");
          }
          Rule r = rule(rn, names, byFunction);
          if (r != null) {
            rules.add(r);
          }
        }
      }
    }
    if (mode == null || h.name() == null) {
      return null;
    }
    return new Policy(h.name(), mode, priority, hooks, rules, h.at());
  }

  private Rule rule(YNode rn, Map<String, Location> names, Map<String, HookDecl> hooks) {
    YMap m = map(rn, "rule", "write each rule as '- name: ...' with event, match and action");
    if (m == null) {
      return null;
    }
    keys(
        m,
        "rule",
        List.of("name", "description", "event", "function", "syscall", "match", "action", "errno"),
        List.of("name", "event", "action"));
    description(m);
    String name = null;
    var n = m.get("name");
    if (n != null) {
      name = name(n.value(), "rule name");
      if (name != null) {
        Location first = names.putIfAbsent(name, n.value().at());
        if (first != null) {
          error(
              n.value().at(),
              "duplicate rule name '" + name + "' in this policy (first at " + first + ")",
              "rule names must be unique within a policy; rename one");
        }
      }
    }
    Kind event = null;
    var ev = m.get("event");
    if (ev != null) {
      event = named(ev.value(), "event", Kind.values(), Kind::yamlName);
    }
    Action action = null;
    var ac = m.get("action");
    if (ac != null) {
      action = named(ac.value(), "action", Action.values(), Action::yamlName);
    }
    OptionalInt errno = OptionalInt.empty();
    var er = m.get("errno");
    if (er != null) {
      Integer e =
          named(
              er.value(),
              "errno",
              DenyErrnos.ALLOWED.toArray(Integer[]::new),
              dev.ftguard.abi.Errno::name);
      if (action != null && !Actions.denies(action)) {
        error(
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
    HookDecl hook = null;
    boolean hookOk = true;
    if (event != null) {
      for (String k : List.of("function", "syscall")) {
        var e = m.get(k);
        if (e != null && event != Kind.CALL) {
          error(
              e.keyAt(),
              "'" + k + "' is only for rules of event 'call', not '" + event.yamlName() + "'",
              "remove it");
        }
      }
      if (event == Kind.CALL) {
        hook = calls.ruleHook(m, hooks);
        hookOk = hook != null;
        if (action != null && Actions.kills(action)) {
          error(
              ac.value().at(),
              "action '" + action.yamlName() + "' is not available for event 'call'",
              "use 'deny' (on a function that is safe to fail) or 'audit'; a hooked function may run in any context, where no process can be killed safely");
          action = null;
        }
      }
    }
    Match match = null;
    if (event != null && hookOk) {
      var ma = m.get("match");
      YMap mm =
          ma == null
              ? new YMap(m.at(), List.of())
              : map(
                  ma.value(),
                  "match",
                  "write 'match:' followed by selectors, e.g. 'binary: {exact: [/bin/sh]}'");
      if (mm != null) {
        match = event == Kind.CALL ? calls.callMatch(hook, mm) : selectors.match(event, mm);
      }
    }
    if (name == null || event == null || action == null || match == null) {
      return null;
    }
    return new Rule(name, event, match, action, errno, m.at());
  }
}
