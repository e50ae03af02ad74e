package dev.ftguard.policy.table;

import dev.ftguard.abi.Abi;

/**
 * Bytes that are not a rule table this version reads. Carries what the kernel would report for the
 * same problem: an {@code enum ftg_table_error} value and the byte offset of the offending field.
 */
public final class TableFormatException extends Exception {
  private final int error;
  private final long offset;

  /**
   * @param error an {@code FTG_TERR_*} value ({@link Abi#TERR_SIZE} ...)
   * @param offset byte offset of the offending field in the table
   * @param message what is wrong, with the values found
   */
  public TableFormatException(int error, long offset, String message) {
    super(message + " (" + Abi.TABLE_ERROR_NAMES.get(error) + " at byte " + offset + ")");
    this.error = error;
    this.offset = offset;
  }

  /** The {@code enum ftg_table_error} value the kernel would give, e.g. {@link Abi#TERR_STRING}. */
  public int error() {
    return error;
  }

  /** Its C name, e.g. {@code FTG_TERR_STRING}. */
  public String errorName() {
    return Abi.TABLE_ERROR_NAMES.get(error);
  }

  /** Byte offset of the offending field in the table. */
  public long offset() {
    return offset;
  }
}
