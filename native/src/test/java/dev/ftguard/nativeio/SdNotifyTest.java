package dev.ftguard.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify against a socket the test binds, as systemd would. */
class SdNotifyTest {
  @TempDir Path tmp;

  @Test
  void sendsTheStateToAPathSocket() throws Exception {
    String path = tmp.resolve("notify").toString();
    int fd = SdNotify.listen(path);
    try {
      assertThat(SdNotify.notify(Map.of("NOTIFY_SOCKET", path), "READY=1\nSTATUS=applied"))
          .isTrue();
      assertThat(SdNotify.receive(fd)).isEqualTo("READY=1\nSTATUS=applied");
    } finally {
      LibC.close(fd);
    }
  }

  @Test
  void sendsToAnAbstractSocket() throws Exception {
    String name = "@ftguard-sdnotify-test-" + ProcessHandle.current().pid();
    int fd = SdNotify.listen(name);
    try {
      assertThat(SdNotify.notify(Map.of("NOTIFY_SOCKET", name), "READY=1")).isTrue();
      assertThat(SdNotify.receive(fd)).isEqualTo("READY=1");
    } finally {
      LibC.close(fd);
    }
  }

  @Test
  void withoutSystemdNothingIsSent() throws Exception {
    assertThat(SdNotify.notify(Map.of(), "READY=1")).isFalse();
  }

  @Test
  void aMissingSocketIsAnError() {
    assertThatThrownBy(
            () ->
                SdNotify.notify(Map.of("NOTIFY_SOCKET", tmp.resolve("none").toString()), "READY=1"))
        .isInstanceOf(ErrnoException.class)
        .hasMessageContaining("sendto");
  }
}
