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
 * System calls on paths for the event thread's hot path, into buffers each thread keeps: the
 * identity of the file a path leads to ({@link #stat}, one {@code statx(2)}: no attribute map,
 * boxed numbers or time objects per call, as {@code Files.readAttributes(path,
 * "unix:dev,ino,ctime,size")} makes, about 1.5 KB per call), and a link's target ({@link
 * #readLink}, no {@code Path} objects). {@code struct statx} has the same layout on every
 * architecture; {@code statx} is in the C library from glibc 2.28.
 */
@SuppressWarnings("restricted")
public final class PathCalls {
  private PathCalls() {}

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

  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  // int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)
  private static final MethodHandle STATX =
      fn("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));

  // ssize_t readlink(const char *path, char *buf, size_t size)
  private static final MethodHandle READLINK =
      fn("readlink", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));

  private static MethodHandle fn(String name, FunctionDescriptor fd) {
    Linker linker = Linker.nativeLinker();
    MemorySegment addr =
        linker
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    return linker.downcallHandle(addr, fd, Linker.Option.captureCallState("errno"));
  }

  /** A thread's path, result and errno buffers. */
  private static final class Scratch {
    final MemorySegment path;
    final MemorySegment buf;
    final MemorySegment state;

    Scratch() {
      Arena arena = Arena.ofAuto();
      path = arena.allocate(PATH_MAX);
      buf = arena.allocate(PATH_MAX, 8); // a struct statx or a link's target
      state = arena.allocate(CAPTURE);
    }

    /** Puts {@code path} as a C string into {@link #path}. */
    void path(String call, String path) throws ErrnoException {
      byte[] name = path.getBytes(StandardCharsets.UTF_8);
      if (name.length >= PATH_MAX) {
        throw new ErrnoException(call, path, Errno.ENAMETOOLONG);
      }
      MemorySegment.copy(name, 0, this.path, JAVA_BYTE, 0, name.length);
      this.path.set(JAVA_BYTE, name.length, (byte) 0);
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
    Scratch s = SCRATCH.get();
    s.path("statx", path);
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

  /**
   * The target of the symbolic link {@code path} (UTF-8 both), as {@code readlink(2)} reads it
   * (targets of {@value #PATH_MAX} bytes or more are cut there, as the kernel cuts {@code /proc}
   * links).
   *
   * @throws ErrnoException as {@code readlink} failed
   */
  public static String readLink(String path) throws ErrnoException {
    Scratch s = SCRATCH.get();
    s.path("readlink", path);
    long n;
    try {
      n = (long) READLINK.invokeExact(s.state, s.path, s.buf, (long) PATH_MAX);
    } catch (Throwable t) {
      throw t instanceof RuntimeException r ? r : new IllegalStateException("readlink failed", t);
    }
    if (n < 0) {
      throw new ErrnoException("readlink", path, (int) ERRNO.get(s.state, 0L));
    }
    byte[] target = new byte[(int) n];
    MemorySegment.copy(s.buf, JAVA_BYTE, 0, target, 0, target.length);
    return new String(target, StandardCharsets.UTF_8);
  }

  /** glibc's {@code makedev}: the {@code st_dev} of a major and minor number. */
  public static long makedev(int major, int minor) {
    long maj = Integer.toUnsignedLong(major);
    long min = Integer.toUnsignedLong(minor);
    return ((maj & 0xfffL) << 8)
        | ((maj & 0xfffff000L) << 32)
        | (min & 0xffL)
        | ((min & 0xffffff00L) << 12);
  }

  /** glibc's {@code major}: the major number of an {@code st_dev}. */
  public static int major(long dev) {
    return (int) (((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L));
  }

  /** glibc's {@code minor}: the minor number of an {@code st_dev}. */
  public static int minor(long dev) {
    return (int) ((dev & 0xffL) | ((dev >>> 12) & 0xffffff00L));
  }
}
