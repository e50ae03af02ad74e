package dev.ftguard.cli;

import java.nio.file.Path;
import java.util.List;

/** Building ftguard.ko failed; {@link #getMessage()} says what, where and how to fix it. */
public class ModuleBuildException extends Exception {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** The module source directory has no Makefile/Kbuild. */
    SOURCES_MISSING,
    /** No kernel build directory (headers) for the release. */
    HEADERS_MISSING,
    /** make could not be started. */
    TOOL_MISSING,
    /** make exited with an error. */
    MAKE_FAILED,
    /** make succeeded but produced no ftguard.ko. */
    NO_MODULE,
    /** Reading sources or writing the cache failed. */
    IO,
    /** A hook wrapper in the built module reaches its original through a tail call. */
    TAIL_CALL,
    /** The built module could not be verified (no decoder, or not a module ftguard can read). */
    UNVERIFIED,
  }

  private final Kind kind;
  private final transient Path log;
  private final transient List<String> logTail;

  public ModuleBuildException(
      Kind kind, String message, Path log, List<String> logTail, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.log = log;
    this.logTail = List.copyOf(logTail);
  }

  public Kind kind() {
    return kind;
  }

  /** The build log, or null when make did not run. */
  public Path log() {
    return log;
  }

  /** The last lines of the build log (empty when make did not run). */
  public List<String> logTail() {
    return logTail;
  }
}
