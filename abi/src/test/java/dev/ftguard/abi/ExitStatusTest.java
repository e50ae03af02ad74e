package dev.ftguard.abi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExitStatusTest {
  @Test
  void normalExitCarriesTheStatusInBits8To15() {
    assertThat(ExitStatus.fromWaitStatus(0)).isEqualTo(new ExitStatus.Exited(0));
    assertThat(ExitStatus.fromWaitStatus(1 << 8)).isEqualTo(new ExitStatus.Exited(1));
    assertThat(ExitStatus.fromWaitStatus(255 << 8)).isEqualTo(new ExitStatus.Exited(255));
  }

  @Test
  void signalDeathCarriesTheSignalAndCoreFlag() {
    assertThat(ExitStatus.fromWaitStatus(9)).isEqualTo(new ExitStatus.Signaled(9, false));
    assertThat(ExitStatus.fromWaitStatus(11 | 0x80)).isEqualTo(new ExitStatus.Signaled(11, true));
  }

  @Test
  void stoppedFormIsKeptRaw() {
    assertThat(ExitStatus.fromWaitStatus((19 << 8) | 0x7f)).isEqualTo(new ExitStatus.Other(0x137f));
  }
}
