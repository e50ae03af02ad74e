package dev.ftguard.agent.export;

import java.util.Optional;

/**
 * Why the export stage did not write a record. The names are the {@code reason} label values of
 * {@code ftguard_drops_total} (next to the kernel's {@code buffer_full}, {@code nomem}, {@code
 * reader_fault}).
 */
public enum ExportDropReason {
  /** Its type is not among the exported types. */
  FILTERED_TYPE("filtered_type"),
  /** It has no binary, or its binary does not match the binary pattern. */
  FILTERED_BINARY("filtered_binary"),
  /** It has no rule name, or its rule is not among the exported rules. */
  FILTERED_RULE("filtered_rule"),
  /** The rate limit had no token left. */
  RATE_LIMITED("rate_limited");

  private final String label;
  private final Optional<ExportDropReason> optional = Optional.of(this);

  ExportDropReason(String label) {
    this.label = label;
  }

  /** The name used in metrics and summaries: {@code filtered_type}, ..., {@code rate_limited}. */
  public String label() {
    return label;
  }

  /** {@code Optional.of(this)}, allocated once. */
  Optional<ExportDropReason> asOptional() {
    return optional;
  }
}
