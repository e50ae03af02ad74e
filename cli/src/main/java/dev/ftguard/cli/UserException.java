package dev.ftguard.cli;

import java.util.Objects;

/**
 * An error the user can fix, with the {@link ExitCode} it maps to. The message is one line that
 * says what went wrong, where, and how to fix it; it is printed as {@code ftguard: <message>}.
 */
public sealed class UserException extends RuntimeException permits UserException.Failed {
  private static final long serialVersionUID = 1L;

  private final ExitCode exitCode;

  public UserException(ExitCode exitCode, String message) {
    this(exitCode, message, null);
  }

  public UserException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = Objects.requireNonNull(exitCode);
  }

  public ExitCode exitCode() {
    return exitCode;
  }

  /**
   * {@link ExitCode#FAILURE}, under the name EventPump still uses; new code says {@code new
   * UserException(ExitCode.FAILURE, ...)}. Goes once EventPump does.
   */
  public static final class Failed extends UserException {
    private static final long serialVersionUID = 1L;

    public Failed(String message, Throwable cause) {
      super(ExitCode.FAILURE, message, cause);
    }
  }
}
