package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.KernelCatalog;
import dev.ftguard.vm.Vm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hooks install all or none. A second copy of the module (same code, named ftguard_twin) attaches
 * its two probes, then finds execve already redirected by the first copy: only one IPMODIFY user
 * per function may exist (livepatch meets the same -EBUSY). The twin must refuse to load, say
 * why, and detach the probes it had attached; the first copy keeps working.
 */
class AllOrNoneIT {

    private static final String TWIN = "ftguard_twin";

    @Test
    void aConflictingHookRollsBackTheHooksAlreadyInstalled() throws Exception {
        Path twin = buildTwin(FtguardGuest.kernel());
        GuestResult r = Vm.run(FtguardGuest.guest("all-or-none", Duration.ofMinutes(3))
                .file(GuestFile.copyOf(twin, "/twin.ko"))
                .payload("""
                        set -u
                        T=/sys/kernel/tracing
                        insmod %s
                        cat $T/enabled_functions > /out/enabled_before_twin
                        insmod /twin.ko 2> /out/twin.err; echo $? > /out/twin.rc
                        cat $T/enabled_functions > /out/enabled_after_twin
                        grep -c %s /proc/modules > /out/twin_loaded
                        /bin/true still-watched
                        rmmod ftguard
                        cat $T/enabled_functions > /out/enabled_after_unload
                        """.formatted(FtguardGuest.MODULE, TWIN))
                .build());

        FtguardGuest.assertCleanRun(r);
        assertThat(r.readOutFile("twin.rc").strip()).as(r.readOutFile("twin.err")).isNotEqualTo("0");
        assertThat(r.readOutFile("twin_loaded").strip()).isEqualTo("0");
        assertThat(r.dmesg())
                .contains("__x64_sys_execve: register_ftrace_function: -16 (already modified by another ftrace user)")
                .contains("installing __x64_sys_execve failed; removing the 2 hooks already installed");
        List<String> enabled = r.readOutFile("enabled_after_twin").lines().toList();
        List<String> before = r.readOutFile("enabled_before_twin").lines().toList();
        assertThat(before).hasSize(11);
        assertThat(enabled).as("only the first copy's hooks remain").isEqualTo(before)
                .allSatisfy(l -> assertThat(l).contains("[ftguard]").doesNotContain(TWIN));
        assertThat(r.readOutFile("enabled_after_unload")).isEmpty();
    }

    /** The module's sources built as ftguard_twin.ko against the guest kernel's headers. */
    private static Path buildTwin(DebianKernel kernel) throws IOException, InterruptedException {
        Path root = KernelCatalog.repoRoot();
        Path dir = root.resolve("it/target/kmod-twin");
        Path src = root.resolve("kmod");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : files.filter(Files::isRegularFile).filter(AllOrNoneIT::isSource).toList()) {
                Path to = dir.resolve(src.relativize(p).toString());
                Files.createDirectories(to.getParent());
                Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Process make = new ProcessBuilder("make", "-C", kernel.headers().toString(), "M=" + dir,
                "MODNAME=" + TWIN, "modules").redirectErrorStream(true).start();
        String log = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(make.waitFor()).as(log).isZero();
        return dir.resolve(TWIN + ".ko");
    }

    private static boolean isSource(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".c") || name.endsWith(".h") || name.endsWith(".S") || name.equals("Kbuild") || name.equals("Makefile");
    }
}
