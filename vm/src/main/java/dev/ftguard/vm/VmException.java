package dev.ftguard.vm;

/** The host could not prepare or start a guest (missing tool, bad input, QEMU failure). */
public class VmException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public VmException(String message) {
    super(message);
  }

  public VmException(String message, Throwable cause) {
    super(message, cause);
  }
}
