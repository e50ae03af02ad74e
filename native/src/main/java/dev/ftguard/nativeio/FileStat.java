package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.ftguard.abi.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The identity of the file a path leads to (links followed), with one {@code statx(2)} into a
 * buffer each thread keeps: no attribute map, boxed numbers or time objects per call, as {@code
 * Files.readAttributes(path, "unix:dev,ino,ctime,size")} makes (about 1.5 KB per call). {@code
 * struct statx} has the same layout on every architecture; {@code statx} is in the C library from
 * glibc 2.28.
 */
@SuppressWarnings("restricted")
public final class FileStat {
  private FileStat() {}

  /**
   * What a stat tells of a file.
   *
   * @param dev the device, encoded as {@code st_dev} ({@code makedev(major, minor)})
   * @param ctimeNs change time, nanoseconds since the epoch
   */
  public record Info(long dev, long ino, long size, long ctimeNs) {}

  private static final int AT_FDCWD = -100;
  private static final int STATX_BASIC_STATS = 0x7ff;
  private static final int PATH_MAX = 4096;

  // offsets in struct statx (include/uapi/linux/stat.h)
  private static final long STX_INO = 32;
  private static final long STX_SIZE = 40;
  private static final long STX_CTIME = 96; // struct statx_timestamp: s64 tv_sec, u32 tv_nsec
  private static final long STX_DEV_MAJOR = 136;
  private static final long STX_DEV_MINOR = 140;
  private static final long STATX_SIZE = 256;

  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  // int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)
  private static final MethodHandle STATX;

  static {
    Linker linker = Linker.nativeLinker();
    MemorySegment addr =
        linker
            .defaultLookup()
            .find("statx")
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol statx"));
    STATX =
        linker.downcallHandle(
            addr,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
            Linker.Option.captureCallState("errno"));
  }

  /** A thread's path, result and errno buffers. */
  private static final class Scratch {
    final MemorySegment path;
    final MemorySegment buf;
    final MemorySegment state;

    Scratch() {
      Arena arena = Arena.ofAuto();
      path = arena.allocate(PATH_MAX);
      buf = arena.allocate(STATX_SIZE, 8);
      state = arena.allocate(CAPTURE);
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * Stats {@code path} (UTF-8), following links.
   *
   * @throws ErrnoException as {@code statx} failed ({@code ENAMETOOLONG} for a path of {@value
   *     #PATH_MAX} bytes or more)
   */
  public static Info stat(String path) throws ErrnoException {
    byte[] name = path.getBytes(StandardCharsets.UTF_8);
    if (name.length >= PATH_MAX) {
      throw new ErrnoException("statx", path, Errno.ENAMETOOLONG);
    }
    Scratch s = SCRATCH.get();
    MemorySegment.copy(name, 0, s.path, JAVA_BYTE, 0, name.length);
    s.path.set(JAVA_BYTE, name.length, (byte) 0);
    int rc;
    try {
      rc = (int) STATX.invokeExact(s.state, AT_FDCWD, s.path, 0, STATX_BASIC_STATS, s.buf);
    } catch (Throwable t) {
      throw t instanceof RuntimeException r ? r : new IllegalStateException("statx failed", t);
    }
    if (rc != 0) {
      throw new ErrnoException("statx", path, (int) ERRNO.get(s.state, 0L));
    }
    MemorySegment b = s.buf;
    long ctime = b.get(JAVA_LONG, STX_CTIME) * 1_000_000_000L + b.get(JAVA_INT, STX_CTIME + 8);
    return new Info(
        makedev(b.get(JAVA_INT, STX_DEV_MAJOR), b.get(JAVA_INT, STX_DEV_MINOR)),
        b.get(JAVA_LONG, STX_INO),
        b.get(JAVA_LONG, STX_SIZE),
        ctime);
  }

  /** glibc's {@code makedev}: the {@code st_dev} of a major and minor number. */
  static long makedev(int major, int minor) {
    long maj = Integer.toUnsignedLong(major);
    long min = Integer.toUnsignedLong(minor);
    return ((maj & 0xfffL) << 8)
        | ((maj & 0xfffff000L) << 32)
        | (min & 0xffL)
        | ((min & 0xffffff00L) << 12);
  }
}
