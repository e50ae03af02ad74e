package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.cli.ModuleBuildException;
import dev.ftguard.cli.ModuleBuilder;
import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.DmesgChecker;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.GuestSpec;
import dev.ftguard.vm.KernelCatalog;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A guest booting Debian's kernel with ftguard inside: the module built against that kernel's
 * headers at {@code /ftguard.ko}, the repository (launcher, jar) read-only at {@code /ftguard}.
 */
final class FtguardGuest {

    /** Where the module is found in the guest. */
    static final String MODULE = "/ftguard.ko";
    /** The launcher in the guest. */
    static final String FTGUARD = "/ftguard/ftguard";

    private static Path builtModule;

    private FtguardGuest() {}

    static DebianKernel kernel() {
        return KernelCatalog.ofRepo().defaultKernel();
    }

    /** Builds the module for the guest's kernel once per test JVM (cached by source hash). */
    static synchronized Path module() throws ModuleBuildException {
        if (builtModule == null) {
            Path root = KernelCatalog.repoRoot();
            DebianKernel kernel = kernel();
            builtModule = new ModuleBuilder(root.resolve("kmod"), root.resolve("it/target/kmod"))
                    .withProgress(line -> System.err.println("[kmod] " + line))
                    .build(kernel.headers(), kernel.abi());
        }
        return builtModule;
    }

    static GuestSpec.Builder guest(Path workDir, Duration timeout) throws ModuleBuildException {
        return GuestSpec.builder(kernel())
                .workDir(workDir)
                .timeout(timeout)
                .shareRepository()
                .file(GuestFile.copyOf(module(), MODULE))
                .progress(line -> System.err.println("[vm] " + line))
                .output(line -> System.err.println("[guest] " + line));
    }

    /** The run ended by itself with status 0, and the kernel reported nothing wrong. */
    static void assertCleanRun(GuestResult result) {
        assertThat(result.outcome()).as(result.summary()).isEqualTo(new GuestResult.Outcome.Exited(0));
        assertThat(result.findings()).as(DmesgChecker.report(result.findings())).isEmpty();
    }
}
