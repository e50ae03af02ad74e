package dev.ftguard.policy;

import dev.ftguard.abi.Errno;
import java.util.List;
import java.util.OptionalInt;

/**
 * The errnos a deny rule may return ({@code errno:} of a rule), named as {@link Errno} names them;
 * {@link Errno#EPERM} when a rule names none. A rule holds the number; the name is {@link
 * Errno#name(int)}.
 */
public final class DenyErrnos {
  private DenyErrnos() {}

  /** The errno of a deny rule that names none. */
  public static final int DEFAULT = Errno.EPERM;

  /** The errnos a rule may name, in the order error messages list them. */
  public static final List<Integer> ALLOWED =
      List.of(
          Errno.EPERM,
          Errno.ENOENT,
          Errno.ESRCH,
          Errno.EINTR,
          Errno.EIO,
          Errno.ENXIO,
          Errno.E2BIG,
          Errno.ENOEXEC,
          Errno.EBADF,
          Errno.EAGAIN,
          Errno.ENOMEM,
          Errno.EACCES,
          Errno.EFAULT,
          Errno.EBUSY,
          Errno.EEXIST,
          Errno.EXDEV,
          Errno.ENODEV,
          Errno.ENOTDIR,
          Errno.EISDIR,
          Errno.EINVAL,
          Errno.ENFILE,
          Errno.EMFILE,
          Errno.ETXTBSY,
          Errno.EFBIG,
          Errno.ENOSPC,
          Errno.EROFS,
          Errno.EMLINK,
          Errno.EPIPE,
          Errno.ENAMETOOLONG,
          Errno.ENOSYS,
          Errno.ELOOP,
          Errno.EOPNOTSUPP,
          Errno.EADDRNOTAVAIL,
          Errno.ENETUNREACH,
          Errno.ECONNRESET,
          Errno.ETIMEDOUT,
          Errno.ECONNREFUSED,
          Errno.EHOSTUNREACH,
          Errno.EKEYREJECTED);

  /** Whether a rule may deny with {@code errno}. */
  public static boolean allows(int errno) {
    return ALLOWED.contains(errno);
  }

  /** The names of {@link #ALLOWED}, in its order. */
  public static List<String> names() {
    return ALLOWED.stream().map(Errno::name).toList();
  }

  /** The number of {@code name} when a rule may name it. */
  public static OptionalInt parse(String name) {
    OptionalInt n = Errno.number(name);
    return n.isPresent() && allows(n.getAsInt()) ? n : OptionalInt.empty();
  }
}
