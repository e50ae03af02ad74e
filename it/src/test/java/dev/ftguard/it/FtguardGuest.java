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
    /** The static test helper ({@code it/src/test/c/ftgtest.c}) in the guest. */
    public static final String TEST_HELPER = "/ftgtest";
    /** The do-nothing module of {@code it/src/test/kmod-hello} in the guest. */
    public static final String HELLO_MODULE = "/ftg_hello.ko";

    private static Path builtModule;
    private static Path builtHello;

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
     * Compiles {@code it/src/test/c/ftgtest.c} once per test JVM into {@code it/target/ftgtest}:
     * {@code gcc -static -O2 -Wall -Werror}, against the ABI header in {@code kmod/include/uapi}.
     */
    public static Path testHelper() throws IOException, InterruptedException {
        return compileHelper("ftgtest");
    }

    private static final java.util.Map<String, Path> builtHelpers = new java.util.HashMap<>();

    /**
     * Compiles the static helper {@code it/src/test/c/NAME.c} once per test JVM into
     * {@code it/target/NAME} ({@code gcc -static -O2 -Wall -Werror}).
     */
    public static synchronized Path compileHelper(String name) throws IOException, InterruptedException {
        Path built = builtHelpers.get(name);
        if (built == null) {
            Path root = KernelCatalog.repoRoot();
            Path out = root.resolve("it/target").resolve(name);
            Files.createDirectories(out.getParent());
            run(root.resolve("it"), "gcc", "-static", "-O2", "-Wall", "-Werror", "-o", out.toString(),
                    root.resolve("it/src/test/c").resolve(name + ".c").toString());
            builtHelpers.put(name, out);
            built = out;
        }
        return built;
    }

    /**
     * Builds {@code it/src/test/kmod-hello} (module {@code ftg_hello}) against the guest kernel's
     * headers once per test JVM, in {@code it/target/kmod-hello}.
     */
    public static synchronized Path helloModule() throws IOException, InterruptedException {
        if (builtHello == null) {
            builtHello = testModule("hello", "ftg_hello");
        }
        return builtHello;
    }

    /**
     * Builds the test module in {@code it/src/test/kmod-LABEL} (Kbuild and {@code NAME.c})
     * against the guest kernel's headers, in {@code it/target/kmod-LABEL}; returns
     * {@code NAME.ko} there.
     */
    public static synchronized Path testModule(String label, String name) throws IOException, InterruptedException {
        Path root = KernelCatalog.repoRoot();
        Path src = root.resolve("it/src/test/kmod-" + label);
        Path dir = root.resolve("it/target/kmod-" + label);
        deleteTree(dir);
        Files.createDirectories(dir);
        for (String f : List.of("Kbuild", name + ".c")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        run(dir, "make", "-C", kernel().headers().toString(), "M=" + dir, "modules");
        return dir.resolve(name + ".ko");
    }

    /**
     * A variant build of the module's sources: copied to {@code it/target/kmod-LABEL} and built
     * against the guest kernel's headers with the given make variables (e.g. {@code MODNAME=x},
     * {@code FTG_TEST_TAILCALL=1}); returns {@code MODULE_NAME.ko} there.
     */
    public static synchronized Path variantModule(String label, String moduleName, String... makeVariables)
            throws IOException, InterruptedException {
        Path root = KernelCatalog.repoRoot();
        Path dir = root.resolve("it/target/kmod-" + label);
        Path src = root.resolve("kmod");
        deleteTree(dir);
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : files.filter(Files::isRegularFile).filter(FtguardGuest::isModuleSource).toList()) {
                Path to = dir.resolve(src.relativize(p).toString());
                Files.createDirectories(to.getParent());
                Files.copy(p, to);
            }
        }
        List<String> make = new ArrayList<>(List.of("make", "-C", kernel().headers().toString(), "M=" + dir));
        make.addAll(List.of(makeVariables));
        make.add("modules");
        run(dir, make.toArray(String[]::new));
        return dir.resolve(moduleName + ".ko");
    }

    private static boolean isModuleSource(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".c") || name.endsWith(".h") || name.endsWith(".S") || name.equals("Kbuild")
                || name.equals("Makefile");
    }

    /** The helper at {@link #TEST_HELPER} and the hello module at {@link #HELLO_MODULE}. */
    public static GuestSpec.Builder withTestFiles(GuestSpec.Builder guest) throws IOException, InterruptedException {
        return guest.file(GuestFile.copyOf(testHelper(), TEST_HELPER))
                .file(GuestFile.copyOf(helloModule(), HELLO_MODULE));
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + log);
        }
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

    static void deleteTree(Path dir) throws IOException {
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
