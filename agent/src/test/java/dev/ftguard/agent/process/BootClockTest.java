package dev.ftguard.agent.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BootClockTest {
  @Test
  void convertsMonotonicTimesToTicksOfBootTime() {
    BootClock c = new BootClock("9f0c2e7a-51d8-4b3c-a1e2-0123456789ab", 2_500_000_000L, 100);
    assertThat(c.tickNs()).isEqualTo(10_000_000);
    assertThat(c.ticksOfMono(0)).isEqualTo(250);
    assertThat(c.ticksOfMono(9_999_999)).isEqualTo(250);
    assertThat(c.ticksOfMono(7_500_000_000L)).isEqualTo(1000);
    assertThat(c.monoOfTicks(1000)).isEqualTo(7_500_000_000L);
    assertThat(c.ticksOfMono(c.monoOfTicks(123_456))).isEqualTo(123_456);
    assertThat(c.ticksOfMono(-2_500_000_001L)).isEqualTo(-1);
    assertThat(c.bootPrefix()).isEqualTo("9f0c2e7a51d84b3c");
  }

  @Test
  void rejectsTickRatesThatDoNotDivideASecond() {
    assertThatThrownBy(() -> new BootClock("x", 0, 7)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BootClock("", 0, 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theHostClockAgreesWithProcStartTimes() {
    BootClock c = BootClock.host(ProcFs.host());
    assertThat(c.bootMinusMonoNs()).isNotNegative();
    assertThat(c.bootId()).isEqualTo(ProcFs.host().bootId().orElseThrow());
    // this JVM started before now, and /proc says when in boot-time ticks
    long started = ProcFs.host().stat(ProcessHandle.current().pid()).orElseThrow().startTicks();
    assertThat(started).isLessThanOrEqualTo(c.ticksOfMono(System.nanoTime()));
    assertThat(c.monoOfTicks(started)).isLessThanOrEqualTo(System.nanoTime());
  }

  @Test
  void fixedClocksHaveDistinctBootIds() {
    assertThat(BootClock.fixed(1).bootId()).isNotEqualTo(BootClock.fixed(2).bootId());
    assertThat(BootClock.fixed(1).bootId())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }
}
