package dev.ftguard.check;

/** How a requirement fares; the worst status of a report is its exit status. */
public enum Status {
  /** The requirement is met. */
  PASS(0),
  /** Met with a caveat, or undecided (a file is missing or needs root). */
  WARN(1),
  /** Not met: ftguard will not load or not work as things stand. */
  FAIL(2);

  private final int exitCode;

  Status(int exitCode) {
    this.exitCode = exitCode;
  }

  /** 0, 1 or 2. */
  public int exitCode() {
    return exitCode;
  }

  /** {@code pass}, {@code warn} or {@code fail}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public Status worst(Status other) {
    return compareTo(other) >= 0 ? this : other;
  }
}
