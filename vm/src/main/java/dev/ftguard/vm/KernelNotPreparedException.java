package dev.ftguard.vm;

/** No kernel prepared by {@code scripts/setup} where the harness looks for one. */
public final class KernelNotPreparedException extends VmException {
  private static final long serialVersionUID = 1L;

  public KernelNotPreparedException(String message) {
    super(message);
  }
}
