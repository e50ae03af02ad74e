package dev.ftguard.cli;

/**
 * An error the user can fix, with the exit code it maps to. The message is one line that says what
 * went wrong, where, and how to fix it; it is printed as {@code ftguard: <message>}.
 *
 * <p>Exit codes: 1 other failure, 2 usage or bad input, 3 module not loaded, 4 needs root, 5
 * already loaded, 6 module busy, 7 module build failed, 8 kernel or ABI incompatible, 9 invalid
 * policy (or too large to compile), 10 the kernel rejected the compiled rule table, 11 a hook
 * wrapper of a module reaches its original through a tail call.
 */
public abstract sealed class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int NOT_LOADED = 3;
  public static final int NEEDS_ROOT = 4;
  public static final int ALREADY_LOADED = 5;
  public static final int BUSY = 6;
  public static final int BUILD_FAILED = 7;
  public static final int INCOMPATIBLE = 8;
  public static final int INVALID_POLICY = 9;
  public static final int TABLE_REJECTED = 10;
  public static final int TAIL_CALL = 11;

  /** The table is in force, but some of the functions it hooks could not be hooked. */
  public static final int HOOKS_NOT_ATTACHED = 12;

  private final int exitCode;

  UserException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The ftguard module is not loaded (or its device is missing). */
  public static final class NotLoaded extends UserException {
    private static final long serialVersionUID = 1L;

    public NotLoaded(String message) {
      super(NOT_LOADED, message, null);
    }
  }

  /** The operation needs root (or a capability the caller lacks). */
  public static final class NeedsRoot extends UserException {
    private static final long serialVersionUID = 1L;

    public NeedsRoot(String message, Throwable cause) {
      super(NEEDS_ROOT, message, cause);
    }
  }

  public static final class AlreadyLoaded extends UserException {
    private static final long serialVersionUID = 1L;

    public AlreadyLoaded(String message) {
      super(ALREADY_LOADED, message, null);
    }
  }

  /** The module is in use and cannot be unloaded. */
  public static final class Busy extends UserException {
    private static final long serialVersionUID = 1L;

    public Busy(String message) {
      super(BUSY, message, null);
    }
  }

  /** Building the module failed: missing headers, missing tools, or a compile error. */
  public static final class BuildFailed extends UserException {
    private static final long serialVersionUID = 1L;

    public BuildFailed(String message, Throwable cause) {
      super(BUILD_FAILED, message, cause);
    }
  }

  /** The kernel rejected the module, or the module speaks another ABI version. */
  public static final class Incompatible extends UserException {
    private static final long serialVersionUID = 1L;

    public Incompatible(String message, Throwable cause) {
      super(INCOMPATIBLE, message, cause);
    }
  }

  /** Policy files failed validation; the errors themselves were printed before. */
  public static final class InvalidPolicy extends UserException {
    private static final long serialVersionUID = 1L;

    public InvalidPolicy(String message) {
      super(INVALID_POLICY, message, null);
    }
  }

  /**
   * The module refused the compiled rule table (its checks found a field it does not accept): the
   * policies were valid, so ftguard and the module disagree about the table format.
   */
  public static final class TableRejected extends UserException {
    private static final long serialVersionUID = 1L;

    public TableRejected(String message, Throwable cause) {
      super(TABLE_REJECTED, message, cause);
    }
  }

  /**
   * {@code ftguard verify} found a wrapper that reaches its original through a tail call: loading
   * the module would hang the first call of the hooked function.
   */
  public static final class TailCall extends UserException {
    private static final long serialVersionUID = 1L;

    public TailCall(String message) {
      super(TAIL_CALL, message, null);
    }
  }

  /** A value given on the command line or in the environment is unusable. */
  public static final class BadInput extends UserException {
    private static final long serialVersionUID = 1L;

    public BadInput(String message, Throwable cause) {
      super(USAGE, message, cause);
    }
  }

  /** Any other failure, with a message that still says what and where. */
  public static final class Failed extends UserException {
    private static final long serialVersionUID = 1L;

    public Failed(String message, Throwable cause) {
      super(FAILURE, message, cause);
    }
  }
}
