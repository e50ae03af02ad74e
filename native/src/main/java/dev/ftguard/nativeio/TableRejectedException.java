package dev.ftguard.nativeio;

import dev.ftguard.abi.Abi;

/**
 * The module refused a rule table written with FTG_IOC_SET_TABLE. It says why ({@code enum
 * ftg_table_error}) and where (the byte offset of the offending field in the table). The table in
 * force before the call stays in force.
 *
 * <p>The message reads {@code ioctl(FTG_IOC_SET_TABLE) /dev/ftguard: EINVAL (table rejected:
 * <reason> (FTG_TERR_<NAME>) at byte offset <n>)}.
 */
public class TableRejectedException extends ErrnoException {
  private static final long serialVersionUID = 1L;

  /** {@code FTG_TERR_NOMEM}: not a fault of the table. */
  public static final int NOMEM = Abi.TERR_NOMEM;

  private final int error;
  private final int offset;

  /**
   * @param subject the device path
   * @param errno the ioctl's errno (EINVAL; ENOMEM for {@link #NOMEM})
   * @param error {@code enum ftg_table_error}
   * @param offset byte offset of the offending field in the table
   */
  public TableRejectedException(String subject, int errno, int error, int offset) {
    super(
        "ioctl(FTG_IOC_SET_TABLE)",
        subject,
        errno,
        "table rejected: "
            + reason(error)
            + " ("
            + errorName(error)
            + ") at byte offset "
            + Integer.toUnsignedString(offset));
    this.error = error;
    this.offset = offset;
  }

  /** {@code enum ftg_table_error} value. */
  public int error() {
    return error;
  }

  /** Byte offset of the offending field in the table (unsigned). */
  public int offset() {
    return offset;
  }

  /** The C name of {@link #error()}, e.g. {@code FTG_TERR_SECTION}. */
  public String errorName() {
    return errorName(error);
  }

  /** {@link #error()} in words. */
  public String reason() {
    return reason(error);
  }

  /** The C name of an {@code enum ftg_table_error} value; {@code FTG_TERR_<n>} when unknown. */
  public static String errorName(int error) {
    return error >= 0 && error < Abi.TABLE_ERROR_NAMES.size()
        ? Abi.TABLE_ERROR_NAMES.get(error)
        : "FTG_TERR_" + Integer.toUnsignedString(error);
  }

  /** An {@code enum ftg_table_error} value in words. */
  public static String reason(int error) {
    return error >= 0 && error < Abi.TABLE_ERROR_MEANINGS.size()
        ? Abi.TABLE_ERROR_MEANINGS.get(error)
        : "unknown reason "
            + Integer.toUnsignedString(error)
            + " (the module is newer than this ftguard)";
  }

  /** Number of reasons this ftguard knows ({@code FTG_TERR_NONE} included). */
  static int knownReasons() {
    return Abi.TABLE_ERROR_NAMES.size();
  }
}
