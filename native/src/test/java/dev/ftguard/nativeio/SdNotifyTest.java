package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifications reach a datagram socket bound where $NOTIFY_SOCKET says, as systemd's. */
@SuppressWarnings("restricted")
class SdNotifyTest {
  private static final Linker L = Linker.nativeLinker();
  private static final MethodHandle SOCKET =
      h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle BIND =
      h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  // recv(fd, buf, len, MSG_DONTWAIT): the datagram was sent before we read
  private static final MethodHandle RECV =
      h("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final MethodHandle CLOSE = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final int MSG_DONTWAIT = 0x40;

  private static MethodHandle h(String name, FunctionDescriptor fd) {
    return L.downcallHandle(L.defaultLookup().find(name).orElseThrow(), fd);
  }

  /** A bound manager-side socket: its fd. */
  private static int bound(Arena arena, String name) throws Throwable {
    byte[] p = name.getBytes(StandardCharsets.UTF_8);
    MemorySegment addr = arena.allocate(SdNotify.SOCKADDR_UN_SIZE);
    addr.set(JAVA_SHORT, 0, SdNotify.AF_UNIX);
    MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
    boolean abstractName = p[0] == '@';
    if (abstractName) {
      addr.set(JAVA_BYTE, 2, (byte) 0);
    }
    int fd = (int) SOCKET.invokeExact((int) SdNotify.AF_UNIX, SdNotify.SOCK_DGRAM_CLOEXEC, 0);
    assertThat(fd).isNotNegative();
    int rc = (int) BIND.invokeExact(fd, addr, 2 + p.length + (abstractName ? 0 : 1));
    assertThat(rc).as("bind " + name).isZero();
    return fd;
  }

  private static String receive(Arena arena, int fd) throws Throwable {
    MemorySegment buf = arena.allocate(4096);
    long n = (long) RECV.invokeExact(fd, buf, 4096L, MSG_DONTWAIT);
    assertThat(n).as("a datagram arrived").isPositive();
    return new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
  }

  @Test
  void readyReachesAPathSocket(@TempDir Path dir) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      String path = dir.resolve("notify").toString();
      int fd = bound(arena, path);
      try {
        SdNotify n = SdNotify.of(path).orElseThrow();
        assertThat(n.ready("generation 3 in force\nsecond line")).isTrue();
        assertThat(receive(arena, fd))
            .isEqualTo("READY=1\nSTATUS=generation 3 in force second line\n");
        assertThat(n.reloading("reloading")).isTrue();
        assertThat(receive(arena, fd)).isEqualTo("RELOADING=1\nSTATUS=reloading\n");
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    }
  }

  @Test
  void readyReachesAnAbstractSocket() throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      String name = "@ftguard-sdnotify-test-" + ProcessHandle.current().pid();
      int fd = bound(arena, name);
      try {
        assertThat(SdNotify.of(name).orElseThrow().stopping()).isTrue();
        assertThat(receive(arena, fd)).isEqualTo("STOPPING=1\n");
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    }
  }

  @Test
  void withoutASocketNothingIsSent(@TempDir Path dir) {
    assertThat(SdNotify.of(null)).isEmpty();
    assertThat(SdNotify.of("")).isEmpty();
    assertThat(SdNotify.of("vsock:2:1234")).isEmpty();
    // a socket that nobody bound: the send fails, quietly
    assertThat(SdNotify.of(dir.resolve("absent").toString()).orElseThrow().status("x")).isFalse();
  }
}
