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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A guest booting Debian's kernel with ftguard inside: the module built against that kernel's
 * headers at {@code /ftguard.ko}, the repository (launcher, jar) read-only at {@code /ftguard}.
 */
public final class FtguardGuest {

    /** Where the module is found in the guest. */
    public static final String MODULE = "/ftguard.ko";
    /** The launcher in the guest. */
    public static final String FTGUARD = "/ftguard/ftguard";

    private static Path builtModule;

    private FtguardGuest() {}

    public static DebianKernel kernel() {
        return KernelCatalog.ofRepo().defaultKernel();
    }

    /** Builds the module for the guest's kernel once per test JVM (cached by source hash). */
    public static synchronized Path module() throws ModuleBuildException {
        if (builtModule == null) {
            Path root = KernelCatalog.repoRoot();
            DebianKernel kernel = kernel();
            builtModule = new ModuleBuilder(root.resolve("kmod"), root.resolve("it/target/kmod"))
                    .withProgress(line -> System.err.println("[kmod] " + line))
                    .build(kernel.headers(), kernel.abi());
        }
        return builtModule;
    }

    /**
     * A guest whose files (serial log, QEMU command, /out) stay in {@code it/target/vm/NAME} after
     * the run, for looking into a failure.
     */
    public static GuestSpec.Builder guest(String name, Duration timeout) throws ModuleBuildException, IOException {
        Path workDir = KernelCatalog.repoRoot().resolve("it/target/vm").resolve(name);
        deleteTree(workDir);
        Files.createDirectories(workDir);
        return GuestSpec.builder(kernel())
                .workDir(workDir)
                .timeout(timeout)
                .shareRepository()
                .file(GuestFile.copyOf(module(), MODULE))
                .progress(line -> System.err.println("[vm] " + line))
                .output(line -> System.err.println("[guest] " + line));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A JSON document the payload wrote to /out; on a parse error, the file is in the message. */
    public static JsonNode readJson(GuestResult result, String file) throws IOException {
        String text = result.readOutFile(file);
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw new AssertionError("/out/" + file + " is not JSON: " + e.getOriginalMessage() + "\n" + text
                    + "\n--- payload output ---\n" + String.join("\n", result.payloadOutput()), e);
        }
    }

    /** A JSON Lines file the payload wrote to /out. */
    public static List<JsonNode> readJsonLines(GuestResult result, String file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        List<String> lines = result.readOutFile(file).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            try {
                out.add(JSON.readTree(lines.get(i)));
            } catch (JacksonException e) {
                throw new AssertionError("/out/" + file + " line " + (i + 1) + " is not JSON: " + lines.get(i), e);
            }
        }
        return out;
    }

    /** The run ended by itself with status 0, and the kernel reported nothing wrong. */
    public static void assertCleanRun(GuestResult result) {
        assertThat(result.outcome()).as(result.summary()).isEqualTo(new GuestResult.Outcome.Exited(0));
        assertThat(result.findings()).as(DmesgChecker.report(result.findings())).isEmpty();
    }
}
