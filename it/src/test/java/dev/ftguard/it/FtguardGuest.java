package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.cli.ModuleBuildException;
import dev.ftguard.cli.ModuleBuilder;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.DmesgChecker;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.GuestSpec;
import dev.ftguard.vm.KernelCatalog;
import dev.ftguard.vm.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
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
  private static final java.util.Map<String, Path> builtHello = new java.util.HashMap<>();

  private FtguardGuest() {}

  public static DebianKernel kernel() {
    return KernelCatalog.ofRepo().defaultKernel();
  }

  /** Builds the module for the guest's kernel once per test JVM (cached by source hash). */
  public static synchronized Path module() throws ModuleBuildException {
    if (builtModule == null) {
      builtModule = module(kernel());
    }
    return builtModule;
  }

  /**
   * Builds the module for this kernel with its own headers and compiler (in its build root, if it
   * has one), cached under {@code it/target/kmod/<abi>/} by source hash.
   */
  public static Path module(DebianKernel kernel, String... makeVariables)
      throws ModuleBuildException {
    Path root = Repository.root();
    ModuleBuilder builder =
        new ModuleBuilder(root.resolve("kmod"), root.resolve("it/target/kmod"))
            .withProgress(line -> System.err.println("[kmod " + kernel.series() + "] " + line))
            .withMakeArgs(List.of(makeVariables));
    kernel.buildRoot().ifPresent(builder::withBuildRoot);
    String label =
        makeVariables.length == 0
            ? kernel.abi()
            : kernel.abi()
                + "-"
                + String.join("-", makeVariables).replaceAll("[^A-Za-z0-9_.-]", "_");
    return builder.build(kernel.kdir(), label);
  }

  /**
   * Compiles {@code it/src/test/c/ftgtest.c} once per test JVM into {@code
   * it/target/SCRATCH/ftgtest} ({@link #scratch()}): {@code gcc -static -O2 -Wall -Werror}, against
   * the ABI header in {@code kmod/include/uapi}.
   */
  public static Path testHelper() throws IOException, InterruptedException {
    return compileHelper("ftgtest");
  }

  private static final java.util.Map<String, Path> builtHelpers = new java.util.HashMap<>();

  /**
   * Compiles the static helper {@code it/src/test/c/NAME.c} once per test JVM into {@code
   * SCRATCH/NAME} ({@code gcc -static -O2 -Wall -Werror}).
   */
  public static synchronized Path compileHelper(String name)
      throws IOException, InterruptedException {
    Path built = builtHelpers.get(name);
    if (built == null) {
      Path root = Repository.root();
      Path out = scratch().resolve(name);
      Files.createDirectories(out.getParent());
      run(
          root.resolve("it"),
          "gcc",
          "-static",
          "-O2",
          "-Wall",
          "-Werror",
          "-o",
          out.toString(),
          root.resolve("it/src/test/c").resolve(name + ".c").toString());
      builtHelpers.put(name, out);
      built = out;
    }
    return built;
  }

  /**
   * Builds {@code it/src/test/kmod-hello} (module {@code ftg_hello}) against the guest kernel's
   * headers once per test JVM, in {@code SCRATCH/kmod-hello-ABI}.
   */
  public static synchronized Path helloModule() throws IOException, InterruptedException {
    return helloModule(kernel());
  }

  /** {@code ftg_hello} built for this kernel, once per test JVM. */
  public static synchronized Path helloModule(DebianKernel kernel)
      throws IOException, InterruptedException {
    Path built = builtHello.get(kernel.abi());
    if (built == null) {
      built = testModule("hello", "ftg_hello", kernel);
      builtHello.put(kernel.abi(), built);
    }
    return built;
  }

  /**
   * The names of the renamed copies of {@code ftg_hello} every guest of {@link #withTestFiles} has,
   * at {@link #renamedModulePath(String)}: the module tests need modules whose own names differ,
   * not only their files'.
   */
  public static final List<String> RENAMED_MODULES =
      List.of("ftg_glob1", "ftg_bin", "ftg_free", "ftg_kill", "ftg_nice");

  /** Where the guest has {@code ftg_hello} renamed to {@code name} (one of RENAMED_MODULES). */
  public static String renamedModulePath(String name) {
    return "/ftg_mods/" + name + ".ko";
  }

  private static final java.util.Map<String, Path> builtRenamed = new java.util.HashMap<>();

  /**
   * {@code ftg_hello} for this kernel with its own name changed to {@code name} (at most as long):
   * every {@code "ftg_hello\0"} of the image, that is {@code .modinfo}'s {@code name=} and the name
   * field of its {@code struct module} in {@code .gnu.linkonce.this_module}, becomes {@code name}
   * padded with NULs. The kernel registers it under that name ({@code lsmod}, {@code rmmod}). In
   * {@code SCRATCH/kmod-renamed-ABI/NAME.ko}.
   */
  public static synchronized Path renamedModule(DebianKernel kernel, String name)
      throws IOException, InterruptedException {
    String key = kernel.abi() + "/" + name;
    Path built = builtRenamed.get(key);
    if (built != null) {
      return built;
    }
    byte[] from = "ftg_hello\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] to =
        java.util.Arrays.copyOf(
            name.getBytes(java.nio.charset.StandardCharsets.US_ASCII), from.length);
    if (name.length() >= from.length || name.isEmpty()) {
      throw new IllegalArgumentException("a renamed module's name has 1 to 9 bytes: " + name);
    }
    byte[] image = Files.readAllBytes(helloModule(kernel));
    int found = 0;
    for (int i = 0; i + from.length <= image.length; i++) {
      if (java.util.Arrays.equals(image, i, i + from.length, from, 0, from.length)) {
        System.arraycopy(to, 0, image, i, to.length);
        found++;
      }
    }
    if (found < 2) {
      throw new IOException("ftg_hello.ko holds its name " + found + " times, not 2 or more");
    }
    Path dir = scratch().resolve("kmod-renamed-" + kernel.abi());
    Files.createDirectories(dir);
    built = Files.write(dir.resolve(name + ".ko"), image);
    builtRenamed.put(key, built);
    return built;
  }

  /** {@link #testModule(String, String, DebianKernel)} for the default kernel. */
  public static synchronized Path testModule(String label, String name)
      throws IOException, InterruptedException {
    return testModule(label, name, kernel());
  }

  /**
   * Builds the test module in {@code it/src/test/kmod-LABEL} (Kbuild and {@code NAME.c}) for this
   * kernel, with its headers and compiler, in {@code SCRATCH/kmod-LABEL-ABI}; returns {@code
   * NAME.ko} there.
   */
  public static synchronized Path testModule(String label, String name, DebianKernel kernel)
      throws IOException, InterruptedException {
    Path root = Repository.root();
    Path src = root.resolve("it/src/test/kmod-" + label);
    Path dir = scratch().resolve("kmod-" + label + "-" + kernel.abi());
    deleteTree(dir);
    Files.createDirectories(dir);
    for (String f : List.of("Kbuild", name + ".c")) {
      Files.copy(src.resolve(f), dir.resolve(f));
    }
    make(kernel, dir);
    return dir.resolve(name + ".ko");
  }

  /**
   * A variant build of the module's sources: copied to {@code SCRATCH/kmod-LABEL} and built against
   * the guest kernel's headers with the given make variables (e.g. {@code MODNAME=x}, {@code
   * FTG_TEST_TAILCALL=1}); returns {@code MODULE_NAME.ko} there.
   */
  public static synchronized Path variantModule(
      String label, String moduleName, String... makeVariables)
      throws IOException, InterruptedException {
    Path dir = copyModuleSources(scratch().resolve("kmod-" + label));
    make(kernel(), dir, makeVariables);
    return dir.resolve(moduleName + ".ko");
  }

  /**
   * {@code make -C KDIR M=DIR VARIABLES modules} for this kernel: on the host, or in the kernel's
   * build root (with its compiler) on a copy of DIR whose built modules are copied back.
   */
  private static void make(DebianKernel kernel, Path dir, String... makeVariables)
      throws IOException, InterruptedException {
    List<String> make = new ArrayList<>();
    Path buildDir = dir;
    String m = dir.toString();
    if (kernel.buildRoot().isPresent()) {
      Path buildRoot = kernel.buildRoot().get();
      m = "/tmp/ftguard-it-" + scratch().getFileName() + "-" + dir.getFileName();
      buildDir = buildRoot.resolve(m.substring(1));
      deleteTree(buildDir);
      copyTree(dir, buildDir, relative -> true);
      make.addAll(ModuleBuilder.inBuildRoot(buildRoot));
    }
    make.addAll(List.of("make", "-C", kernel.kdir().toString(), "M=" + m));
    make.addAll(List.of(makeVariables));
    make.add("modules");
    run(dir, make.toArray(String[]::new));
    if (buildDir != dir) {
      try (Stream<Path> built = Files.list(buildDir)) {
        for (Path ko : built.filter(p -> p.toString().endsWith(".ko")).toList()) {
          Files.copy(
              ko, dir.resolve(ko.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      deleteTree(buildDir);
    }
  }

  /**
   * The module's sources ({@code kmod/} without build outputs, as {@link ModuleBuilder} takes them)
   * copied into a fresh {@code to}; returns {@code to}.
   */
  public static Path copyModuleSources(Path to) throws IOException {
    deleteTree(to);
    copyTree(
        Repository.root().resolve("kmod"), to, relative -> !ModuleBuilder.isBuildOutput(relative));
    Files.createDirectories(to);
    return to;
  }

  /** The files under {@code from} whose relative path {@code keep} accepts, into {@code to}. */
  private static void copyTree(Path from, Path to, java.util.function.Predicate<Path> keep)
      throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p :
          files.filter(Files::isRegularFile).filter(p -> keep.test(from.relativize(p))).toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        Files.createDirectories(dest.getParent());
        Files.copy(p, dest);
      }
    }
  }

  /**
   * The helper at {@link #TEST_HELPER}, the hello module at {@link #HELLO_MODULE} and its renamed
   * copies ({@link #RENAMED_MODULES}).
   */
  public static GuestSpec.Builder withTestFiles(GuestSpec.Builder guest)
      throws IOException, InterruptedException {
    return withTestFiles(guest, kernel());
  }

  /** The same, with the hello module built for this kernel. */
  public static GuestSpec.Builder withTestFiles(GuestSpec.Builder guest, DebianKernel kernel)
      throws IOException, InterruptedException {
    guest
        .file(GuestFile.copyOf(testHelper(), TEST_HELPER))
        .file(GuestFile.copyOf(helloModule(kernel), HELLO_MODULE));
    for (String name : RENAMED_MODULES) {
      guest.file(GuestFile.copyOf(renamedModule(kernel, name), renamedModulePath(name)));
    }
    return guest;
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String log =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + log);
    }
  }

  /**
   * A guest whose files (serial log, QEMU command, /out) stay in {@code it/target/vm/NAME} after
   * the run, for looking into a failure.
   */
  public static GuestSpec.Builder guest(String name, Duration timeout)
      throws ModuleBuildException, IOException {
    return guest(name, timeout, kernel(), module());
  }

  /** A guest booting this kernel with this build of the module at {@link #MODULE}. */
  public static GuestSpec.Builder guest(
      String name, Duration timeout, DebianKernel kernel, Path module) throws IOException {
    Path workDir = Repository.root().resolve("it/target/vm").resolve(name);
    deleteTree(workDir);
    Files.createDirectories(workDir);
    return GuestSpec.builder(kernel)
        .workDir(workDir)
        .timeout(timeout)
        .shareRepository()
        .file(GuestFile.copyOf(module, MODULE))
        .progress(line -> System.err.println("[vm] " + line))
        .output(line -> System.err.println("[guest] " + line));
  }

  /**
   * This test JVM's own directory under {@code it/target} for what it builds and compiles
   * (SCRATCH): failsafe runs two test JVMs at once and names each one's ({@code
   * ftguard.it.scratch}), so that neither rebuilds a file the other is copying into a guest.
   */
  public static Path scratch() {
    return Repository.root()
        .resolve("it/target")
        .resolve(System.getProperty("ftguard.it.scratch", "scratch"));
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
      throw new AssertionError(
          "/out/"
              + file
              + " is not JSON: "
              + e.getOriginalMessage()
              + "\n"
              + text
              + "\n--- payload output ---\n"
              + String.join("\n", result.payloadOutput()),
          e);
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
        throw new AssertionError(
            "/out/" + file + " line " + (i + 1) + " is not JSON: " + lines.get(i), e);
      }
    }
    return out;
  }

  /**
   * Boots the guest, runs its payload and asserts a {@linkplain #assertCleanRun clean run}: what
   * every test does first; its own assertions look at the result.
   */
  public static GuestResult runClean(GuestSpec.Builder guest) {
    GuestResult result = Vm.run(guest.build());
    assertCleanRun(result);
    return result;
  }

  /**
   * Shell functions for payloads that run {@code ftguard run} in the background as {@code $d},
   * writing its lines to {@code /out/run.jsonl} and its stderr to {@code /out/run.err}:
   *
   * <ul>
   *   <li>{@code seen PATTERN}: how many lines of {@code /out/run.jsonl} match (a payload may
   *       define its own, e.g. over rotated files);
   *   <li>{@code has PATTERN COUNT}: whether at least COUNT do;
   *   <li>{@code await TRIES MESSAGE COMMAND...}: runs COMMAND every 0.1 s until it succeeds; after
   *       TRIES tries, prints MESSAGE and {@code /out/run.err} and fails the payload;
   *   <li>{@code wait_for PATTERN COUNT}: {@code has} within 90 s;
   *   <li>{@code daemon_started}: the daemon's start line within 60 s;
   *   <li>{@code stop_daemon}: SIGTERM, wait, its exit status to {@code /out/run.rc}.
   * </ul>
   */
  public static final String DAEMON_FUNCTIONS =
      """
      seen() { grep -c "$1" /out/run.jsonl 2>/dev/null || true; }
      has() { [ "$(seen "$1")" -ge "$2" ]; }
      await() {
        tries=$1; message=$2; shift 2
        i=0
        until "$@"; do
          i=$((i + 1))
          [ $i -le $tries ] || { echo "$message" >&2; cat /out/run.err >&2 2>/dev/null; exit 1; }
          sleep 0.1
        done
      }
      wait_for() { await 900 "never saw $2 x $1" has "$1" "$2"; }
      daemon_started() { await 600 "daemon did not start" has '"reason":"start"' 1; }
      stop_daemon() { kill -TERM $d; wait $d; echo $? > /out/run.rc; }
      """;

  /** {@code script} after {@code set -u} and the {@link #DAEMON_FUNCTIONS}. */
  public static String daemonScript(String script) {
    return "set -u\n" + DAEMON_FUNCTIONS + script;
  }

  /** The run ended by itself with status 0, and the kernel reported nothing wrong. */
  public static void assertCleanRun(GuestResult result) {
    assertThat(result.outcome()).as(result.summary()).isEqualTo(new GuestResult.Outcome.Exited(0));
    assertThat(result.findings()).as(DmesgChecker.report(result.findings())).isEmpty();
  }
}
