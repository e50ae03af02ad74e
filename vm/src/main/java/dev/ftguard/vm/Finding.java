package dev.ftguard.vm;

/**
 * A line of kernel output that signals trouble.
 *
 * @param kind what it signals
 * @param source where it was found, e.g. {@code dmesg} or {@code serial}
 * @param lineNumber 1-based line number in that source
 * @param line the line, without the leading {@code [ seconds]} timestamp
 */
public record Finding(Kind kind, String source, int lineNumber, String line) {

  /** Kinds, most specific first; a line gets the first kind whose pattern matches. */
  public enum Kind {
    PANIC(true),
    SOFT_LOCKUP(false),
    RCU_STALL(false),
    GENERAL_PROTECTION(false),
    OOPS(false),
    BUG(false),
    WARNING(false),
    CALL_TRACE(false);

    private final boolean fatal;

    Kind(boolean fatal) {
      this.fatal = fatal;
    }

    /** The kernel stopped (panic): no later output can be expected. */
    public boolean fatal() {
      return fatal;
    }
  }

  @Override
  public String toString() {
    return kind + " (" + source + ":" + lineNumber + "): " + line;
  }
}
