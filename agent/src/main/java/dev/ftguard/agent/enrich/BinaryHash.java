package dev.ftguard.agent.enrich;

/** The SHA-256 of a process image's binary, or why there is none (yet). */
public sealed interface BinaryHash {
  /** {@code hashed}, {@code pending}, {@code too_large} or {@code unavailable}, as in JSON. */
  String state();

  /**
   * The file's SHA-256.
   *
   * @param sha256 64 lower-case hex digits
   * @param size the file's size in bytes
   */
  record Hashed(String sha256, long size) implements BinaryHash {
    @Override
    public String state() {
      return "hashed";
    }
  }

  /** Not computed yet: queued or being read. A later event of the same image may have it. */
  record Pending() implements BinaryHash {
    @Override
    public String state() {
      return "pending";
    }
  }

  /** The file is larger than the configured cap and is not read. */
  record TooLarge(long size, long limit) implements BinaryHash {
    @Override
    public String state() {
      return "too_large";
    }
  }

  /**
   * The binary could not be read: the process had exited, has no binary (kernel threads), or the
   * daemon may not read it.
   *
   * @param reason what failed, in words
   */
  record Unavailable(String reason) implements BinaryHash {
    @Override
    public String state() {
      return "unavailable";
    }
  }

  /** The one {@link Pending} value. */
  Pending PENDING = new Pending();
}
