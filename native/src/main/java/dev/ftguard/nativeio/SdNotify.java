package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The service manager's readiness protocol (sd_notify(3)): one datagram of {@code KEY=value} lines
 * to the AF_UNIX socket named by {@code $NOTIFY_SOCKET}. The JDK has no AF_UNIX datagram sockets,
 * hence the three downcalls. Without {@code $NOTIFY_SOCKET} (not started by systemd, or not {@code
 * Type=notify}) every call does nothing.
 */
@SuppressWarnings("restricted")
public final class SdNotify {
  /** {@code AF_UNIX}. */
  static final short AF_UNIX = 1;

  /** {@code SOCK_DGRAM | SOCK_CLOEXEC}. */
  static final int SOCK_DGRAM_CLOEXEC = 2 | 02000000;

  /** {@code sizeof(struct sockaddr_un)}: a 2-byte family and a 108-byte path. */
  static final int SOCKADDR_UN_SIZE = 110;

  private static final int PATH_MAX_UN = SOCKADDR_UN_SIZE - 2;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle SOCKET =
      fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle SENDTO =
      fn(
          "sendto",
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private final String socket;

  private SdNotify(String socket) {
    this.socket = socket;
  }

  /**
   * A notifier for {@code socket}, the value of {@code $NOTIFY_SOCKET} (a path, or {@code @name}
   * for the abstract namespace); none when it is unset.
   */
  public static Optional<SdNotify> of(String socket) {
    if (socket == null || socket.isEmpty()) {
      return Optional.empty();
    }
    if (!socket.startsWith("/") && !socket.startsWith("@")) {
      return Optional.empty(); // vsock addresses and the like: not ours to speak
    }
    return Optional.of(new SdNotify(socket));
  }

  /** {@code READY=1} and a status line: the service is up (its policies are in force). */
  public boolean ready(String status) {
    return send("READY=1\nSTATUS=" + oneLine(status) + "\n");
  }

  /** {@code RELOADING=1}: the service is re-reading its configuration. */
  public boolean reloading(String status) {
    return send("RELOADING=1\nSTATUS=" + oneLine(status) + "\n");
  }

  /** {@code STATUS=}: a one-line state shown by {@code systemctl status}. */
  public boolean status(String status) {
    return send("STATUS=" + oneLine(status) + "\n");
  }

  /** {@code STOPPING=1}: the service is shutting down. */
  public boolean stopping() {
    return send("STOPPING=1\n");
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ');
  }

  /**
   * Sends one datagram; false when it could not be sent (the manager then notices by its timeout,
   * which is all a notification can fail into).
   */
  public boolean send(String state) {
    byte[] path = socket.getBytes(StandardCharsets.UTF_8);
    if (path.length > PATH_MAX_UN) {
      return false;
    }
    byte[] msg = state.getBytes(StandardCharsets.UTF_8);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment addr = arena.allocate(SOCKADDR_UN_SIZE);
      addr.set(JAVA_SHORT, 0, AF_UNIX);
      MemorySegment.copy(path, 0, addr, JAVA_BYTE, 2, path.length);
      if (path[0] == '@') {
        addr.set(JAVA_BYTE, 2, (byte) 0);
      }
      // An abstract name's length is exact; a path's includes its terminating zero.
      int addrLen = 2 + path.length + (path[0] == '@' ? 0 : 1);
      MemorySegment buf = arena.allocateFrom(JAVA_BYTE, msg);
      int fd = (int) SOCKET.invokeExact((int) AF_UNIX, SOCK_DGRAM_CLOEXEC, 0);
      if (fd < 0) {
        return false;
      }
      try {
        long n = (long) SENDTO.invokeExact(fd, buf, (long) msg.length, 0, addr, addrLen);
        return n == msg.length;
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    } catch (Throwable t) {
      if (t instanceof Error e) {
        throw e;
      }
      return false;
    }
  }

  private static MethodHandle fn(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name)),
        fd);
  }
}
