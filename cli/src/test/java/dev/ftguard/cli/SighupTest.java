package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A real SIGHUP to this JVM reaches the handler (and does not shut the JVM down). */
class SighupTest {
  @Test
  void sighupRunsTheAction() throws Exception {
    CountDownLatch hup = new CountDownLatch(1);
    assumeTrue(Sighup.install(hup::countDown), "this JVM does not let us handle SIGHUP");
    try {
      Process kill =
          new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
              .inheritIO()
              .start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(kill.exitValue()).isZero();
      assertThat(hup.await(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      Sighup.uninstall();
    }
  }
}
