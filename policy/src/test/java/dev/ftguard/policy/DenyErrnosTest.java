package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Errno;
import org.junit.jupiter.api.Test;

class DenyErrnosTest {
  @Test
  void everyAllowedErrnoIsANamedLinuxErrno() {
    for (int n : DenyErrnos.ALLOWED) {
      assertThat(Errno.name(n)).doesNotMatch("E[0-9]+");
      assertThat(DenyErrnos.parse(Errno.name(n))).hasValue(n);
    }
    assertThat(DenyErrnos.names()).hasSize(DenyErrnos.ALLOWED.size()).doesNotHaveDuplicates();
    assertThat(DenyErrnos.parse("EPERM")).hasValue(1);
    assertThat(DenyErrnos.parse("ECONNREFUSED")).hasValue(111);
    assertThat(DenyErrnos.parse("EKEYREJECTED")).hasValue(129);
    assertThat(DenyErrnos.DEFAULT).isEqualTo(Errno.EPERM);
  }

  @Test
  void errnosARuleCannotNameAreNotParsed() {
    assertThat(DenyErrnos.parse("ECHILD")).isEmpty();
    assertThat(DenyErrnos.parse("EPREM")).isEmpty();
    assertThat(DenyErrnos.allows(Errno.ECHILD)).isFalse();
  }
}
