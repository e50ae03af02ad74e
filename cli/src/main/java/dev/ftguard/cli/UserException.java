package dev.ftguard.cli;

import java.util.Objects;

/**
 * An error the user can fix, with the {@link ExitCode} it maps to. The message is one line that
 * says what went wrong, where, and how to fix it; it is printed as {@code ftguard: <message>}.
 */
public final class UserException extends RuntimeException {
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
}
