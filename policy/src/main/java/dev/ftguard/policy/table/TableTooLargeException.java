package dev.ftguard.policy.table;

/**
 * A valid policy set whose table would exceed one of the kernel's limits ({@code FTG_TABLE_MAX},
 * {@code FTG_TABLE_RULES_MAX}, {@code FTG_TABLE_POLICIES_MAX}, {@code FTG_TABLE_VALUES_MAX}, {@code
 * FTG_TABLE_SEL_MAX}, {@code FTG_TABLE_STR_MAX}, {@code FTG_NAME_LEN}). The message names the
 * limit, the value, the maximum, where, and how to get under it.
 */
public final class TableTooLargeException extends Exception {
  private final String limit;
  private final long value;
  private final long max;
  private final String where;
  private final String hint;

  /**
   * @param limit the C name of the limit, e.g. {@code FTG_TABLE_SEL_MAX}
   * @param what what was counted, e.g. {@code "values"}, {@code "bytes"}
   * @param value how many there would be
   * @param max the limit's value
   * @param where what exceeds it, e.g. {@code "selector 'binary' of rule 'r' in policy 'p'"}
   * @param hint how to get under the limit
   */
  public TableTooLargeException(
      String limit, String what, long value, long max, String where, String hint) {
    super(
        where
            + " has "
            + value
            + " "
            + what
            + ", more than "
            + limit
            + " = "
            + max
            + " (hint: "
            + hint
            + ")");
    this.limit = limit;
    this.value = value;
    this.max = max;
    this.where = where;
    this.hint = hint;
  }

  /** The C name of the limit, e.g. {@code FTG_TABLE_SEL_MAX}. */
  public String limit() {
    return limit;
  }

  /** The value that exceeds the limit. */
  public long value() {
    return value;
  }

  /** The limit. */
  public long max() {
    return max;
  }

  /** What exceeds it: {@code "the table"}, a rule's selector, a policy, .... */
  public String where() {
    return where;
  }

  /** How to get under the limit. */
  public String hint() {
    return hint;
  }
}
