package dev.ftguard.cli;

/**
 * The exit codes of {@code ftguard} for errors the user can fix; docs/cli.md lists them (a test
 * checks that list against this enum). 0 is success and not an error, so it is not here.
 */
public enum ExitCode {
  /** Any other failure, with a message that still says what and where. */
  FAILURE(1),
  /** A value given on the command line, in a file or in the environment is unusable. */
  USAGE(2),
  /** The ftguard module is not loaded (or its device is missing). */
  NOT_LOADED(3),
  /** The operation needs root (or a capability the caller lacks). */
  NEEDS_ROOT(4),
  /** The module is already loaded. */
  ALREADY_LOADED(5),
  /** The module is in use, or a hooked function is taken by another ftrace user. */
  BUSY(6),
  /** Building the module failed: missing headers, missing tools, or a compile error. */
  BUILD_FAILED(7),
  /** The kernel rejected the module, or the module speaks another ABI version. */
  INCOMPATIBLE(8),
  /** Policy files failed validation (errors printed before), or their table is too large. */
  INVALID_POLICY(9),
  /**
   * The module refused the compiled rule table: the policies were valid, so ftguard and the module
   * disagree about the table format.
   */
  TABLE_REJECTED(10),
  /**
   * {@code ftguard verify} found a wrapper that reaches its original through a tail call: loading
   * the module would hang the first call of the hooked function.
   */
  TAIL_CALL(11),
  /** The table is in force, but some of the functions it hooks could not be hooked. */
  HOOKS_NOT_ATTACHED(12),
  /** The module is locked until reboot: its rule table cannot change, it cannot be unloaded. */
  LOCKED(13);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  /** The process exit status. */
  public int code() {
    return code;
  }
}
