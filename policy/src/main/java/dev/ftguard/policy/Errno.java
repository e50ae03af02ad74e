package dev.ftguard.policy;

/**
 * The errno names a deny rule may return. Their numbers come from the one Linux errno table, {@link
 * dev.ftguard.abi.Errno}.
 */
public enum Errno {
  EPERM,
  ENOENT,
  ESRCH,
  EINTR,
  EIO,
  ENXIO,
  E2BIG,
  ENOEXEC,
  EBADF,
  EAGAIN,
  ENOMEM,
  EACCES,
  EFAULT,
  EBUSY,
  EEXIST,
  EXDEV,
  ENODEV,
  ENOTDIR,
  EISDIR,
  EINVAL,
  ENFILE,
  EMFILE,
  ETXTBSY,
  EFBIG,
  ENOSPC,
  EROFS,
  EMLINK,
  EPIPE,
  ENAMETOOLONG,
  ENOSYS,
  ELOOP,
  EOPNOTSUPP,
  EADDRNOTAVAIL,
  ENETUNREACH,
  ECONNRESET,
  ETIMEDOUT,
  ECONNREFUSED,
  EHOSTUNREACH,
  EKEYREJECTED;

  public int number() {
    return dev.ftguard.abi.Errno.number(name())
        .orElseThrow(() -> new IllegalStateException(name() + " is not a Linux errno"));
  }
}
