package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrnoTest {
  @Test
  void everyDenyErrnoIsALinuxErrno() {
    for (Errno e : Errno.values()) {
      assertThat(e.number()).as(e.name()).isPositive();
      assertThat(dev.ftguard.abi.Errno.name(e.number())).isEqualTo(e.name());
    }
    assertThat(Errno.EPERM.number()).isEqualTo(1);
    assertThat(Errno.ECONNREFUSED.number()).isEqualTo(111);
    assertThat(Errno.EKEYREJECTED.number()).isEqualTo(129);
  }
}
