package dev.ftguard.agent.process;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The boot and the clocks process start times are expressed in.
 *
 * <p>Events carry CLOCK_MONOTONIC nanoseconds; {@code /proc/PID/stat} gives a process's start in
 * clock ticks ({@link #ticksPerSecond}, USER_HZ) of CLOCK_BOOTTIME, which also counts the time the
 * machine was suspended. {@link #bootMinusMonoNs} is the difference between the two clocks (0 on a
 * machine that never slept); it changes only across a suspend.
 *
 * @param bootId this boot's id ({@code /proc/sys/kernel/random/boot_id}), a UUID
 * @param bootMinusMonoNs CLOCK_BOOTTIME minus CLOCK_MONOTONIC, in nanoseconds
 * @param ticksPerSecond USER_HZ, the unit of {@code /proc/PID/stat} times (100 on Linux)
 */
public record BootClock(String bootId, long bootMinusMonoNs, long ticksPerSecond) {
  public BootClock {
    if (ticksPerSecond <= 0 || 1_000_000_000L % ticksPerSecond != 0) {
      throw new IllegalArgumentException("ticks per second must divide 10^9: " + ticksPerSecond);
    }
    if (bootId.isEmpty()) {
      throw new IllegalArgumentException("empty boot id");
    }
  }

  /** Linux's USER_HZ on every architecture ftguard supports. */
  public static final long USER_HZ = 100;

  /** Nanoseconds per clock tick. */
  public long tickNs() {
    return 1_000_000_000L / ticksPerSecond;
  }

  /** The clock tick (as in {@code /proc/PID/stat}) that contains this CLOCK_MONOTONIC time. */
  public long ticksOfMono(long monoNs) {
    return Math.floorDiv(monoNs + bootMinusMonoNs, tickNs());
  }

  /** CLOCK_MONOTONIC time at which this clock tick began. */
  public long monoOfTicks(long ticks) {
    return ticks * tickNs() - bootMinusMonoNs;
  }

  /**
   * The first 16 hexadecimal digits of the boot id (64 bits, lower case): what exec ids start with.
   */
  public String bootPrefix() {
    String hex = bootId.replace("-", "").toLowerCase(Locale.ROOT);
    return hex.length() > 16 ? hex.substring(0, 16) : hex;
  }

  /**
   * The running host's: boot id from {@code procfs}, the clocks' difference measured now.
   *
   * @throws IllegalStateException when the boot id cannot be read
   */
  public static BootClock host(ProcFs procfs) {
    String id =
        procfs
            .bootId()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "cannot read " + procfs.root() + "/sys/kernel/random/boot_id"));
    return new BootClock(id, measureBootMinusMono(), USER_HZ);
  }

  /** A clock for tests and benchmarks: a boot id made of {@code seed}, the clocks equal. */
  public static BootClock fixed(long seed) {
    String hex = HexFormat.of().toHexDigits(seed) + HexFormat.of().toHexDigits(~seed);
    return new BootClock(
        hex.substring(0, 8)
            + "-"
            + hex.substring(8, 12)
            + "-"
            + hex.substring(12, 16)
            + "-"
            + hex.substring(16, 20)
            + "-"
            + hex.substring(20),
        0,
        USER_HZ);
  }

  private static final int CLOCK_MONOTONIC = 1;
  private static final int CLOCK_BOOTTIME = 7;

  @SuppressWarnings("restricted")
  private static final class Native {
    // int clock_gettime(clockid_t clockid, struct timespec *tp)
    static final MethodHandle CLOCK_GETTIME =
        Linker.nativeLinker()
            .downcallHandle(
                Linker.nativeLinker()
                    .defaultLookup()
                    .find("clock_gettime")
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no clock_gettime")),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  }

  /**
   * CLOCK_BOOTTIME minus CLOCK_MONOTONIC now: the smallest difference of three paired readings,
   * rounded to the microsecond (the clocks advance together; only a suspend moves them apart).
   */
  static long measureBootMinusMono() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(16, 8);
      MemorySegment b = arena.allocate(16, 8);
      long best = Long.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        if ((int) Native.CLOCK_GETTIME.invokeExact(CLOCK_MONOTONIC, a) != 0
            || (int) Native.CLOCK_GETTIME.invokeExact(CLOCK_BOOTTIME, b) != 0) {
          throw new IllegalStateException("clock_gettime failed");
        }
        best = Math.min(best, ns(b) - ns(a));
      }
      return Math.max(0, Math.round(best / 1000.0) * 1000);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("clock_gettime failed", t);
    }
  }

  private static long ns(MemorySegment ts) {
    return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
  }
}
