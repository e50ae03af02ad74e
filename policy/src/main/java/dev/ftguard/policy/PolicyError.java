package dev.ftguard.policy;

/**
 * One validation error: where, what is wrong, and how to fix it. {@link #toString()} gives the
 * one-line form {@code file:line:column: error: message (hint: hint)}.
 */
public record PolicyError(Location location, String message, String hint) {
  @Override
  public String toString() {
    return location
        + ": error: "
        + message
        + (hint == null || hint.isEmpty() ? "" : " (hint: " + hint + ")");
  }
}
