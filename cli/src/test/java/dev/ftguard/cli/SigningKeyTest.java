package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DKMS's signing key under a temporary root, with the commands recorded instead of run. */
class SigningKeyTest {
  @TempDir Path tmp;
  Path root;
  Path bin;
  final List<List<String>> ran = new ArrayList<>();
  String mokutilOutput = "";

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("root"));
    bin = Files.createDirectories(tmp.resolve("bin"));
  }

  void program(String name) throws Exception {
    Path p = bin.resolve(name);
    Files.writeString(p, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** openssl's work done by the fake: writes the two files it is asked for. */
  SigningKey key() {
    return new SigningKey(
        root,
        Map.of("PATH", bin.toString()),
        argv -> {
          ran.add(argv);
          if (argv.getFirst().equals("openssl")) {
            Files.writeString(Path.of(argv.get(argv.indexOf("-keyout") + 1)), "KEY");
            Files.writeString(Path.of(argv.get(argv.indexOf("-out") + 1)), "CERT");
            return new SigningKey.Result(0, "");
          }
          return new SigningKey.Result(0, mokutilOutput);
        });
  }

  @Test
  void dkmsDefaultsWithoutConfiguration() throws Exception {
    assertThat(key().paths())
        .isEqualTo(new SigningKey.Paths("/var/lib/dkms/mok.key", "/var/lib/dkms/mok.pub"));
  }

  @Test
  void frameworkConfAndItsDirectoryWinInOrder() throws Exception {
    Path etc = Files.createDirectories(root.resolve("etc/dkms/framework.conf.d"));
    Files.writeString(
        etc.getParent().resolve("framework.conf"),
        "# mok_signing_key=/commented/out\nmok_signing_key=\"/etc/keys/a.key\"\n"
            + "mok_certificate=/etc/keys/a.der\n");
    Files.writeString(etc.resolve("ftguard.conf"), "mok_certificate='/etc/keys/b.der'\n");
    Files.writeString(etc.resolve("ignored.txt"), "mok_certificate=/nope\n");
    assertThat(key().paths()).isEqualTo(new SigningKey.Paths("/etc/keys/a.key", "/etc/keys/b.der"));
  }

  @Test
  void createRunsDkmsOpensslCommandUnderTheRootAndLocksTheKey() throws Exception {
    program("openssl");
    SigningKey sk = key();
    sk.create(sk.paths());
    Path k = root.resolve("var/lib/dkms/mok.key");
    Path c = root.resolve("var/lib/dkms/mok.pub");
    assertThat(ran)
        .containsExactly(
            List.of(
                "openssl",
                "req",
                "-new",
                "-x509",
                "-nodes",
                "-days",
                "36500",
                "-subj",
                SigningKey.SUBJECT,
                "-newkey",
                "rsa:2048",
                "-keyout",
                k.toString(),
                "-outform",
                "DER",
                "-out",
                c.toString()));
    assertThat(Files.getPosixFilePermissions(k))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(c).hasContent("CERT");
  }

  @Test
  void createNeverReplacesAKey() throws Exception {
    program("openssl");
    Path k = Files.createDirectories(root.resolve("var/lib/dkms")).resolve("mok.key");
    Files.writeString(k, "OLD");
    SigningKey sk = key();
    assertThatThrownBy(() -> sk.create(sk.paths()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("already there (" + k + ")");
    assertThat(ran).isEmpty();
    assertThat(k).hasContent("OLD");
  }

  @Test
  void createWithoutOpensslSaysWhatToInstall() throws Exception {
    SigningKey sk = key();
    assertThatThrownBy(() -> sk.create(sk.paths()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("apt-get install openssl");
    assertThat(ran).isEmpty();
  }

  @Test
  void failedOpensslLeavesNoHalfPair() throws Exception {
    program("openssl");
    SigningKey sk =
        new SigningKey(
            root,
            Map.of("PATH", bin.toString()),
            argv -> {
              Files.writeString(Path.of(argv.get(argv.indexOf("-keyout") + 1)), "KEY");
              return new SigningKey.Result(1, "req: bad\nunable to write certificate\n");
            });
    assertThatThrownBy(() -> sk.create(sk.paths()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("exit status 1): unable to write certificate");
    assertThat(root.resolve("var/lib/dkms/mok.key")).doesNotExist();
  }

  @Test
  void enrollmentAsMokutilTellsIt() throws Exception {
    program("mokutil");
    Files.createDirectories(root.resolve("sys/firmware/efi"));
    mokutilOutput = "/var/lib/dkms/mok.pub is already enrolled\n";
    assertThat(key().enrollment("/var/lib/dkms/mok.pub")).isEqualTo(SigningKey.Enrollment.ENROLLED);
    assertThat(ran)
        .containsExactly(
            List.of("mokutil", "--test-key", root.resolve("var/lib/dkms/mok.pub").toString()));
    mokutilOutput = "/var/lib/dkms/mok.pub is not enrolled\n";
    assertThat(key().enrollment("/var/lib/dkms/mok.pub"))
        .isEqualTo(SigningKey.Enrollment.NOT_ENROLLED);
    mokutilOutput = "EFI variables are not supported on this system\n";
    assertThat(key().enrollment("/var/lib/dkms/mok.pub")).isEqualTo(SigningKey.Enrollment.UNKNOWN);
  }

  @Test
  void noEfiOrNoMokutilIsUnknownWithoutRunningAnything() throws Exception {
    assertThat(key().enrollment("/var/lib/dkms/mok.pub")).isEqualTo(SigningKey.Enrollment.UNKNOWN);
    program("mokutil");
    assertThat(key().enrollment("/var/lib/dkms/mok.pub")).isEqualTo(SigningKey.Enrollment.UNKNOWN);
    assertThat(ran).isEmpty();
  }

  @Test
  void enrollStepsNameTheImportCommand() {
    assertThat(SigningKey.enrollSteps("/var/lib/dkms/mok.pub").getFirst())
        .contains("mokutil --import /var/lib/dkms/mok.pub");
  }
}
