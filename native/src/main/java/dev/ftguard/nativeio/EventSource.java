package dev.ftguard.nativeio;

import dev.ftguard.abi.HookInfo;
import dev.ftguard.abi.Stats;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What a reader of ftguard records needs from {@code /dev/ftguard}. {@link Device} is the real
 * implementation; tests and simulations provide others.
 */
public interface EventSource extends AutoCloseable {
  /**
   * Waits up to {@code timeoutMillis} for records and reads as many whole records as fit into
   * {@code buf}.
   *
   * @param buf at least {@link dev.ftguard.abi.Abi#RECORD_MAX} bytes
   * @param timeoutMillis 0 does not wait; negative waits until records arrive
   * @return bytes read into {@code buf} from offset 0; 0 when none arrived in time or the wait was
   *     interrupted by a signal
   */
  long readRecords(MemorySegment buf, long timeoutMillis) throws ErrnoException;

  /** FTG_IOC_STATS. */
  Stats stats() throws ErrnoException;

  /** FTG_IOC_HOOK_INFO for every hook, in table order. */
  List<HookInfo> hooks() throws ErrnoException;

  @Override
  void close();
}
