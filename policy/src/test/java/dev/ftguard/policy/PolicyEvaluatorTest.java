package dev.ftguard.policy;

import static dev.ftguard.policy.EvalFixtures.exec;
import static dev.ftguard.policy.EvalFixtures.load;
import static dev.ftguard.policy.EvalFixtures.open;
import static dev.ftguard.policy.EvalFixtures.policy;
import static dev.ftguard.policy.EvalFixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.abi.Errno;
import dev.ftguard.policy.Verdict.Decision;
import dev.ftguard.policy.Verdict.Finding;
import dev.ftguard.policy.Verdict.RuleRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The evaluation order and the meaning of actions and modes. */
class PolicyEvaluatorTest {
  static final String ANY_EXEC = "{}";
  static final String BASH = "{binary: {exact: [/bin/bash]}}";

  static Verdict eval(PolicySet set, Facts f) {
    return PolicyEvaluator.evaluate(set, f);
  }

  static Finding audit(String policy, String rule, Mode mode) {
    return new Finding(policy, rule, Action.AUDIT, mode);
  }

  static Finding would(String policy, String rule, Action action) {
    return new Finding(policy, rule, action, Mode.MONITOR);
  }

  static Decision block(String policy, String rule, Action action, Integer errno) {
    return new Decision.Block(
        new RuleRef(policy, rule),
        action,
        errno == null ? OptionalInt.empty() : OptionalInt.of(errno));
  }

  @Test
  void emptySetAllowsWithoutFindings() {
    Verdict v = eval(new PolicySet(List.of(), new LinkedHashMap<>()), exec("/bin/bash"));
    assertThat(v).isEqualTo(new Verdict(new Decision.NoMatch(), List.of()));
    assertThat(v.operationProceeds()).isTrue();
    assertThat(v.kills()).isFalse();
    assertThat(v.decision().action()).isEqualTo(Action.ALLOW);
    assertThat(v.decision().decidedBy()).isEmpty();
  }

  @Test
  void noMatchingRuleAllows() {
    PolicySet set = load(policy("p", "enforce", 0, rule("r", "exec", BASH, "deny")));
    assertThat(eval(set, exec("/bin/sh")).decision()).isEqualTo(new Decision.NoMatch());
  }

