package dev.ftguard.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.Accel;
import dev.ftguard.vm.GuestSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What the benchmarks that count guest instructions share: the guest set up so that one guest
 * nanosecond is one instruction (QEMU TCG with {@code -icount shift=0}, one vCPU, {@code
 * noapictimer} on the kernel command line, QEMU 7.2 with Debian 6.1), the spin loop that checks it,
 * and the order of configurations in a round.
 */
final class Icount {
  private Icount() {}

  /** QEMU's {@code -icount} argument: 2^0 ns per instruction. */
  static final String QEMU_ICOUNT = "shift=0";

  /** ftgbench's arguments for the check loop: 10^7 turns of {@code dec}, {@code jnz}. */
  static final String SPIN_ARGS = "spin 10000000";

  /** The guest counts instructions in {@code CLOCK_MONOTONIC} and in {@code ktime_get_ns()}. */
  static GuestSpec.Builder counting(GuestSpec.Builder guest) {
    return guest.accel(Accel.TCG).cpus(1).kernelArg("noapictimer").qemuArgs("-icount", QEMU_ICOUNT);
  }

  /** The clock counts instructions: two per turn of the spin loop, in every round. */
  static void assertSpinCountsInstructions(Collection<Double> nsPerTurn) {
    assertThat(nsPerTurn).isNotEmpty().allSatisfy(v -> assertThat(v).isBetween(1.95, 2.2));
  }

  /** The configurations of round {@code round} (1, 2, ...): rotated by one each round. */
  static <T> List<T> rotated(List<T> configs, int round) {
    List<T> order = new ArrayList<>(configs.size());
    for (int i = 0; i < configs.size(); i++) {
      order.add(configs.get((i + round - 1) % configs.size()));
    }
    return order;
  }
}
