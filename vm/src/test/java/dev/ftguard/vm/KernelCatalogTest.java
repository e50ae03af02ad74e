package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelCatalogTest {

  @TempDir Path repo;

  private Path prepare(String abi, boolean pvh) throws Exception {
    return prepare(abi, pvh, "");
  }

  /** {@code extra}: more kernel.properties lines (series, default, buildroot, headers). */
  private Path prepare(String abi, boolean pvh, String extra) throws Exception {
    Path k = Files.createDirectories(repo.resolve(".cache/kernels/" + abi));
    Files.createDirectories(k.resolve("root/boot"));
    Files.createDirectories(k.resolve("root/lib/modules/" + abi));
    Files.writeString(k.resolve("root/lib/modules/" + abi + "/modules.dep"), "");
    Files.writeString(k.resolve("root/boot/vmlinuz-" + abi), "bz");
    Files.writeString(k.resolve("vmlinux"), "elf");
    Files.writeString(
        k.resolve("kernel.properties"),
        """
                abi=%1$s
                package=linux-image-%1$s
                version=6.1.192-2
                vmlinux=vmlinux
                vmlinuz=root/boot/vmlinuz-%1$s
                modules=root/lib/modules/%1$s
                config=root/boot/config-%1$s
                pvh=%2$s
                %3$s
                """
            .formatted(abi, pvh ? "yes" : "no", extra));
    return k;
  }

  @Test
  void missingKernelNamesScriptsSetup() {
    KernelCatalog catalog = KernelCatalog.of(repo);
    assertThat(catalog.all()).isEmpty();
    assertThatThrownBy(catalog::defaultKernel)
        .isInstanceOf(KernelNotPreparedException.class)
        .hasMessageContaining(repo.resolve(".cache/kernels").toString())
        .hasMessageContaining("Run scripts/setup");
  }

  @Test
  void readsThePreparedKernel() throws Exception {
    Path dir = prepare("6.1.0-56-amd64", true);
    DebianKernel k = KernelCatalog.of(repo).defaultKernel();

    assertThat(k.abi()).isEqualTo("6.1.0-56-amd64");
    assertThat(k.version()).isEqualTo("6.1.192-2");
    assertThat(k.dir()).isEqualTo(dir);
    assertThat(k.bootImage()).isEqualTo(dir.resolve("vmlinux"));
    assertThat(k.root()).isEqualTo(dir.resolve("root"));
    assertThat(k.modules()).isEqualTo(dir.resolve("root/lib/modules/6.1.0-56-amd64"));
    assertThat(k.headers()).isEqualTo(Path.of("/usr/src/linux-headers-6.1.0-56-amd64"));
  }

  @Test
  void withoutPvhNoteItBootsVmlinuz() throws Exception {
    Path dir = prepare("6.1.0-56-amd64", false);
    assertThat(KernelCatalog.of(repo).defaultKernel().bootImage())
        .isEqualTo(dir.resolve("root/boot/vmlinuz-6.1.0-56-amd64"));
  }

  @Test
  void incompleteKernelIsReportedWithTheMissingFile() throws Exception {
    Path dir = prepare("6.1.0-56-amd64", true);
    Files.delete(dir.resolve("root/lib/modules/6.1.0-56-amd64/modules.dep"));
    assertThatThrownBy(() -> KernelCatalog.of(repo).all())
        .isInstanceOf(KernelNotPreparedException.class)
        .hasMessageContaining("modules.dep is missing")
        .hasMessageContaining("scripts/setup");
  }

  @Test
  void defaultIsThePinnedKernelNotTheNewest() throws Exception {
    prepare("5.10.0-46-amd64", true, "series=5.10\ndefault=false");
    prepare("6.1.0-56-amd64", true, "series=6.1\ndefault=true");
    prepare("7.2.13+deb14-amd64", true, "series=7.2\ndefault=false");
    KernelCatalog catalog = KernelCatalog.of(repo);
    assertThat(catalog.defaultKernel().abi()).isEqualTo("6.1.0-56-amd64");
    assertThat(catalog.defaultKernel().pinned()).isTrue();
    // others are found by ABI or by series
    assertThat(catalog.require("5.10.0-46-amd64").series()).isEqualTo("5.10");
    assertThat(catalog.require("7.2").abi()).isEqualTo("7.2.13+deb14-amd64");
    assertThatThrownBy(() -> catalog.require("6.12"))
        .isInstanceOf(KernelNotPreparedException.class)
        .hasMessageContaining("6.12")
        .hasMessageContaining("scripts/setup");
  }

  @Test
  void withoutThePinnedKernelSeveralOthersAreAnError() throws Exception {
    prepare("5.10.0-46-amd64", true, "series=5.10");
    prepare("7.2.13+deb14-amd64", true, "series=7.2");
    assertThatThrownBy(() -> KernelCatalog.of(repo).defaultKernel())
        .isInstanceOf(KernelNotPreparedException.class)
        .hasMessageContaining("none of the prepared kernels")
        .hasMessageContaining("-Dftguard.kernel");
  }

  @Test
  void aSinglePreparedKernelIsTheDefault() throws Exception {
    prepare("5.10.0-46-amd64", true, "series=5.10");
    assertThat(KernelCatalog.of(repo).defaultKernel().abi()).isEqualTo("5.10.0-46-amd64");
  }

  @Test
  void headersInsideABuildRootAreReadFromItsProperties() throws Exception {
    Path dir =
        prepare(
            "6.12.118+deb13-amd64",
            true,
            """
                series=6.12
                suite=trixie
                compiler=gcc-14
                buildroot=../../buildroots/trixie
                headers=/usr/src/linux-headers-6.12.118+deb13-amd64""");
    DebianKernel k = KernelCatalog.of(repo).require("6.12");
    assertThat(k.buildRoot()).contains(repo.resolve(".cache/buildroots/trixie"));
    assertThat(k.kdir()).isEqualTo(Path.of("/usr/src/linux-headers-6.12.118+deb13-amd64"));
    assertThat(k.headers())
        .isEqualTo(
            repo.resolve(".cache/buildroots/trixie/usr/src/linux-headers-6.12.118+deb13-amd64"));
    assertThat(k.suite()).isEqualTo("trixie");
    assertThat(k.compiler()).isEqualTo("gcc-14");
    assertThat(k.dir()).isEqualTo(dir);
  }

  @Test
  void relativeHeadersAreRefused() throws Exception {
    prepare("6.1.0-56-amd64", true, "headers=usr/src/x");
    assertThatThrownBy(() -> KernelCatalog.of(repo).all())
        .isInstanceOf(KernelNotPreparedException.class)
        .hasMessageContaining("headers must be an absolute path");
  }

  @Test
  void seriesComesFromTheAbiWhenNotWritten() {
    assertThat(KernelCatalog.seriesOf("6.12.118+deb13-amd64")).isEqualTo("6.12");
    assertThat(KernelCatalog.seriesOf("5.10.0-46-amd64")).isEqualTo("5.10");
  }

  @Test
  void versionOrderIsNumeric() {
    assertThat(KernelCatalog.compareVersions("6.1.0-9-amd64", "6.1.0-56-amd64")).isNegative();
    assertThat(KernelCatalog.compareVersions("6.12.0-1-amd64", "6.1.0-56-amd64")).isPositive();
    assertThat(KernelCatalog.compareVersions("6.1.0-56-amd64", "6.1.0-56-amd64")).isZero();
  }

  @Test
  void repoRootComesFromThePropertyMavenPasses() {
    // the vm module's pom passes -Dftguard.root; the repository root holds mvnw and scripts/setup
    Path root = KernelCatalog.repoRoot();
    assertThat(root.resolve("mvnw")).isRegularFile();
    assertThat(root.resolve("scripts/setup")).isRegularFile();
  }
}
