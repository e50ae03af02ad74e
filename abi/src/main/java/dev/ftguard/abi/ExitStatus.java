package dev.ftguard.abi;

/** A wait(2) status decoded the way WIFEXITED / WEXITSTATUS / WIFSIGNALED / WTERMSIG do. */
public sealed interface ExitStatus {
  /** Normal exit: {@code exit(status)}; status is 0..255. */
  record Exited(int status) implements ExitStatus {}

  /** Killed by a signal. */
  record Signaled(int signal, boolean coreDumped) implements ExitStatus {}

  /** Neither form (e.g. a stopped status, 0x7f in the low bits): kept raw. */
  record Other(int raw) implements ExitStatus {}

  static ExitStatus fromWaitStatus(int status) {
    int low = status & 0x7f;
    if (low == 0) {
      return new Exited((status >>> 8) & 0xff);
    }
    if (low != 0x7f) {
      return new Signaled(low, (status & 0x80) != 0);
    }
    return new Other(status);
  }
}
