package dev.ftguard.cli;

import dev.ftguard.policy.PolicyError;
import java.util.List;

/**
 * Why a set of policy files could not be put in force; nothing was changed in the kernel.
 *
 * <p>{@link #policyErrors} are the located validation errors (empty for other failures); {@link
 * #summary} is the one-line reason with the exit code that ends a one-shot command.
 */
public final class PolicyFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<PolicyError> policyErrors;
  private final UserException summary;

  PolicyFailure(List<PolicyError> policyErrors, UserException summary) {
    super(summary.getMessage(), summary);
    this.policyErrors = List.copyOf(policyErrors);
    this.summary = summary;
  }

  PolicyFailure(UserException summary) {
    this(List.of(), summary);
  }

  /** Validation errors, sorted by file, line and column; empty when the failure is elsewhere. */
  public List<PolicyError> policyErrors() {
    return policyErrors;
  }

  /** The reason in one line, with the exit code. */
  public UserException summary() {
    return summary;
  }

  /**
   * What went wrong as lines: the validation errors ({@code file:line:column: error: ...}), or the
   * summary when there are none.
   */
  public List<String> errors() {
    return policyErrors.isEmpty()
        ? List.of(summary.getMessage())
        : policyErrors.stream().map(PolicyError::toString).toList();
  }
}
