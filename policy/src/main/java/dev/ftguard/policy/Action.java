package dev.ftguard.policy;

/** What a matching rule does. */
public enum Action {
  /** Ends evaluation; the operation proceeds. */
  ALLOW("allow"),
  /** Records the event; evaluation continues. */
  AUDIT("audit"),
  /** Ends evaluation; the operation fails with the rule's errno. */
  DENY("deny"),
  /** Ends evaluation; the acting process is killed (SIGKILL), the operation proceeds. */
  KILL("kill"),
  /** Ends evaluation; the operation fails with the rule's errno and the process is killed. */
  DENY_KILL("deny+kill");

  private final String yaml;

  Action(String yaml) {
    this.yaml = yaml;
  }

  public String yamlName() {
    return yaml;
  }

  /** Whether a match ends evaluation (everything but {@code audit}). */
  public boolean isDecisive() {
    return this != AUDIT;
  }

  /** Whether the operation fails (takes an errno). */
  public boolean denies() {
    return this == DENY || this == DENY_KILL;
  }

  public boolean kills() {
    return this == KILL || this == DENY_KILL;
  }
}
