package dev.ftguard.nativeio;

import dev.ftguard.abi.Errno;
import java.io.IOException;

/**
 * A libc call or system call failed; carries the errno, its symbolic name and strerror's text.
 *
 * <p>The message reads {@code <call> <subject>: <NAME> (<strerror>)}, for example {@code open
 * /dev/ftguard: ENOENT (No such file or directory)}.
 */
public class ErrnoException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String call;
  private final String subject;
  private final int errno;
  private final String description;

  public ErrnoException(String call, String subject, int errno) {
    this(call, subject, errno, LibC.strerror(errno));
  }

  public ErrnoException(String call, String subject, int errno, String description) {
    super(
        call
            + (subject == null ? "" : " " + subject)
            + ": "
            + Errno.name(errno)
            + " ("
            + description
            + ")");
    this.call = call;
    this.subject = subject;
    this.errno = errno;
    this.description = description;
  }

  /** The failed call, e.g. {@code open}, {@code ioctl(FTG_IOC_STATS)}, {@code finit_module}. */
  public String call() {
    return call;
  }

  /** What the call was about (a path, a module name), or null. */
  public String subject() {
    return subject;
  }

  public int errno() {
    return errno;
  }

  /** Symbolic name, e.g. {@code EPERM}. */
  public String errnoName() {
    return Errno.name(errno);
  }

  /** The C library's description, e.g. {@code Operation not permitted}. */
  public String description() {
    return description;
  }

  public boolean is(int errno) {
    return this.errno == errno;
  }
}
