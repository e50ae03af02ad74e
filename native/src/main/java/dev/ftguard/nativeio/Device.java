package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallHookInfo;
import dev.ftguard.abi.Errno;
import dev.ftguard.abi.HookInfo;
import dev.ftguard.abi.Stats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An open descriptor of {@code /dev/ftguard}.
 *
 * <p>The descriptor is non-blocking; {@link #readRecords} waits with poll(2) and then reads, so a
 * concurrent reader that takes the records first yields 0 bytes rather than a blocked thread. One
 * thread at a time may use a Device; {@link #close} is idempotent. Changing the rule table needs a
 * descriptor opened with {@link #openReadWrite}.
 */
public final class Device implements ControlDevice {
  /** The device node the module creates. */
  public static final Path DEFAULT_PATH = Path.of("/dev", Abi.DEVICE_NAME);

  private static final long HOOK_INFO_LIMIT = 4096;

  private final Path path;
  private final int fd;
  private boolean closed;

  private Device(Path path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  /** Opens {@link #DEFAULT_PATH}. */
  public static Device open() throws ErrnoException {
    return open(DEFAULT_PATH);
  }

  /**
   * Opens {@code path} read-only, non-blocking, close-on-exec.
   *
   * @throws ErrnoException ENOENT when the module is not loaded, EACCES/EPERM without root
   */
  public static Device open(Path path) throws ErrnoException {
    return new Device(path, LibC.open(path, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC));
  }

  /**
   * Opens {@code path} read-write, non-blocking, close-on-exec: for commands that also write the
   * rule table.
   *
   * @throws ErrnoException ENOENT when the module is not loaded, EACCES/EPERM without root
   */
  public static Device openReadWrite(Path path) throws ErrnoException {
    return new Device(path, LibC.open(path, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC));
  }

  public Path path() {
    return path;
  }

  public int fd() {
    return fd;
  }

  @Override
  public long readRecords(MemorySegment buf, long timeoutMillis) throws ErrnoException {
    if (buf.byteSize() < Abi.RECORD_MAX) {
      throw new IllegalArgumentException(
          "read buffer of " + buf.byteSize() + " bytes is below FTG_RECORD_MAX " + Abi.RECORD_MAX);
    }
    ensureOpen();
    int timeout = timeoutMillis < 0 ? -1 : (int) Math.min(timeoutMillis, (long) Integer.MAX_VALUE);
    short revents;
    try {
      revents = LibC.poll(fd, LibC.POLLIN, timeout);
    } catch (ErrnoException e) {
      if (e.is(Errno.EINTR)) {
        return 0;
      }
      throw e;
    }
    if (revents == 0) {
      return 0;
    }
    if ((revents & LibC.POLLNVAL) != 0) {
      throw new ErrnoException("poll", path.toString(), Errno.EBADF);
    }
    if ((revents & LibC.POLLIN) == 0 && (revents & LibC.POLLHUP) != 0) {
      throw new ErrnoException("poll", path.toString(), Errno.ENODEV, "device hung up");
    }
    try {
      return LibC.read(fd, buf);
    } catch (ErrnoException e) {
      if (e.is(Errno.EAGAIN) || e.is(Errno.EINTR)) {
        return 0;
      }
      throw new ErrnoException("read", path.toString(), e.errno());
    }
  }

  @Override
  public Stats stats() throws ErrnoException {
    ensureOpen();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(Abi.STATS);
      ioctl(Abi.IOC_STATS, s, "FTG_IOC_STATS");
      return Stats.decode(s);
    }
  }

  /**
   * FTG_IOC_HOOK_INFO for one index.
   *
   * @throws ErrnoException ENOENT past the last hook
   */
  public HookInfo hookInfo(int index) throws ErrnoException {
    ensureOpen();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(Abi.HOOK_INFO);
      s.set(JAVA_INT_UNALIGNED, Abi.Hook.INDEX, index);
      ioctl(Abi.IOC_HOOK_INFO, s, "FTG_IOC_HOOK_INFO");
      return HookInfo.decode(s);
    }
  }

  @Override
  public List<CallHookInfo> callHooks() throws ErrnoException {
    ensureOpen();
    List<CallHookInfo> out = new ArrayList<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(Abi.CALL_HOOK_INFO);
      for (int i = 0; i < Abi.TABLE_HOOKS_MAX; i++) {
        s.fill((byte) 0);
        s.set(JAVA_INT_UNALIGNED, Abi.CallHook.INDEX, i);
        try {
          ioctl(Abi.IOC_CALL_HOOK_INFO, s, "FTG_IOC_CALL_HOOK_INFO");
        } catch (ErrnoException e) {
          if (e.is(Errno.ENOENT)) {
            break;
          }
          throw e;
        }
        out.add(CallHookInfo.decode(s));
      }
    }
    return out;
  }

  @Override
  public List<HookInfo> hooks() throws ErrnoException {
    List<HookInfo> out = new ArrayList<>();
    for (int i = 0; i < HOOK_INFO_LIMIT; i++) {
      try {
        out.add(hookInfo(i));
      } catch (ErrnoException e) {
        if (e.is(Errno.ENOENT)) {
          return out;
        }
        throw e;
      }
    }
    return out;
  }

  /**
   * FTG_IOC_SET_TABLE.
   *
   * @return the new table's generation
   * @throws TableRejectedException the module refused the table: {@link
   *     TableRejectedException#error()} says why, {@link TableRejectedException#offset()} where
   */
  @Override
  public long setTable(byte[] table) throws ErrnoException {
    ensureOpen();
    return TableIoctls.setTable(this::ioctl, path.toString(), table);
  }

  @Override
  public void lock() throws ErrnoException {
    ensureOpen();
    ioctl(Abi.IOC_LOCK, MemorySegment.NULL, "FTG_IOC_LOCK");
  }

  /**
   * FTG_IOC_GET_TABLE: asks for the size first, then reads the table into a buffer of that size,
   * asking again if it grew in between.
   */
  @Override
  public Optional<KernelTable> getTable() throws ErrnoException {
    ensureOpen();
    return TableIoctls.getTable(this::ioctl, path.toString());
  }

  private int ioctl(long request, MemorySegment arg, String name) throws ErrnoException {
    try {
      return LibC.ioctl(fd, request, arg, name);
    } catch (ErrnoException e) {
      throw new ErrnoException(e.call(), path.toString(), e.errno());
    }
  }

  private void ensureOpen() throws ErrnoException {
    if (closed) {
      throw new ErrnoException("use", path.toString(), Errno.EBADF, "device already closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        LibC.close(fd);
      } catch (ErrnoException e) {
        // close(2) on Linux releases the descriptor even when it reports an error
      }
    }
  }

  @Override
  public String toString() {
    return "Device[" + path + ", fd " + fd + (closed ? ", closed" : "") + "]";
  }
}
