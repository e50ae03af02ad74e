package dev.ftguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built package (target/ftguard_VERSION_amd64.deb), read with dpkg-deb: control fields, file
 * list, owners, dkms.conf, and the AOT cache accepted where dpkg puts the tree. Runs in the package
 * phase, after the package is built.
 */
class DebPackageTest {
  static final String VERSION = System.getProperty("deb.version").replace('-', '~');
  static final Path DEB =
      Path.of(System.getProperty("deb.dir")).resolve("ftguard_" + VERSION + "_amd64.deb");

  @TempDir static Path tmp;
  static Path tree;
  static List<String> listing;

  static String run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + out).isZero();
    return out;
  }

  @BeforeAll
  static void extract() throws Exception {
    assertThat(DEB).isRegularFile();
    // elsewhere than the staging tree the cache was trained in, as dpkg would: times kept
    tree = tmp.resolve("installed");
    run("dpkg-deb", "-x", DEB.toString(), tree.toString());
    listing = run("dpkg-deb", "-c", DEB.toString()).lines().toList();
  }

  static String field(String name) throws Exception {
    return run("dpkg-deb", "-f", DEB.toString(), name).strip();
  }

  @Test
  void controlFields() throws Exception {
    assertThat(field("Package")).isEqualTo("ftguard");
    assertThat(field("Version")).isEqualTo(VERSION);
    assertThat(field("Architecture")).isEqualTo("amd64");
    assertThat(field("Depends")).contains("dkms", "libcapstone4 | libcapstone5", "kmod", "systemd");
    assertThat(run("dpkg-deb", "-I", DEB.toString(), "conffiles").strip())
        .isEqualTo("/etc/ftguard/ftguard.yaml");
    for (String script : List.of("postinst", "prerm", "postrm")) {
      assertThat(run("dpkg-deb", "-I", DEB.toString(), script))
          .startsWith("#!/bin/sh")
          .doesNotContain("@VERSION@");
    }
    assertThat(run("dpkg-deb", "-I", DEB.toString(), "postinst")).contains("VERSION=" + VERSION);
    assertThat(run("dpkg-deb", "-I", DEB.toString(), "prerm")).contains("VERSION=" + VERSION);
  }

  @Test
  void theAgreedLayoutOwnedByRoot() {
    List<String> paths = new ArrayList<>();
    for (String line : listing) {
      // drwxr-xr-x root/root 0 2026-12-05 10:00 ./usr/bin/
      String[] f = line.split("\\s+", 6);
      assertThat(f[1]).as(line).isEqualTo("root/root");
      paths.add(f[5].substring(1).replaceFirst("/$", ""));
    }
    String src = "/usr/src/ftguard-" + VERSION;
    assertThat(paths)
        .contains(
            "/usr/bin/ftguard",
            "/usr/lib/ftguard/runtime/bin/java",
            "/usr/lib/ftguard/ftguard.jar",
            "/usr/lib/ftguard/ftguard-aot-training.jar",
            "/usr/lib/ftguard/ftguard.aot",
            src + "/dkms.conf",
            src + "/kmod/Kbuild",
            src + "/kmod/Makefile",
            src + "/kmod/include/uapi/ftguard.h",
            "/usr/lib/systemd/system/ftguard.service",
            "/etc/ftguard/ftguard.yaml",
            "/etc/ftguard/policies.d",
            "/usr/share/man/man1/ftguard.1.gz",
            "/usr/share/bash-completion/completions/ftguard",
            "/usr/share/zsh/vendor-completions/_ftguard");
    // sources only: no build output of a local build slips in
    assertThat(paths)
        .filteredOn(p -> p.startsWith(src))
        .noneMatch(p -> p.endsWith(".o") || p.endsWith(".ko") || p.contains("/."));
    assertThat(paths)
        .filteredOn(p -> p.startsWith("/usr/share/man/"))
        .allMatch(p -> !p.endsWith(".1"));
  }

  @Test
  void dkmsConfNamesThisVersionAndTheLauncherItsSources() throws Exception {
    Path src = tree.resolve("usr/src/ftguard-" + VERSION);
    assertThat(Files.readString(src.resolve("dkms.conf")))
        .contains("PACKAGE_VERSION=\"" + VERSION + "\"")
        .contains("BUILT_MODULE_NAME[0]=\"" + Abi.MODULE_NAME + "\"");
    Path launcher = tree.resolve("usr/bin/ftguard");
    assertThat(Files.isExecutable(launcher)).isTrue();
    assertThat(Files.readString(launcher))
        .contains("-Dftguard.home=/usr/src/ftguard-" + VERSION + " ")
        .contains("-XX:AOTCache=$lib/ftguard.aot");
  }

  @Test
  void theAotCacheIsAcceptedWhereTheTreeIsUnpacked() throws Exception {
    Path lib = tree.resolve("usr/lib/ftguard");
    // the launcher's command line; AOTMode=on makes an unusable cache an error
    String out =
        run(
            lib.resolve("runtime/bin/java").toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-XX:AOTCache=" + lib.resolve("ftguard.aot"),
            "-XX:AOTMode=on",
            "-Xlog:class+load=info",
            "-cp",
            lib.resolve("ftguard.jar") + ":" + lib.resolve("ftguard-aot-training.jar"),
            "dev.ftguard.cli.Ftguard",
            "--version");
    assertThat(out).contains("ftguard " + System.getProperty("deb.version"));
    assertThat(out).contains("dev.ftguard.cli.Ftguard source: shared objects file");
  }
}
