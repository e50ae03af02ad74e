package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Mode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome of evaluating one event: the effective {@link Decision} and the {@link Finding}s
 * recorded on the way, in evaluation order.
 */
public record Verdict(Decision decision, List<Finding> findings) {
  public Verdict {
    Objects.requireNonNull(decision, "decision");
    findings = List.copyOf(findings);
  }

  /** Whether the operation proceeds (it fails only on {@code deny} and {@code deny+kill}). */
  public boolean operationProceeds() {
    return !Actions.denies(decision.action());
  }

  /** Whether the acting process is killed. */
  public boolean kills() {
    return Actions.kills(decision.action());
  }

  /** A rule, by policy and rule name. */
  public record RuleRef(String policy, String rule) {
    public RuleRef {
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(rule, "rule");
    }

    static RuleRef of(Policy p, Rule r) {
      return new RuleRef(p.name(), r.name());
    }

    @Override
    public String toString() {
      return policy + "/" + rule;
    }
  }

  /** The effective decision. */
  public sealed interface Decision {
    /** {@link Action#ALLOW} unless a rule blocked. */
    Action action();

    /** The errno the operation fails with; present exactly when {@link #action()} denies. */
    default OptionalInt errno() {
      return OptionalInt.empty();
    }

    /** The deciding rule; empty when no rule decided. */
    Optional<RuleRef> decidedBy();

    /** No enforcing rule decided: the operation is allowed. */
    record NoMatch() implements Decision {
      @Override
      public Action action() {
        return Action.ALLOW;
      }

      @Override
      public Optional<RuleRef> decidedBy() {
        return Optional.empty();
      }
    }

    /** An {@code allow} rule of an enforcing policy decided. */
    record Allow(RuleRef rule) implements Decision {
      public Allow {
        Objects.requireNonNull(rule, "rule");
      }

      @Override
      public Action action() {
        return Action.ALLOW;
      }

      @Override
      public Optional<RuleRef> decidedBy() {
        return Optional.of(rule);
      }
    }

    /** A {@code deny}, {@code kill} or {@code deny+kill} rule of an enforcing policy decided. */
    record Block(RuleRef rule, Action action, OptionalInt errno) implements Decision {
      public Block {
        Objects.requireNonNull(rule, "rule");
        if (action == null || !Actions.isDecisive(action) || action == Action.ALLOW) {
          throw new IllegalArgumentException("not a blocking action: " + action);
        }
        if (errno.isPresent() != Actions.denies(action)) {
          throw new IllegalArgumentException("errno is present exactly for deny actions");
        }
      }

      @Override
      public Optional<RuleRef> decidedBy() {
        return Optional.of(rule);
      }
    }
  }

  /**
   * A record produced during evaluation: an {@code audit} match ({@code action} {@link
   * Action#AUDIT}, in a policy of either mode), or a "would" record of a {@code monitor} policy's
   * matching {@code deny}, {@code kill} or {@code deny+kill} rule.
   */
  public record Finding(String policy, String rule, Action action, Mode mode) {
    public Finding {
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(mode, "mode");
      if (action == null || action == Action.ALLOW) {
        throw new IllegalArgumentException("no finding for action " + action);
      }
      if (action != Action.AUDIT && mode != Mode.MONITOR) {
        throw new IllegalArgumentException(
            "only monitor policies record 'would " + action.yamlName() + "'");
      }
    }

    /** Whether this is a "would ..." record of a monitor policy. */
    public boolean would() {
      return action != Action.AUDIT;
    }

    /** {@code audit}, {@code would deny}, {@code would kill} or {@code would deny+kill}. */
    public String label() {
      return would() ? "would " + action.yamlName() : action.yamlName();
    }

    @Override
    public String toString() {
      return label() + " " + policy + "/" + rule + " (" + mode.yamlName() + ")";
    }
  }
}
