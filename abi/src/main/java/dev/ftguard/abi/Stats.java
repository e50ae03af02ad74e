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
 * @param tableGeneration the current rule table's generation, 0: none
 * @param tableRules rules in it
 * @param tableBytes its size in bytes
 * @param decisions matches by {@code enum ftg_action} (index {@link Abi#ACT_ALLOW} ...; monitor
 *     policies count what they would have done)
 * @param blocked operations denied
 * @param killed processes killed
 * @param callHooks hooks the current table declares
 * @param callHooksAttached those of them attached
 * @param callSkipped declared-hook calls not examined (nested on a CPU, or in NMI context)
 * @param locked whether the module is locked until reboot
 * @param tamper attempts on the module by {@code enum ftg_tamper} (index {@link
 *     Abi#TAMPER_FTRACE_OFF} ...)
 * @param contentHits file digests found in the content cache
 * @param contentMisses ... not found there
 * @param contentHashes files hashed
 * @param contentUnknown contents left unknown (too large, unreadable, not cached at mprotect)
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
    long bufferEntries,
    long tableGeneration,
    long tableRules,
    long tableBytes,
    long[] decisions,
    long blocked,
    long killed,
    long callHooks,
    long callHooksAttached,
    long callSkipped,
    boolean locked,
    long[] tamper,
    long contentHits,
    long contentMisses,
    long contentHashes,
    long contentUnknown) {

  public Stats {
    dropped = checkedCopy(dropped, "dropped", Abi.DROP_REASONS, "reasons");
    decisions = checkedCopy(decisions, "decisions", Abi.ACTIONS, "actions");
    tamper = checkedCopy(tamper, "tamper", Abi.TAMPERS, "kinds of attempt");
  }

  @Override
  public long[] tamper() {
    return tamper.clone();
  }

  /** Attempts of this {@code enum ftg_tamper} value. */
  public long tamper(int what) {
    return tamper[what];
  }

  /** A copy of {@code counters}, which must hold {@code n} counters (the {@code what}). */
  private static long[] checkedCopy(long[] counters, String name, int n, String what) {
    if (counters.length != n) {
      throw new IllegalArgumentException(
          name + " has " + counters.length + " " + what + ", expected " + n);
    }
    return counters.clone();
  }

  @Override
  public long[] dropped() {
    return dropped.clone();
  }

  public long dropped(int reason) {
    return dropped[reason];
  }

  public long droppedTotal() {
    return sum(dropped);
  }

  @Override
  public long[] decisions() {
    return decisions.clone();
  }

  /** Matches of rules with this {@code enum ftg_action} value. */
  public long decisions(int action) {
    return decisions[action];
  }

  public long decisionsTotal() {
    return sum(decisions);
  }

  private static long sum(long[] counters) {
    long sum = 0;
    for (long c : counters) {
      sum += c;
    }
    return sum;
  }

  /** Reads a {@code struct ftg_stats} in host byte order. */
  public static Stats decode(MemorySegment s) {
    return new Stats(
        u32(s, Abi.Stat.ABI_VERSION),
        u32(s, Abi.Stat.NR_HOOKS),
        u32(s, Abi.Stat.HOOKS_ATTACHED),
        u32(s, Abi.Stat.INFLIGHT),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.PRODUCED),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.DELIVERED),
        getCounters(s, Abi.Stat.DROPPED, Abi.DROP_REASONS),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.BUFFER_BYTES),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.BUFFER_ENTRIES),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.TABLE_GENERATION),
        u32(s, Abi.Stat.TABLE_RULES),
        u32(s, Abi.Stat.TABLE_BYTES),
        getCounters(s, Abi.Stat.DECISIONS, Abi.ACTIONS),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.BLOCKED),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.KILLED),
        u32(s, Abi.Stat.CALL_HOOKS),
        u32(s, Abi.Stat.CALL_HOOKS_ATTACHED),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.CALL_SKIPPED),
        u32(s, Abi.Stat.LOCKED) != 0,
        getCounters(s, Abi.Stat.TAMPER, Abi.TAMPERS),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.CONTENT_HITS),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.CONTENT_MISSES),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.CONTENT_HASHES),
        s.get(JAVA_LONG_UNALIGNED, Abi.Stat.CONTENT_UNKNOWN));
  }

  /** Writes this into a {@code struct ftg_stats} in host byte order. */
  public void encode(MemorySegment s) {
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.ABI_VERSION, (int) abiVersion);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.NR_HOOKS, (int) nrHooks);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.HOOKS_ATTACHED, (int) hooksAttached);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.INFLIGHT, (int) inflight);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.PRODUCED, produced);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.DELIVERED, delivered);
    setCounters(s, Abi.Stat.DROPPED, dropped);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.BUFFER_BYTES, bufferBytes);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.BUFFER_ENTRIES, bufferEntries);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.TABLE_GENERATION, tableGeneration);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.TABLE_RULES, (int) tableRules);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.TABLE_BYTES, (int) tableBytes);
    setCounters(s, Abi.Stat.DECISIONS, decisions);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.BLOCKED, blocked);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.KILLED, killed);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.CALL_HOOKS, (int) callHooks);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.CALL_HOOKS_ATTACHED, (int) callHooksAttached);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.CALL_SKIPPED, callSkipped);
    s.set(JAVA_INT_UNALIGNED, Abi.Stat.LOCKED, locked ? 1 : 0);
    setCounters(s, Abi.Stat.TAMPER, tamper);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.CONTENT_HITS, contentHits);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.CONTENT_MISSES, contentMisses);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.CONTENT_HASHES, contentHashes);
    s.set(JAVA_LONG_UNALIGNED, Abi.Stat.CONTENT_UNKNOWN, contentUnknown);
  }

  /** The {@code n} 64-bit counters of the array at {@code at}. */
  private static long[] getCounters(MemorySegment s, long at, int n) {
    long[] counters = new long[n];
    for (int i = 0; i < n; i++) {
      counters[i] = s.get(JAVA_LONG_UNALIGNED, at + 8L * i);
    }
    return counters;
  }

  private static void setCounters(MemorySegment s, long at, long[] counters) {
    for (int i = 0; i < counters.length; i++) {
      s.set(JAVA_LONG_UNALIGNED, at + 8L * i, counters[i]);
    }
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
        && bufferEntries == t.bufferEntries
        && tableGeneration == t.tableGeneration
        && tableRules == t.tableRules
        && tableBytes == t.tableBytes
        && Arrays.equals(decisions, t.decisions)
        && blocked == t.blocked
        && killed == t.killed
        && callHooks == t.callHooks
        && callHooksAttached == t.callHooksAttached
        && callSkipped == t.callSkipped
        && locked == t.locked
        && Arrays.equals(tamper, t.tamper)
        && contentHits == t.contentHits
        && contentMisses == t.contentMisses
        && contentHashes == t.contentHashes
        && contentUnknown == t.contentUnknown;
  }

  @Override
  public int hashCode() {
    return (Long.hashCode(produced) * 31 + Arrays.hashCode(dropped)) * 31
        + Long.hashCode(tableGeneration) * 17
        + Arrays.hashCode(decisions) * 7
        + Arrays.hashCode(tamper);
  }

  @Override
  public String toString() {
    return ("Stats[abiVersion=%d, nrHooks=%d, hooksAttached=%d, inflight=%d, produced=%d,"
            + " delivered=%d, dropped=%s, bufferBytes=%d, bufferEntries=%d, tableGeneration=%d,"
            + " tableRules=%d, tableBytes=%d, decisions=%s, blocked=%d, killed=%d, locked=%b,"
            + " tamper=%s, contentHits=%d, contentMisses=%d, contentHashes=%d,"
            + " contentUnknown=%d]")
        .formatted(
            abiVersion,
            nrHooks,
            hooksAttached,
            inflight,
            produced,
            delivered,
            Arrays.toString(dropped),
            bufferBytes,
            bufferEntries,
            tableGeneration,
            tableRules,
            tableBytes,
            Arrays.toString(decisions),
            blocked,
            killed,
            locked,
            Arrays.toString(tamper),
            contentHits,
            contentMisses,
            contentHashes,
            contentUnknown);
  }
}