  @Test
  void rulesOfOtherEventsAreIgnored() {
    PolicySet set =
        load(
            policy(
                "p",
                "enforce",
                0,
                rule("o", "open", "{}", "deny") + rule("a", "exec", "{}", "audit")));
    Verdict v = eval(set, exec("/bin/sh"));
    assertThat(v.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(v.findings()).containsExactly(audit("p", "a", Mode.ENFORCE));
    assertThat(eval(set, open("/f", Access.READ)).decision())
        .isEqualTo(block("p", "o", Action.DENY, Errno.EPERM));
  }

  @Test
  void denyUsesTheRuleErrnoAndDefaultsToEperm() {
    PolicySet set =
        load(
            policy(
                "p",
                "enforce",
                0,
                """
        - {name: a, event: exec, match: {binary: {exact: [/a]}}, action: deny, errno: EACCES}
        - {name: b, event: exec, match: {binary: {exact: [/b]}}, action: deny}
        - {name: c, event: exec, match: {binary: {exact: [/c]}}, action: deny+kill, errno: ENOEXEC}
        - {name: d, event: exec, match: {binary: {exact: [/d]}}, action: kill}
        """));
    Verdict a = eval(set, exec("/a"));
    assertThat(a.decision()).isEqualTo(block("p", "a", Action.DENY, Errno.EACCES));
    assertThat(a.operationProceeds()).isFalse();
    assertThat(a.kills()).isFalse();
    assertThat(a.decision().errno()).hasValue(Errno.EACCES);
    assertThat(a.decision().decidedBy()).contains(new RuleRef("p", "a"));
    assertThat(eval(set, exec("/b")).decision())
        .isEqualTo(block("p", "b", Action.DENY, Errno.EPERM));
    Verdict c = eval(set, exec("/c"));
    assertThat(c.decision()).isEqualTo(block("p", "c", Action.DENY_KILL, Errno.ENOEXEC));
    assertThat(c.operationProceeds()).isFalse();
    assertThat(c.kills()).isTrue();
    Verdict d = eval(set, exec("/d"));
    assertThat(d.decision()).isEqualTo(block("p", "d", Action.KILL, null));
    assertThat(d.decision().errno()).isEmpty();
    assertThat(d.operationProceeds()).isTrue();
    assertThat(d.kills()).isTrue();
  }

  @Test
  void firstMatchWinsInDocumentOrder() {
    PolicySet set =
        load(
            policy(
                "p",
                "enforce",
                0,
                rule("first", "exec", BASH, "allow") + rule("second", "exec", ANY_EXEC, "deny")));
    assertThat(eval(set, exec("/bin/bash")).decision())
        .isEqualTo(new Decision.Allow(new RuleRef("p", "first")));
    assertThat(eval(set, exec("/bin/sh")).decision())
        .isEqualTo(block("p", "second", Action.DENY, Errno.EPERM));

    PolicySet reversed =
        load(
            policy(
                "p",
                "enforce",
                0,
                rule("second", "exec", ANY_EXEC, "deny") + rule("first", "exec", BASH, "allow")));
    assertThat(eval(reversed, exec("/bin/bash")).decision())
        .isEqualTo(block("p", "second", Action.DENY, Errno.EPERM));
  }

  @Test
  void allowEndsEvaluationAcrossPolicies() {
    PolicySet set =
        load(
            policy(
                "a-allow",
                "enforce",
                0,
                rule("ok", "exec", ANY_EXEC, "allow") + rule("later", "exec", ANY_EXEC, "audit")),
            policy("b-deny", "enforce", 0, rule("no", "exec", ANY_EXEC, "deny")),
            policy("c-audit", "enforce", 0, rule("seen", "exec", ANY_EXEC, "audit")));
    Verdict v = eval(set, exec("/bin/bash"));
    assertThat(v.decision()).isEqualTo(new Decision.Allow(new RuleRef("a-allow", "ok")));
    assertThat(v.findings()).isEmpty();
    assertThat(v.operationProceeds()).isTrue();
  }

  @Test
  void higherPriorityFirstThenNameRegardlessOfDocumentOrder() {
    PolicySet set =
        load(
            policy("zz-low", "enforce", -5, rule("r", "exec", ANY_EXEC, "deny")),
            policy("b", "enforce", 7, rule("r", "exec", ANY_EXEC, "audit")),
            policy("a", "enforce", 7, rule("r", "exec", ANY_EXEC, "audit")),
            policy("top", "enforce", 100, rule("r", "exec", ANY_EXEC, "audit")),
            policy("mid", "enforce", 0, rule("r", "exec", ANY_EXEC, "audit")));
    Verdict v = eval(set, exec("/bin/sh"));
    assertThat(v.findings()).extracting(Finding::policy).containsExactly("top", "a", "b", "mid");
    assertThat(v.decision()).isEqualTo(block("zz-low", "r", Action.DENY, Errno.EPERM));
  }

  @Test
  void priorityBeatsName() {
    PolicySet set =
        load(
            policy("a", "enforce", 0, rule("r", "exec", ANY_EXEC, "deny")),
            policy("z", "enforce", 1, rule("r", "exec", ANY_EXEC, "allow")));
    assertThat(eval(set, exec("/x")).decision())
        .isEqualTo(new Decision.Allow(new RuleRef("z", "r")));
  }

  @Test
  void extremePrioritiesOrderCorrectly() {
    PolicySet set =
        load(
            policy("min", "enforce", Integer.MIN_VALUE, rule("r", "exec", ANY_EXEC, "allow")),
            policy("max", "enforce", Integer.MAX_VALUE, rule("r", "exec", ANY_EXEC, "audit")));
    Verdict v = eval(set, exec("/x"));
    assertThat(v.findings()).containsExactly(audit("max", "r", Mode.ENFORCE));
    assertThat(v.decision()).isEqualTo(new Decision.Allow(new RuleRef("min", "r")));
  }

  @Test
  void auditRecordsAndContinuesUntilADecision() {
    PolicySet set =
        load(
            policy(
                "p1",
                "enforce",
                10,
                rule("a1", "exec", ANY_EXEC, "audit")
                    + rule("a2", "exec", BASH, "audit")
                    + rule("a3", "exec", ANY_EXEC, "audit")),
            policy(
                "p2",
                "enforce",
                5,
                rule("d", "exec", BASH, "deny") + rule("a4", "exec", ANY_EXEC, "audit")),
            policy("p3", "enforce", 0, rule("a5", "exec", ANY_EXEC, "audit")));
    Verdict bash = eval(set, exec("/bin/bash"));
    assertThat(bash.findings())
        .containsExactly(
            audit("p1", "a1", Mode.ENFORCE),
            audit("p1", "a2", Mode.ENFORCE),
            audit("p1", "a3", Mode.ENFORCE));
    assertThat(bash.decision()).isEqualTo(block("p2", "d", Action.DENY, Errno.EPERM));
    Verdict sh = eval(set, exec("/bin/sh"));
    assertThat(sh.findings())
        .containsExactly(
            audit("p1", "a1", Mode.ENFORCE),
            audit("p1", "a3", Mode.ENFORCE),
            audit("p2", "a4", Mode.ENFORCE),
            audit("p3", "a5", Mode.ENFORCE));
    assertThat(sh.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(sh.findings().getFirst().label()).isEqualTo("audit");
    assertThat(sh.findings().getFirst().would()).isFalse();
  }

  @Test
  void monitorRecordsWouldDenyWithoutBlockingAndSkipsTheRestOfThePolicy() {
    PolicySet set =
        load(
            policy(
                "watch",
                "monitor",
                10,
                rule("before", "exec", ANY_EXEC, "audit")
                    + rule("no-bash", "exec", BASH, "deny")
                    + rule("after", "exec", ANY_EXEC, "audit")
                    + rule("kill-all", "exec", ANY_EXEC, "kill")),
            policy("next", "enforce", 0, rule("seen", "exec", ANY_EXEC, "audit")));
    Verdict bash = eval(set, exec("/bin/bash"));
    assertThat(bash.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(bash.operationProceeds()).isTrue();
    assertThat(bash.kills()).isFalse();
    assertThat(bash.findings())
        .containsExactly(
            audit("watch", "before", Mode.MONITOR),
            would("watch", "no-bash", Action.DENY),
            audit("next", "seen", Mode.ENFORCE));
    assertThat(bash.findings().get(1).label()).isEqualTo("would deny");
    assertThat(bash.findings().get(1).would()).isTrue();
    Verdict sh = eval(set, exec("/bin/sh"));
    assertThat(sh.findings())
        .containsExactly(
            audit("watch", "before", Mode.MONITOR), audit("watch", "after", Mode.MONITOR),
            would("watch", "kill-all", Action.KILL), audit("next", "seen", Mode.ENFORCE));
    assertThat(sh.findings().get(2).label()).isEqualTo("would kill");
  }

  @Test
  void monitorWouldDenyKill() {
    PolicySet set = load(policy("m", "monitor", 0, rule("dk", "exec", ANY_EXEC, "deny+kill")));
    Verdict v = eval(set, exec("/x"));
    assertThat(v.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(v.findings()).containsExactly(would("m", "dk", Action.DENY_KILL));
    assertThat(v.findings().getFirst().label()).isEqualTo("would deny+kill");
  }

  @Test
  void monitorAllowSkipsTheRestOfThatPolicyOnly() {
    PolicySet set =
        load(
            policy(
                "m",
                "monitor",
                10,
                rule("ok", "exec", BASH, "allow") + rule("no", "exec", ANY_EXEC, "deny")),
            policy("e", "enforce", 0, rule("deny-all", "exec", ANY_EXEC, "deny")));
    Verdict bash = eval(set, exec("/bin/bash"));
    assertThat(bash.findings()).isEmpty();
    assertThat(bash.decision()).isEqualTo(block("e", "deny-all", Action.DENY, Errno.EPERM));
    Verdict sh = eval(set, exec("/bin/sh"));
    assertThat(sh.findings()).containsExactly(would("m", "no", Action.DENY));
    assertThat(sh.decision()).isEqualTo(block("e", "deny-all", Action.DENY, Errno.EPERM));
  }

  @Test
  void aHigherPriorityEnforceDecisionHidesALowerMonitorPolicy() {
    PolicySet set =
        load(
            policy("e", "enforce", 10, rule("ok", "exec", ANY_EXEC, "allow")),
            policy("m", "monitor", 0, rule("no", "exec", ANY_EXEC, "deny")));
    Verdict v = eval(set, exec("/x"));
    assertThat(v.findings()).isEmpty();
    assertThat(v.decision()).isEqualTo(new Decision.Allow(new RuleRef("e", "ok")));
  }

  @Test
  void monitorReportsWhatItWouldDecideOnceEnforced() {
    String rules =
        rule("a", "exec", ANY_EXEC, "audit")
            + rule("ok", "exec", BASH, "allow")
            + """
        - {name: no, event: exec, match: {uid: {in: [0]}}, action: deny, errno: EACCES}
        """;
    PolicySet monitor = load(policy("p", "monitor", 0, rules));
    PolicySet enforce = load(policy("p", "enforce", 0, rules));
    for (Facts f : List.of(exec("/bin/bash", 0), exec("/bin/sh", 0), exec("/bin/sh", 1))) {
      Verdict m = eval(monitor, f);
      Verdict e = eval(enforce, f);
      Optional<Finding> wouldDeny = m.findings().stream().filter(Finding::would).findFirst();
      if (e.decision() instanceof Decision.Block b) {
        assertThat(wouldDeny).contains(would("p", b.rule().rule(), b.action()));
      } else {
        assertThat(wouldDeny).isEmpty();
      }
      assertThat(m.decision()).isEqualTo(new Decision.NoMatch());
    }
  }

  @Test
  void verdictTypesRejectInconsistentValues() {
    RuleRef r = new RuleRef("p", "r");
    assertThatThrownBy(() -> new Decision.Block(r, Action.ALLOW, OptionalInt.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Decision.Block(r, Action.AUDIT, OptionalInt.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Decision.Block(r, Action.DENY, OptionalInt.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Decision.Block(r, Action.KILL, OptionalInt.of(Errno.EPERM)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Finding("p", "r", Action.ALLOW, Mode.MONITOR))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Finding("p", "r", Action.DENY, Mode.ENFORCE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(r).hasToString("p/r");
    assertThat(would("p", "r", Action.DENY)).hasToString("would deny p/r (monitor)");
  }
}
