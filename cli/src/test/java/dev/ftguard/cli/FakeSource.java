package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import dev.ftguard.abi.HookInfo;
import dev.ftguard.abi.Stats;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.KernelTable;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * An in-memory /dev/ftguard behind the ControlDevice interface: scripted read batches, drop
 * counters that the test can raise, hooks, a rule table. Honours the read contract (buffer size
 * check, 0 on timeout after waiting).
 */
final class FakeSource implements ControlDevice {
  final Deque<byte[]> batches = new ArrayDeque<>();
  volatile long[] dropped = new long[Abi.DROP_REASONS];
  long abiVersion = Abi.ABI_VERSION;
  List<HookInfo> hooks = new ArrayList<>();

  /** Generates a batch when the queue is empty (follow tests); null: none. */
  volatile java.util.function.Supplier<byte[]> generator;

  volatile boolean closed;
  int reads;
  final List<Long> waits = new ArrayList<>();
  LongSupplier produced = () -> 0;

  /** Runs after each read with the number of reads so far (e.g. to raise drop counters). */
  volatile java.util.function.IntConsumer afterRead = n -> {};

  @Override
  public synchronized long readRecords(MemorySegment buf, long timeoutMillis)
      throws ErrnoException {
    if (buf.byteSize() < Abi.RECORD_MAX) {
      throw new IllegalArgumentException("small buffer");
    }
    if (closed) {
      throw new ErrnoException("read", "fake", Errno.EBADF, "closed");
    }
    reads++;
    waits.add(timeoutMillis);
    byte[] next = batches.poll();
    afterRead.accept(reads);
    if (next == null && generator != null) {
      next = generator.get();
    }
    if (next == null) {
      if (timeoutMillis > 0) {
        try {
          wait(timeoutMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return 0;
    }
    MemorySegment.copy(MemorySegment.ofArray(next), 0, buf, 0, next.length);
    return next.length;
  }

  /** The table in force (null: none since load) and its generation. */
  byte[] table;

  long generation;

  /** Every table written, in order. */
  final List<byte[]> written = new ArrayList<>();

  /** Thrown by the next setTable calls instead of accepting the table (null: accept). */
  volatile ErrnoException setError;

  long[] decisions = new long[Abi.ACTIONS];
  long blocked;
  long killed;
  long tableRules;

  /** FTG_IOC_LOCK as the module does it: once a table with rules is in force, it is final. */
  volatile boolean locked;

  @Override
  public synchronized void lock() {
    locked = true;
  }

  @Override
  public synchronized Stats stats() {
    return new Stats(
        abiVersion,
        hooks.size(),
        hooks.size(),
        0,
        produced.getAsLong(),
        0,
        dropped,
        4096,
        0,
        table == null ? 0 : generation,
        tableRules,
        table == null ? 0 : table.length,
        decisions,
        blocked,
        killed,
        0,
        0,
        0,
        locked,
        new long[Abi.TAMPERS],
        0,
        0,
        0,
        0);
  }

  @Override
  public synchronized long setTable(byte[] t) throws ErrnoException {
    if (closed) {
      throw new ErrnoException("ioctl(FTG_IOC_SET_TABLE)", "fake", Errno.EBADF, "closed");
    }
    if (locked && tableRules > 0) {
      throw new ErrnoException("ioctl(FTG_IOC_SET_TABLE)", "fake", Errno.EPERM, "locked");
    }
    if (setError != null) {
      throw setError;
    }
    written.add(t.clone());
    table = t.clone();
    var header = java.nio.ByteBuffer.wrap(t).order(java.nio.ByteOrder.nativeOrder());
    tableRules = Integer.toUnsignedLong(header.getInt((int) Abi.Table.RULES + 4));
    locked |= (header.getInt((int) Abi.Table.FLAGS) & Abi.TABLE_F_LOCK) != 0;
    return ++generation;
  }

  @Override
  public synchronized Optional<KernelTable> getTable() {
    return table == null ? Optional.empty() : Optional.of(new KernelTable(generation, table));
  }

  /** What callHooks() reports after a table is set. */
  volatile List<dev.ftguard.abi.CallHookInfo> callHooks = List.of();

  @Override
  public List<dev.ftguard.abi.CallHookInfo> callHooks() {
    return callHooks;
  }

  @Override
  public List<HookInfo> hooks() {
    return hooks;
  }

  @Override
  public void close() {
    closed = true;
  }
}
