package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelCatalogTest {

    @TempDir
    Path repo;

    private Path prepare(String abi, boolean pvh) throws Exception {
        Path k = Files.createDirectories(repo.resolve(".cache/kernels/" + abi));
        Files.createDirectories(k.resolve("root/boot"));
        Files.createDirectories(k.resolve("root/lib/modules/" + abi));
        Files.writeString(k.resolve("root/lib/modules/" + abi + "/modules.dep"), "");
        Files.writeString(k.resolve("root/boot/vmlinuz-" + abi), "bz");
        Files.writeString(k.resolve("vmlinux"), "elf");
        Files.writeString(k.resolve("kernel.properties"), """
                abi=%1$s
                package=linux-image-%1$s
                version=6.1.192-2
                vmlinux=vmlinux
                vmlinuz=root/boot/vmlinuz-%1$s
                modules=root/lib/modules/%1$s
                config=root/boot/config-%1$s
                pvh=%2$s
                """.formatted(abi, pvh ? "yes" : "no"));
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
    void defaultIsTheNewestAndOthersAreFoundByAbi() throws Exception {
        prepare("6.1.0-9-amd64", true);
        prepare("6.1.0-56-amd64", true);
        KernelCatalog catalog = KernelCatalog.of(repo);
        assertThat(catalog.defaultKernel().abi()).isEqualTo("6.1.0-56-amd64");
        assertThat(catalog.require("6.1.0-9-amd64").abi()).isEqualTo("6.1.0-9-amd64");
        assertThatThrownBy(() -> catalog.require("6.12.0-1-amd64"))
                .isInstanceOf(KernelNotPreparedException.class)
                .hasMessageContaining("6.12.0-1-amd64").hasMessageContaining("scripts/setup");
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
