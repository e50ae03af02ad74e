package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
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
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * sd_notify(3) without libsystemd: one datagram with the state lines ({@code READY=1}, {@code
 * STATUS=...}, {@code RELOADING=1}) to the AF_UNIX socket systemd names in {@code $NOTIFY_SOCKET}
 * (a path, or an abstract name written {@code @name}). A service of {@code Type=notify} is started
 * when it sends {@code READY=1}: ftguard's unit orders logins after that.
 */
@SuppressWarnings("restricted")
public final class SdNotify {
  private SdNotify() {}

  static final int AF_UNIX = 1;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_CLOEXEC = 02000000;
  static final int MSG_NOSIGNAL = 0x4000;

  /** {@code struct sockaddr_un}: family, then a 108-byte path. */
  static final int SUN_PATH = 108;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

  private static MethodHandle fn(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)),
        fd,
        ERRNO_OPT);
  }

  private static final MethodHandle SOCKET =
      fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  // ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t)
  private static final MethodHandle SENDTO =
      fn(
          "sendto",
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle BIND =
      fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle RECV =
      fn("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

  /**
   * Sends {@code state} to {@code $NOTIFY_SOCKET} of {@code env}.
   *
   * @return false when the variable is unset (not started by systemd): nothing sent
   * @throws ErrnoException when the socket cannot be made or the datagram not sent
   */
  public static boolean notify(Map<String, String> env, String state) throws ErrnoException {
    String socket = env.get("NOTIFY_SOCKET");
    if (socket == null || socket.isEmpty()) {
      return false;
    }
    int fd = socket(socket);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment addr = address(arena, socket);
      byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
      MemorySegment msg = arena.allocate(Math.max(1, bytes.length));
      MemorySegment.copy(bytes, 0, msg, JAVA_BYTE, 0, bytes.length);
      MemorySegment st = arena.allocate(CAPTURE);
      long rc;
      try {
        rc =
            (long)
                SENDTO.invokeExact(
                    st, fd, msg, (long) bytes.length, MSG_NOSIGNAL, addr, (int) addr.byteSize());
      } catch (Throwable t) {
        throw new IllegalStateException("sendto downcall failed", t);
      }
      if (rc < 0) {
        throw new ErrnoException("sendto", socket, (int) ERRNO.get(st, 0L));
      }
      return true;
    } finally {
      LibC.close(fd);
    }
  }

  private static int socket(String subject) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = arena.allocate(CAPTURE);
      int fd;
      try {
        fd = (int) SOCKET.invokeExact(st, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      } catch (Throwable t) {
        throw new IllegalStateException("socket downcall failed", t);
      }
      if (fd < 0) {
        throw new ErrnoException("socket", subject, (int) ERRNO.get(st, 0L));
      }
      return fd;
    }
  }

  /** {@code struct sockaddr_un} for a path or an abstract name ({@code @name}). */
  static MemorySegment address(Arena arena, String socket) {
    byte[] path = socket.getBytes(StandardCharsets.UTF_8);
    if (path.length >= SUN_PATH) {
      throw new IllegalArgumentException("NOTIFY_SOCKET is too long: " + socket);
    }
    boolean isAbstract = path[0] == '@';
    if (isAbstract) {
      path[0] = 0;
    }
    // abstract names have no terminating NUL: the length says where they end
    long size = JAVA_SHORT.byteSize() + path.length + (isAbstract ? 0 : 1);
    MemorySegment addr = arena.allocate(size, 2);
    addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
    MemorySegment.copy(path, 0, addr, JAVA_BYTE, JAVA_SHORT.byteSize(), path.length);
    return addr;
  }

  /** A bound datagram socket (tests play systemd with it); returns its descriptor. */
  static int listen(String socket) throws ErrnoException {
    int fd = socket(socket);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment addr = address(arena, socket);
      MemorySegment st = arena.allocate(CAPTURE);
      int rc;
      try {
        rc = (int) BIND.invokeExact(st, fd, addr, (int) addr.byteSize());
      } catch (Throwable t) {
        throw new IllegalStateException("bind downcall failed", t);
      }
      if (rc < 0) {
        int errno = (int) ERRNO.get(st, 0L);
        LibC.close(fd);
        throw new ErrnoException("bind", socket, errno);
      }
      return fd;
    }
  }

  /** One datagram from a socket of {@link #listen} (blocking). */
  static String receive(int fd) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(4096);
      MemorySegment st = arena.allocate(CAPTURE);
      long n;
      try {
        n = (long) RECV.invokeExact(st, fd, buf, buf.byteSize(), 0);
      } catch (Throwable t) {
        throw new IllegalStateException("recv downcall failed", t);
      }
      if (n < 0) {
        throw new ErrnoException("recv", "fd " + fd, (int) ERRNO.get(st, 0L));
      }
      return new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }
  }
}
