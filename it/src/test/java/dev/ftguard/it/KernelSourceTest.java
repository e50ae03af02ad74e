package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.KernelCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's sources follow the kernel coding style (checkpatch, from Debian's
 * linux-source-6.1 package) and build against Debian's headers without a warning.
 */
class KernelSourceTest {

    private static final Path SOURCE_TARBALL = Path.of("/usr/src/linux-source-6.1.tar.xz");
    private static final List<String> CHECKPATCH_FILES = List.of(
            "scripts/checkpatch.pl", "scripts/spelling.txt", "scripts/const_structs.checkpatch");

    @Test
    void checkpatchFindsNothing() throws Exception {
        Path root = KernelCatalog.repoRoot();
        Path checkpatch = checkpatch(root);
        List<String> command = new ArrayList<>(List.of("perl", checkpatch.toString(), "--no-tree", "--terse",
                "--show-types",
                // version shims are what an out-of-tree module is made of
                "--ignore", "LINUX_VERSION_CODE",
                "-f"));
        // the module and the test modules (it/src/test/kmod-*)
        try (Stream<Path> files = Stream.concat(Files.walk(root.resolve("kmod")),
                Files.walk(root.resolve("it/src/test")).filter(p -> p.toString().contains("/kmod-")))) {
            files.filter(p -> p.toString().endsWith(".c") || p.toString().endsWith(".h"))
                    .filter(p -> !p.getFileName().toString().endsWith(".mod.c"))
                    .sorted()
                    .forEach(p -> command.add(p.toString()));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        List<String> findings = out.lines().filter(l -> l.contains(": WARNING:") || l.contains(": ERROR:")
                || l.contains(": CHECK:")).toList();
        assertThat(findings).as(out).isEmpty();
        assertThat(rc).as(out).isZero();
    }

    @Test
    void moduleBuildsWithoutWarnings() throws Exception {
        Path ko = FtguardGuest.module();
        String log = Files.readString(ko.resolveSibling("build.log"));
        assertThat(log.lines().filter(l -> l.contains("warning:") || l.contains("error:")).toList())
                .as(log).isEmpty();
    }

    @Test
    void wrapperFileIsBuiltWithoutSiblingCalls() throws Exception {
        // the article's hang: a tail call from a wrapper to the original loops forever
        String kbuild = Files.readString(KernelCatalog.repoRoot().resolve("kmod/Kbuild"));
        assertThat(kbuild).containsPattern("(?m)^CFLAGS_hooks\\.o\\s*:?=.*-fno-optimize-sibling-calls");
    }

    /** checkpatch.pl and its data files, unpacked once from the kernel source tarball. */
    private static Path checkpatch(Path root) throws IOException, InterruptedException {
        Path dir = root.resolve(".cache/checkpatch");
        Path script = dir.resolve("linux-source-6.1").resolve(CHECKPATCH_FILES.getFirst());
        if (Files.isRegularFile(script)) {
            return script;
        }
        assertThat(SOURCE_TARBALL).as("kernel source for checkpatch: run scripts/setup (installs linux-source-6.1)")
                .isRegularFile();
        Files.createDirectories(dir);
        List<String> tar = new ArrayList<>(List.of("tar", "-xJf", SOURCE_TARBALL.toString(), "-C", dir.toString()));
        CHECKPATCH_FILES.forEach(f -> tar.add("linux-source-6.1/" + f));
        Process p = new ProcessBuilder(tar).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tar: " + out).isZero();
        return script;
    }
}
