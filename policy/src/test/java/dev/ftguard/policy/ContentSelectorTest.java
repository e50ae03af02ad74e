package dev.ftguard.policy;

import static dev.ftguard.policy.EvalFixtures.load;
import static dev.ftguard.policy.EvalFixtures.match;
import static dev.ftguard.policy.EvalFixtures.policy;
import static dev.ftguard.policy.EvalFixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.policy.Facts.ExecFacts;
import dev.ftguard.policy.Verdict.Decision;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code sha256} exec selector: content, normalised digests, unknown content fails closed. */
class ContentSelectorTest {
  static final String A = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  static final String B = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  static ExecFacts exec(String binary, Optional<String> sha256) {
    return new ExecFacts(binary, "/bin/sh", List.of(), 0, 0, List.of(binary), false, false, sha256);
  }

  @Test
  void digestsAreKeptInLowerCase() {
    Match.Exec m = (Match.Exec) match("exec", "{sha256: [" + A.toUpperCase() + ", " + B + "]}");
    assertThat(m.sha256()).containsExactly(A, B);
  }

  @Test
  void aDigestMatchesItsContentUnderAnyName() {
    Match m = match("exec", "{sha256: [" + A + "]}");
    assertThat(PolicyEvaluator.matches(m, exec("/tmp/copy", Optional.of(A)))).isTrue();
    assertThat(PolicyEvaluator.matches(m, exec("/usr/bin/x", Optional.of(A)))).isTrue();
    assertThat(PolicyEvaluator.matches(m, exec("/usr/bin/x", Optional.of(B)))).isFalse();
    // no sha256 selector: content does not matter
    assertThat(PolicyEvaluator.matches(match("exec", "{}"), exec("/x", Optional.empty()))).isTrue();
  }

  @Test
  void unknownContentFailsClosed() {
    Match m = match("exec", "{sha256: [" + A + "]}");
    ExecFacts unknown = exec("/big", Optional.empty());
    assertThat(PolicyEvaluator.matches(m, unknown, true)).isTrue();
    assertThat(PolicyEvaluator.matches(m, unknown, false)).isFalse();
    assertThat(PolicyEvaluator.matches(m, unknown)).isFalse();

    PolicySet deny =
        load(policy("p", "enforce", 0, rule("d", "exec", "{sha256: [" + A + "]}", "deny")));
    assertThat(PolicyEvaluator.evaluate(deny, unknown).decision())
        .isInstanceOfSatisfying(
            Decision.Block.class, b -> assertThat(b.action()).isEqualTo(Action.DENY));
    assertThat(PolicyEvaluator.evaluate(deny, exec("/ok", Optional.of(B))).decision())
        .isEqualTo(new Decision.NoMatch());

    PolicySet allow =
        load(
            policy(
                "p",
                "enforce",
                0,
                rule("a", "exec", "{sha256: [" + A + "]}", "allow")
                    + rule("d", "exec", "{binary: {prefix: [/]}}", "deny")));
    // an allow rule does not let unknown content through: the deny rule after it decides
    assertThat(PolicyEvaluator.evaluate(allow, unknown).decision())
        .isInstanceOf(Decision.Block.class);
    assertThat(PolicyEvaluator.evaluate(allow, exec("/x", Optional.of(A))).decision())
        .isInstanceOf(Decision.Allow.class);
  }

  @Test
  void factsRejectAMalformedDigest() {
    assertThatThrownBy(() -> exec("/x", Optional.of(A.toUpperCase())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> exec("/x", Optional.of("abc")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
