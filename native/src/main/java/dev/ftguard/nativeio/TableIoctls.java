package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * FTG_IOC_SET_TABLE and FTG_IOC_GET_TABLE with {@code struct ftg_table_arg}, over any ioctl
 * implementation (the real one in {@link Device}; a simulated kernel in tests).
 */
final class TableIoctls {
  private TableIoctls() {}

  static final GroupLayout TABLE_ARG = Abi.TABLE_ARG;
  static final long DATA = Abi.TableArg.DATA;
  static final long SIZE = Abi.TableArg.ARG_SIZE;
  static final long NEEDED = Abi.TableArg.NEEDED;
  static final long GENERATION = Abi.TableArg.GENERATION;
  static final long ERROR = Abi.TableArg.ERROR;
  static final long ERROR_OFFSET = Abi.TableArg.ERROR_OFFSET;
  static final long IOC_SET_TABLE = Abi.IOC_SET_TABLE;
  static final long IOC_GET_TABLE = Abi.IOC_GET_TABLE;

  /** {@code FTG_TABLE_MAX}: the largest table the module takes. */
  static final int TABLE_MAX = Abi.TABLE_MAX;

  /** Rounds of FTG_IOC_GET_TABLE before giving up on a table that keeps growing. */
  static final int GET_ATTEMPTS = 8;

  /** One ioctl(2) with a pointer argument, as {@link LibC#ioctl}. */
  @FunctionalInterface
  interface Ioctl {
    int call(long request, MemorySegment arg, String name) throws ErrnoException;
  }

  static long setTable(Ioctl ioctl, String subject, byte[] table) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(Math.max(table.length, 1), 8);
      MemorySegment.copy(table, 0, data, JAVA_BYTE, 0, table.length);
      MemorySegment arg = arena.allocate(TABLE_ARG);
      arg.set(JAVA_LONG, DATA, data.address());
      arg.set(JAVA_INT, SIZE, table.length);
      try {
        ioctl.call(IOC_SET_TABLE, arg, "FTG_IOC_SET_TABLE");
      } catch (ErrnoException e) {
        int error = arg.get(JAVA_INT, ERROR);
        if (error != 0 && (e.is(Errno.EINVAL) || e.is(Errno.ENOMEM))) {
          throw new TableRejectedException(
              subject, e.errno(), error, arg.get(JAVA_INT, ERROR_OFFSET));
        }
        throw e;
      }
      return arg.get(JAVA_LONG, GENERATION);
    }
  }

  static Optional<KernelTable> getTable(Ioctl ioctl, String subject) throws ErrnoException {
    long size = 0;
    for (int attempt = 0; attempt < GET_ATTEMPTS; attempt++) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment data = size == 0 ? MemorySegment.NULL : arena.allocate(size, 8);
        MemorySegment arg = arena.allocate(TABLE_ARG);
        arg.set(JAVA_LONG, DATA, data.address());
        arg.set(JAVA_INT, SIZE, (int) size);
        long needed;
        try {
          ioctl.call(IOC_GET_TABLE, arg, "FTG_IOC_GET_TABLE");
        } catch (ErrnoException e) {
          if (!e.is(Errno.ENOSPC)) {
            throw e;
          }
          // the table is larger than the buffer (or grew since the last call): ask again
          needed = Integer.toUnsignedLong(arg.get(JAVA_INT, NEEDED));
          size = nextSize(size, needed, subject);
          continue;
        }
        needed = Integer.toUnsignedLong(arg.get(JAVA_INT, NEEDED));
        long generation = arg.get(JAVA_LONG, GENERATION);
        if (needed == 0) {
          return Optional.empty();
        }
        if (needed > size) {
          // a probe the module answered without ENOSPC: nothing copied yet
          size = nextSize(size, needed, subject);
          continue;
        }
        return Optional.of(new KernelTable(generation, data.asSlice(0, needed).toArray(JAVA_BYTE)));
      }
    }
    throw new ErrnoException(
        "ioctl(FTG_IOC_GET_TABLE)",
        subject,
        Errno.ENOSPC,
        "the table kept growing during " + GET_ATTEMPTS + " attempts to read it");
  }

  /** The buffer size for the next attempt: what the module asked for, or twice the last. */
  private static long nextSize(long size, long needed, String subject) throws ErrnoException {
    long next = needed > size ? needed : Math.max(4096, size * 2);
    if (next > TABLE_MAX) {
      throw new ErrnoException(
          "ioctl(FTG_IOC_GET_TABLE)",
          subject,
          Errno.ENOSPC,
          "the module reports a table of " + next + " bytes, above FTG_TABLE_MAX " + TABLE_MAX);
    }
    return next;
  }
}
