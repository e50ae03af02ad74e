package dev.ftguard.policy;

import java.util.Optional;

/**
 * One rule. {@code errno} is present exactly when the action denies ({@code deny}, {@code
 * deny+kill}); it defaults to {@link Errno#EPERM}.
 */
public record Rule(
    String name,
    EventKind event,
    Match match,
    Action action,
    Optional<Errno> errno,
    Location location) {
  public Rule {
    if (match.kind() != event) {
      throw new IllegalArgumentException("match is for " + match.kind() + ", rule is for " + event);
    }
    if (errno.isPresent() != action.denies()) {
      throw new IllegalArgumentException("errno is only for deny actions");
    }
  }
}
