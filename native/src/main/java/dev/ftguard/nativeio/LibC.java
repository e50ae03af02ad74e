package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * FFM downcalls to the C library. Every call that can fail captures {@code errno} right after the
 * call ({@link Linker.Option#captureCallState}) and throws {@link ErrnoException}; no JNI.
 *
 * <p>Constants are Linux values for x86_64 and arm64 (asm-generic).
 */
@SuppressWarnings("restricted")
public final class LibC {
  private LibC() {}

  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_CREAT = 0100;
  public static final int O_NONBLOCK = 04000;
  public static final int O_CLOEXEC = 02000000;

  public static final short POLLIN = 0x001;
  public static final short POLLERR = 0x008;
  public static final short POLLHUP = 0x010;
  public static final short POLLNVAL = 0x020;

  /** {@code struct pollfd}. */
  public static final StructLayout POLLFD =
      MemoryLayout.structLayout(
          JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

  private static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... options) {
    MemorySegment addr =
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    return LINKER.downcallHandle(addr, fd, options);
  }

  // int open(const char *path, int flags, ... /* mode_t mode */)
  private static final MethodHandle OPEN =
      fn(
          "open",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle CLOSE =
      fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPT);
  private static final MethodHandle READ =
      fn("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPT);
  private static final MethodHandle WRITE =
      fn("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPT);
  private static final MethodHandle POLL =
      fn("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);
  // int ioctl(int fd, unsigned long request, ...)
  private static final MethodHandle IOCTL =
      fn(
          "ioctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle PIPE2 =
      fn("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);
  // long syscall(long number, ...): (fd, const char *params, int flags) for finit_module
  private static final MethodHandle SYSCALL_L_P_L =
      fn(
          "syscall",
          FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(1));
  // (const char *name, unsigned int flags) for delete_module
  private static final MethodHandle SYSCALL_P_L =
      fn(
          "syscall",
          FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(1));
  private static final MethodHandle STRERROR =
      fn("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  private static RuntimeException unexpected(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("downcall failed", t);
  }

  /** One downcall, given the errno capture segment and an arena for its arguments. */
  @FunctionalInterface
  private interface Downcall {
    long invoke(MemorySegment callState, Arena arena) throws Throwable;
  }

  /**
   * Runs a downcall in a confined arena; a negative result becomes an {@link ErrnoException} naming
   * {@code call} and {@code subject}, with the errno captured right after the call.
   */
  private static long checked(String call, String subject, Downcall downcall)
      throws ErrnoException {
    long rc;
    int errno = 0;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CAPTURE);
      rc = downcall.invoke(state, arena);
      if (rc < 0) {
        errno = errno(state);
      }
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (rc < 0) {
      throw new ErrnoException(call, subject, errno);
    }
    return rc;
  }

  /** open(2); returns the file descriptor. */
  public static int open(Path path, int flags) throws ErrnoException {
    return (int)
        checked(
            "open",
            path.toString(),
            (st, arena) ->
                (int) OPEN.invokeExact(st, arena.allocateFrom(path.toString()), flags, 0));
  }

  /** close(2). */
  public static void close(int fd) throws ErrnoException {
    checked("close", "fd " + fd, (st, arena) -> (int) CLOSE.invokeExact(st, fd));
  }

  /** read(2) into {@code buf} (at most its size); returns the byte count. */
  public static long read(int fd, MemorySegment buf) throws ErrnoException {
    return checked(
        "read", "fd " + fd, (st, arena) -> (long) READ.invokeExact(st, fd, buf, buf.byteSize()));
  }

  /** write(2) of all of {@code buf} at most once; returns the byte count. */
  public static long write(int fd, MemorySegment buf) throws ErrnoException {
    return checked(
        "write", "fd " + fd, (st, arena) -> (long) WRITE.invokeExact(st, fd, buf, buf.byteSize()));
  }

  /**
   * poll(2) on one descriptor. Returns {@code revents}, 0 when the timeout expired.
   *
   * @param timeoutMillis negative waits forever
   */
  public static short poll(int fd, short events, int timeoutMillis) throws ErrnoException {
    return (short)
        checked(
            "poll",
            "fd " + fd,
            (st, arena) -> {
              MemorySegment pfd = arena.allocate(POLLFD);
              pfd.set(JAVA_INT, POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd")), fd);
              pfd.set(
                  JAVA_SHORT,
                  POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events")),
                  events);
              int rc = (int) POLL.invokeExact(st, pfd, 1L, timeoutMillis);
              return rc <= 0
                  ? rc
                  : pfd.get(
                      JAVA_SHORT,
                      POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents")));
            });
  }

  /**
   * ioctl(2) with a pointer argument; returns the call's non-negative result.
   *
   * @param name the request's name, for the error message (e.g. {@code FTG_IOC_STATS})
   */
  public static int ioctl(int fd, long request, MemorySegment arg, String name)
      throws ErrnoException {
    return (int)
        checked(
            "ioctl(" + name + ")",
            "fd " + fd,
            (st, arena) -> (int) IOCTL.invokeExact(st, fd, request, arg));
  }

  /** pipe2(2); returns {read end, write end}. */
  public static int[] pipe(int flags) throws ErrnoException {
    long both =
        checked(
            "pipe2",
            null,
            (st, arena) -> {
              MemorySegment fds = arena.allocate(JAVA_INT, 2);
              int rc = (int) PIPE2.invokeExact(st, fds, flags);
              return rc < 0
                  ? rc
                  : ((long) fds.getAtIndex(JAVA_INT, 0) << 32) | fds.getAtIndex(JAVA_INT, 1);
            });
    return new int[] {(int) (both >>> 32), (int) both};
  }

  /** syscall(2) with arguments (long, pointer, long); returns the result. */
  static long syscall(String name, String subject, long nr, long a, MemorySegment p, long b)
      throws ErrnoException {
    return checked(name, subject, (st, arena) -> (long) SYSCALL_L_P_L.invokeExact(st, nr, a, p, b));
  }

  /** syscall(2) with arguments (pointer, long); returns the result. */
  static long syscall(String name, String subject, long nr, MemorySegment p, long b)
      throws ErrnoException {
    return checked(name, subject, (st, arena) -> (long) SYSCALL_P_L.invokeExact(st, nr, p, b));
  }

  /** strerror(3): the C library's description of an errno. */
  public static String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
      return s.equals(MemorySegment.NULL) ? "errno " + errno : s.reinterpret(4096).getString(0);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }
}
