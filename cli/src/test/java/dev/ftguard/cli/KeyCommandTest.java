package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code ftguard key} as a command line, on a root under the test's directory. */
class KeyCommandTest extends CommandLineTest {
  @Test
  void helpOfEverySubcommand() {
    assertThat(run("key", "--help")).isZero();
    assertThat(outText.toString()).contains("Usage: ftguard key").contains("create", "status");
    assertThat(run("key", "create", "--help")).isZero();
    assertThat(run("key", "status", "--help")).isZero();
    assertThat(run("key")).isEqualTo(2);
    assertThat(err()).contains("missing COMMAND");
  }

  @Test
  void statusWithoutAKeySaysSoAndHowToEnroll() {
    env.put("PATH", tmp.resolve("nothing").toString());
    assertThat(run("key", "status", "--root", tmp.toString())).isZero();
    assertThat(outText.toString())
        .contains("key:         /var/lib/dkms/mok.key (missing)")
        .contains("no signing key")
        .contains("mokutil --import /var/lib/dkms/mok.pub");
  }

  @Test
  void showIsStatusAndAKeyWithoutEfiIsUnknown() throws Exception {
    env.put("PATH", tmp.resolve("nothing").toString());
    Path dkms = Files.createDirectories(tmp.resolve("var/lib/dkms"));
    Files.writeString(dkms.resolve("mok.key"), "KEY");
    Files.writeString(dkms.resolve("mok.pub"), "not a certificate");
    assertThat(run("key", "show", "--root", tmp.toString())).isZero();
    assertThat(outText.toString())
        .contains("key:         /var/lib/dkms/mok.key\n")
        .contains("certificate: /var/lib/dkms/mok.pub: unreadable")
        .contains("enrolled:    unknown")
        .contains("mokutil --import /var/lib/dkms/mok.pub");
  }

  @Test
  void createRefusesToReplaceAKey() throws Exception {
    Path dkms = Files.createDirectories(tmp.resolve("var/lib/dkms"));
    Files.writeString(dkms.resolve("mok.pub"), "CERT");
    assertThat(run("key", "create", "--root", tmp.toString())).isEqualTo(1);
    assertThat(err()).contains("a signing key is already there");
    assertThat(dkms.resolve("mok.pub")).hasContent("CERT");
  }
}
