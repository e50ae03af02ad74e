package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Kind;
import java.util.OptionalInt;

/**
 * One rule. {@code errno} is present exactly when the action denies ({@code deny}, {@code
 * deny+kill}); it defaults to {@link DenyErrnos#DEFAULT}. The number is {@link
 * dev.ftguard.abi.Errno}'s.
 */
public record Rule(
    String name, Kind event, Match match, Action action, OptionalInt errno, Location location) {
  public Rule {
    if (match.kind() != event) {
      throw new IllegalArgumentException("match is for " + match.kind() + ", rule is for " + event);
    }
    if (errno.isPresent() != Actions.denies(action)) {
      throw new IllegalArgumentException("errno is only for deny actions");
    }
  }
}
