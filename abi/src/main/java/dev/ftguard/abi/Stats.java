package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * {@code struct ftg_stats}: the module's counters since load (FTG_IOC_STATS).
 *
 * @param dropped lost records by {@code enum ftg_drop_reason} (index {@link Abi#DROP_BUFFER_FULL}
 *     ...)
 */
public record Stats(
    long abiVersion,
    long nrHooks,
    long hooksAttached,
    long inflight,
    long produced,
    long delivered,
    long[] dropped,
    long bufferBytes,
    long bufferEntries) {

  public Stats {
    if (dropped.length != Abi.DROP_REASONS) {
      throw new IllegalArgumentException(
          "dropped has " + dropped.length + " reasons, expected " + Abi.DROP_REASONS);
    }
    dropped = dropped.clone();
  }

  @Override
  public long[] dropped() {
    return dropped.clone();
  }

  public long dropped(int reason) {
    return dropped[reason];
  }

  public long droppedTotal() {
    long sum = 0;
    for (long d : dropped) {
      sum += d;
    }
    return sum;
  }

  /** Reads a {@code struct ftg_stats} in host byte order. */
  public static Stats decode(MemorySegment s) {
    long[] dropped = new long[Abi.DROP_REASONS];
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] = s.get(JAVA_LONG_UNALIGNED, Abi.Stat.DROPPED + 8L * i);
    }
    return new Stats(
        u32(s, Abi.Stat.ABI_VERSION),
        u32(s, Abi.Stat.NR_HOOKS),
        u32(s, Abi.Stat.HOOKS_ATTACHED),
        u32(s, Abi.Stat.INFLIGHT),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.PRODUCED),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.DELIVERED),
        dropped,
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.BUFFER_BYTES),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.BUFFER_ENTRIES));
  }

  /** Writes this into a {@code struct ftg_stats} in host byte order. */
  public void encode(MemorySegment s) {
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.ABI_VERSION, (int) abiVersion);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.NR_HOOKS, (int) nrHooks);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.HOOKS_ATTACHED, (int) hooksAttached);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.INFLIGHT, (int) inflight);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.PRODUCED, produced);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.DELIVERED, delivered);
    for (int i = 0; i < dropped.length; i++) {
      s.set(JAVA_LONG_UNALIGNED, Abi.Stat.DROPPED + 8L * i, dropped[i]);
    }
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.BUFFER_BYTES, bufferBytes);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.BUFFER_ENTRIES, bufferEntries);
  }

  private static long u32(MemorySegment s, long at) {
    return Integer.toUnsignedLong(s.get(JAVA_INT_UNALIGNED, at));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Stats t
        && abiVersion == t.abiVersion
        && nrHooks == t.nrHooks
        && hooksAttached == t.hooksAttached
        && inflight == t.inflight
        && produced == t.produced
        && delivered == t.delivered
        && Arrays.equals(dropped, t.dropped)
        && bufferBytes == t.bufferBytes
        && bufferEntries == t.bufferEntries;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(produced) * 31 + Arrays.hashCode(dropped);
  }

  @Override
  public String toString() {
    return "Stats[abiVersion=%d, nrHooks=%d, hooksAttached=%d, inflight=%d, produced=%d, delivered=%d, dropped=%s, bufferBytes=%d, bufferEntries=%d]"
        .formatted(
            abiVersion,
            nrHooks,
            hooksAttached,
            inflight,
            produced,
            delivered,
            Arrays.toString(dropped),
            bufferBytes,
            bufferEntries);
  }
}
