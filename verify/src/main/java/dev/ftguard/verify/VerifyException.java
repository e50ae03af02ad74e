package dev.ftguard.verify;

/**
 * The verifier could not look at a file: it is missing, not an x86-64 relocatable ELF object, has
 * no (or a malformed) {@code .ftg_wrappers} section, or the decoder is missing. The message names
 * the file and says what is wrong.
 */
public final class VerifyException extends Exception {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** The file does not exist or cannot be read. */
    UNREADABLE,
    /** Not an ELF file, or a malformed one. */
    NOT_ELF,
    /** An ELF file, but not a 64-bit little-endian x86-64 relocatable object. */
    NOT_X86_64_RELOCATABLE,
    /** No {@code .ftg_wrappers} section: not an ftguard module. */
    NO_WRAPPERS,
    /** {@code .ftg_wrappers} does not hold well-formed {@code struct ftg_wrapper} entries. */
    BAD_WRAPPERS,
    /** Neither libcapstone.so.5 nor libcapstone.so.4 loads, or it cannot be opened. */
    DECODER_MISSING,
  }

  private final Kind kind;

  public VerifyException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
