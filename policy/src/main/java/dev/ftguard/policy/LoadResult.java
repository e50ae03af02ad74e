package dev.ftguard.policy;

import java.util.List;

/** The outcome of loading policy files: all of them valid, or every error found. */
public sealed interface LoadResult {
  /** Every file was valid. */
  record Loaded(PolicySet policySet) implements LoadResult {}

  /** At least one error; no policy set is produced. Errors are sorted by file, line, column. */
  record Invalid(List<PolicyError> errors) implements LoadResult {
    public Invalid {
      errors = List.copyOf(errors);
    }
  }
}
