package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.check.TestedKernels;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.KernelCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module's sources follow the kernel coding style (checkpatch, from Debian's linux-source-6.1
 * package) and build for every prepared kernel, with its own headers and compiler, without a
 * warning; docs/kernels.md lists the kernels of kmod/kernels.conf.
 */
class KernelSourceTest {

  private static final Path SOURCE_TARBALL = Path.of("/usr/src/linux-source-6.1.tar.xz");
  private static final List<String> CHECKPATCH_FILES =
      List.of("scripts/checkpatch.pl", "scripts/spelling.txt", "scripts/const_structs.checkpatch");

  @Test
  void checkpatchFindsNothing() throws Exception {
    Path root = Repository.root();
    Path checkpatch = checkpatch(root);
    List<String> command =
        new ArrayList<>(
            List.of(
                "perl",
                checkpatch.toString(),
                "--no-tree",
                "--terse",
                "--show-types",
                // version shims are what an out-of-tree module is made of
                "--ignore",
                "LINUX_VERSION_CODE",
                "-f"));
    // the module and the test modules (it/src/test/kmod-*)
    try (Stream<Path> files =
        Stream.concat(
            Files.walk(root.resolve("kmod")),
            Files.walk(root.resolve("it/src/test")).filter(p -> p.toString().contains("/kmod-")))) {
      files
          .filter(p -> p.toString().endsWith(".c") || p.toString().endsWith(".h"))
          .filter(p -> !p.getFileName().toString().endsWith(".mod.c"))
          .sorted()
          .forEach(p -> command.add(p.toString()));
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    List<String> findings =
        out.lines()
            .filter(
                l -> l.contains(": WARNING:") || l.contains(": ERROR:") || l.contains(": CHECK:"))
            .toList();
    assertThat(findings).as(out).isEmpty();
    assertThat(rc).as(out).isZero();
  }

  static Stream<DebianKernel> kernels() {
    return KernelCatalog.ofRepo().all().stream();
  }

  /**
   * {@code ftguard load --kernel-release R [--build-root DIR] --build-only}, as a user would run
   * it, for every prepared kernel: the module builds with that kernel's headers and compiler
   * without a warning (compiler, modpost, objtool), the build verified it (no tail call from a
   * wrapper), and its vermagic names that kernel.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void moduleBuildsWithoutWarningsForEveryKernel(DebianKernel kernel) throws Exception {
    Path root = Repository.root();
    List<String> command =
        new ArrayList<>(
            List.of(
                root.resolve("ftguard").toString(),
                "load",
                "--kernel-release",
                kernel.abi(),
                "--build-only"));
    kernel.buildRoot().ifPresent(r -> command.addAll(List.of("--build-root", r.toString())));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
    pb.environment().put("XDG_CACHE_HOME", root.resolve("it/target/cli-cache").toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String err;
    String out;
    try (var stderr = p.getErrorStream();
        var stdout = p.getInputStream()) {
      var errText = new java.util.concurrent.CompletableFuture<String>();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  errText.complete(new String(stderr.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                  errText.completeExceptionally(e);
                }
              });
      out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
      err = errText.get();
    }
    assertThat(p.waitFor()).as(err).isZero();
    Path ko = Path.of(out.strip());
    assertThat(ko).as(err).isRegularFile().hasFileName("ftguard.ko");
    assertThat(err)
        .containsPattern(
            "verified .*ftguard.ko: \\d+ wrappers, each reaches its original only through calls");
    String log = Files.readString(ko.resolveSibling("build.log"));
    assertThat(log).contains(kernel.buildRoot().map(r -> "chroot " + r).orElse("make -C "));
    assertThat(
            log.lines()
                .filter(
                    l -> l.contains("warning:") || l.contains("error:") || l.contains("WARNING:"))
                .toList())
        .as(log)
        .isEmpty();
    String modinfo = new String(Files.readAllBytes(ko), StandardCharsets.ISO_8859_1);
    assertThat(modinfo).contains("vermagic=" + kernel.abi() + " ");
    // the compiler kmod/kernels.conf names is the one these headers were built with
    assertThat(Files.readString(kernel.headers().resolve(".config")))
        .containsPattern(
            "(?m)^CONFIG_CC_VERSION_TEXT=\"([a-z0-9_]+-linux-gnu-)?"
                + java.util.regex.Pattern.quote(kernel.compiler())
                + " ");
  }

  /**
   * The modules the call-cost benchmark loads build: the benchmark build ({@code make
   * FTG_TEST_BENCH=1}, kmod/bench.c) follows the hook engine's API, and the call loop and the
   * comparison modules ({@code it/src/test/kmod-callloop}, {@code kmod-compare}) the kernel's. The
   * benchmarks are not run by the tests, but they build.
   */
  @Test
  void benchmarkBuildCompiles() throws Exception {
    assertThat(FtguardGuest.variantModule("bench-build", "ftguard", "FTG_TEST_BENCH=1"))
        .isRegularFile();
    assertThat(FtguardGuest.testModule("callloop", "ftg_callloop")).isRegularFile();
    assertThat(FtguardGuest.testModule("compare", "ftg_compare")).isRegularFile();
  }

  /** docs/kernels.md lists exactly the series, suites and compilers of kmod/kernels.conf. */
  @Test
  void theKernelTableMatchesKernelsConf() throws IOException {
    List<String> conf =
        TestedKernels.builtIn().series().stream()
            .map(s -> s.name() + " " + s.suite() + " " + s.compiler())
            .toList();
    String doc = Files.readString(Repository.root().resolve("docs/kernels.md"));
    String table =
        doc.substring(
            doc.indexOf("## The tested kernels"), doc.indexOf("## What each shim bridges"));
    List<String> rows =
        table
            .lines()
            .filter(l -> l.matches("\\| \\d+\\.\\d+ \\|.*"))
            .map(l -> l.split("\\|"))
            .map(c -> c[1].strip() + " " + c[2].strip().split(" ")[0] + " " + c[3].strip())
            .toList();
    assertThat(rows).as("the table of docs/kernels.md against kmod/kernels.conf").isEqualTo(conf);
  }

  @Test
  void everyFileWithAWrapperIsBuiltWithoutSiblingCalls() throws Exception {
    // the article's hang: a tail call from a wrapper to the original loops forever
    Path kmod = Repository.root().resolve("kmod");
    List<String> withWrappers = new ArrayList<>();
    try (Stream<Path> files = Files.list(kmod)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".c")).toList()) {
        if (Pattern.compile("FTG_DEFINE_WRAPPER\\s*\\(").matcher(Files.readString(f)).find()) {
          withWrappers.add(f.getFileName().toString());
        }
      }
    }
    assertThat(withWrappers).as("kmod/*.c defining wrappers").contains("exec.c");
    // the tail-call test build (make FTG_TEST_TAILCALL=1) allows them on purpose: not read
    String kbuild =
        Files.readString(kmod.resolve("Kbuild"))
            .replaceAll("(?ms)^ifeq \\(\\$\\(FTG_TEST_TAILCALL\\),1\\)\n.*?^else\n", "");
    assertThat(kbuild).doesNotContainPattern("(?m)^ccflags-y.*-foptimize-sibling-calls");
    for (String c : withWrappers) {
      String obj = Pattern.quote(c.replaceAll("\\.c$", ".o"));
      assertThat(kbuild)
          .as("kmod/Kbuild builds " + c)
          .containsPattern("(?m)^\\$\\(MODNAME\\)-y\\s*:?\\+?=.*\\b" + obj);
      List<String> flags =
          kbuild.lines().filter(l -> l.matches("CFLAGS_" + obj + "\\s*(:=|\\+=|=).*")).toList();
      int set = -1;
      for (int i = 0; i < flags.size(); i++) {
        if (!flags.get(i).matches("CFLAGS_" + obj + "\\s*\\+=.*")) {
          set = i;
        }
      }
      assertThat(set).as("CFLAGS_" + c.replace(".c", ".o") + " := in kmod/Kbuild").isNotNegative();
      assertThat(flags.get(set))
          .as("every object with a wrapper is built with -fno-optimize-sibling-calls")
          .contains("-fno-optimize-sibling-calls");
      assertThat(flags.subList(set, flags.size()))
          .as("and nothing after turns sibling calls back on")
          .noneMatch(l -> l.contains("-foptimize-sibling-calls"));
    }
  }

  /** checkpatch.pl and its data files, unpacked once from the kernel source tarball. */
  private static Path checkpatch(Path root) throws IOException, InterruptedException {
    Path dir = root.resolve(".cache/checkpatch");
    Path script = dir.resolve("linux-source-6.1").resolve(CHECKPATCH_FILES.getFirst());
    if (Files.isRegularFile(script)) {
      return script;
    }
    assertThat(SOURCE_TARBALL)
        .as("kernel source for checkpatch: run scripts/setup (installs linux-source-6.1)")
        .isRegularFile();
    Files.createDirectories(dir);
    List<String> tar =
        new ArrayList<>(List.of("tar", "-xJf", SOURCE_TARBALL.toString(), "-C", dir.toString()));
    CHECKPATCH_FILES.forEach(f -> tar.add("linux-source-6.1/" + f));
    Process p = new ProcessBuilder(tar).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("tar: " + out).isZero();
    return script;
  }
}
