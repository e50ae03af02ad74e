package dev.ftguard.policy;

/** The errno names a deny rule may return, with their Linux (x86_64, arm64) numbers. */
public enum Errno {
  EPERM(1),
  ENOENT(2),
  ESRCH(3),
  EINTR(4),
  EIO(5),
  ENXIO(6),
  E2BIG(7),
  ENOEXEC(8),
  EBADF(9),
  EAGAIN(11),
  ENOMEM(12),
  EACCES(13),
  EFAULT(14),
  EBUSY(16),
  EEXIST(17),
  EXDEV(18),
  ENODEV(19),
  ENOTDIR(20),
  EISDIR(21),
  EINVAL(22),
  ENFILE(23),
  EMFILE(24),
  ETXTBSY(26),
  EFBIG(27),
  ENOSPC(28),
  EROFS(30),
  EMLINK(31),
  EPIPE(32),
  ENAMETOOLONG(36),
  ENOSYS(38),
  ELOOP(40),
  EOPNOTSUPP(95),
  EADDRNOTAVAIL(99),
  ENETUNREACH(101),
  ECONNRESET(104),
  ETIMEDOUT(110),
  ECONNREFUSED(111),
  EHOSTUNREACH(113),
  EKEYREJECTED(129);

  private final int number;

  Errno(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }
}
