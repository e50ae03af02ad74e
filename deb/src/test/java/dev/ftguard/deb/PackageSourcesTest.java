package dev.ftguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The package's sources (src/deb): what can be checked without building or installing. */
class PackageSourcesTest {
  static final Path SRC = Path.of("src/deb");

  static String read(String name) throws Exception {
    return Files.readString(SRC.resolve(name));
  }

  /** The lines of a file that are not comments. */
  static List<String> settings(String name) throws Exception {
    return read(name).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
  }

  @Test
  void dkmsBuildsTheModuleByItsNameAndVerifiesItInTheBuild() throws Exception {
    List<String> conf = settings("dkms.conf");
    assertThat(conf)
        .contains(
            "PACKAGE_NAME=\"" + Abi.MODULE_NAME + "\"",
            "BUILT_MODULE_NAME[0]=\"" + Abi.MODULE_NAME + "\"",
            "BUILT_MODULE_LOCATION[0]=\"kmod/\"",
            "AUTOINSTALL=\"yes\"");
    String make = conf.stream().filter(l -> l.startsWith("MAKE[0]=")).findFirst().orElseThrow();
    // the build of `ftguard load` (make -C KDIR M=DIR modules), then the verification: a
    // failing verify fails MAKE, and DKMS installs nothing (POST_BUILD could not stop it)
    assertThat(make)
        .startsWith("MAKE[0]=\"make -C ${kernel_source_dir} M=")
        .endsWith("/build/kmod modules && /usr/bin/ftguard verify kmod/" + Abi.MODULE_FILE + "\"");
    assertThat(conf).noneMatch(l -> l.startsWith("POST_BUILD"));
  }

  @Test
  void theUnitLoadsTheModuleRunsTheDaemonAndReloadsWithSighup() throws Exception {
    List<String> unit = settings("ftguard.service");
    assertThat(unit)
        .contains(
            "ExecStartPre=+/sbin/modprobe " + Abi.MODULE_NAME,
            "ExecStart=/usr/bin/ftguard run",
            "Type=notify",
            "NotifyAccess=main",
            "ExecReload=/bin/kill -HUP $MAINPID",
            "Before=systemd-user-sessions.service",
            "WantedBy=multi-user.target",
            "Restart=on-failure",
            "LogsDirectory=ftguard",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/log/ftguard",
            "NoNewPrivileges=true");
    // the JIT writes the code it runs: MemoryDenyWriteExecute would kill the JVM
    assertThat(unit).noneMatch(l -> l.startsWith("MemoryDenyWriteExecute"));
    assertThat(read("ftguard.service")).contains("# - MemoryDenyWriteExecute=true: the JVM");
  }

  @Test
  void controlDependsOnWhatTheBuildAndVerificationRun() throws Exception {
    List<String> control = settings("control");
    assertThat(control)
        .contains(
            "Package: ftguard",
            "Architecture: @ARCH@",
            "Depends: dkms (>= 3), libcapstone4 | libcapstone5, kmod, systemd, openssl");
    // ftguard verify opens the first Capstone of Capstone.LIBRARIES it finds: Debian packages
    // each soname libcapstone.so.N as libcapstoneN, and any one of them will do
    List<String> packages =
        dev.ftguard.verify.Capstone.LIBRARIES.stream()
            .map(soname -> "libcapstone" + soname.substring("libcapstone.so.".length()))
            .sorted()
            .toList();
    assertThat(control).anyMatch(l -> l.contains(String.join(" | ", packages)));
  }

  @Test
  void maintainerScriptsFollowDebhelpersConventions() throws Exception {
    String postinst = read("postinst");
    assertThat(postinst)
        .contains("deb-systemd-helper --quiet was-enabled \"$UNIT\"")
        .contains("if [ -d /run/systemd/system ]; then")
        .contains("dkms install -m \"$NAME\" -v \"$VERSION\" -k \"$kernel\"");
    assertThat(read("prerm")).contains("dkms remove -m \"$NAME\" -v \"$VERSION\" --all");
    assertThat(read("postrm"))
        .contains("rm -rf /etc/ftguard /var/log/ftguard")
        .contains("deb-systemd-helper purge \"$UNIT\"");
  }

  @Test
  void theTrainingRunCoversTheFastCommands() {
    assertThat(AotTraining.commands(List.of("a.yaml", "b.yaml")))
        .containsExactly(
            List.of("--version"),
            List.of("--help"),
            List.of("policy", "--help"),
            List.of("policy", "validate", "a.yaml", "b.yaml"));
  }
}
