package dev.ftguard.abi;

import java.time.Instant;

/**
 * {@code struct ftg_event_header}: the common part of every record. Unsigned 32-bit kernel fields
 * that can exceed {@code Integer.MAX_VALUE} (cpu, ids) are widened to {@code long}; {@code seq} and
 * {@code cgroupId} are unsigned 64-bit values held in a {@code long}.
 *
 * @param offset byte offset of the record in the buffer it was decoded from
 */
public record Header(
    long offset,
    int type,
    int size,
    long cpu,
    long seq,
    long monoNs,
    long wallNs,
    long cgroupId,
    long pid,
    long tgid,
    long ppid,
    long uid,
    long gid,
    long euid,
    String comm) {

  /** Wall-clock time of the hooked call (CLOCK_REALTIME). */
  public Instant wallTime() {
    return Instant.ofEpochSecond(
        Long.divideUnsigned(wallNs, 1_000_000_000L),
        Long.remainderUnsigned(wallNs, 1_000_000_000L));
  }
}
