package dev.ftguard.verify;

import static org.assertj.core.api.Assertions.fail;

import dev.ftguard.testing.Repository;
import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.KernelCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the tests need from the machine: the repository, gcc and as, objdump, make, Debian's kernel
 * headers and kernel modules. A missing tool fails the test with what to install; nothing is
 * skipped.
 */
final class Tools {
  private Tools() {}

  record Run(int exit, String output) {}

  /** Runs a command; stdout and stderr together. A missing program fails with the hint. */
  static Run run(Path dir, List<String> cmd, String installHint, long timeoutSeconds) {
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return fail("cannot run " + cmd.getFirst() + " (" + installHint + "): " + e.getMessage());
    }
    try {
      p.getOutputStream().close();
      CompletableFuture<String> out =
          CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return fail("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
      }
      return new Run(p.exitValue(), out.join());
    } catch (IOException e) {
      return fail("running " + cmd + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted: " + cmd);
    }
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Runs and requires exit status 0. */
  static String ok(Path dir, List<String> cmd, String installHint, long timeoutSeconds) {
    Run r = run(dir, cmd, installHint, timeoutSeconds);
    if (r.exit() != 0) {
      fail(String.join(" ", cmd) + " failed (exit " + r.exit() + "):\n" + r.output());
    }
    return r.output();
  }

  static final String GCC =
      "install gcc and binutils: apt-get install gcc binutils, or run scripts/setup";
  static final String MAKE = "install make: apt-get install make, or run scripts/setup";

  /** The test fixture sources (verify/src/test/resources/fixtures). */
  static Path fixtures() {
    Path p = Repository.root().resolve("verify/src/test/resources/fixtures");
    if (!Files.isDirectory(p)) {
      fail("fixture sources missing: " + p);
    }
    return p;
  }

  /**
   * Builds a fixture into a relocatable object in {@code out}: {@code .c} with gcc and the kernel's
   * code generation flags (retpolines, return thunks, no PIC), {@code .S} with gcc (the assembler).
   * {@code extra} are more gcc flags.
   */
  static Path compile(String fixture, Path out, List<String> extra) {
    Path src = fixtures().resolve(fixture);
    if (!Files.isRegularFile(src)) {
      fail("fixture missing: " + src);
    }
    Path obj = out.resolve(fixture.replaceAll("\\.[cS]$", "") + ".o");
    List<String> cmd = new ArrayList<>(List.of("gcc", "-c", "-O2", "-fno-pic"));
    if (!extra.contains("-m32")) {
      cmd.add("-mcmodel=kernel");
    }
    if (fixture.endsWith(".c")) {
      cmd.addAll(
          List.of(
              "-std=gnu11",
              "-Wall",
              "-Werror",
              "-fno-asynchronous-unwind-tables",
              "-fno-stack-protector",
              "-mindirect-branch=thunk-extern",
              "-mindirect-branch-register",
              "-mfunction-return=thunk-extern"));
    }
    cmd.addAll(extra);
    cmd.addAll(List.of("-I", fixtures().toString(), "-o", obj.toString(), src.toString()));
    ok(out, cmd, GCC, 60);
    return obj;
  }

  /**
   * Kernel headers to build the module against on this machine: those of the pinned kernel
   * (kmod/kernels.conf), as scripts/setup installs them.
   */
  static Path kernelHeaders() {
    DebianKernel k = kernel();
    if (k.buildRoot().isPresent() || !Files.isRegularFile(k.headers().resolve("Makefile"))) {
      fail(
          "kernel headers of "
              + k.abi()
              + " missing at "
              + k.headers()
              + " on this machine: run scripts/setup (apt-get install linux-headers-amd64)");
    }
    return k.headers();
  }

  /** The pinned kernel scripts/setup prepared (.cache/kernels/&lt;abi&gt;). */
  static DebianKernel kernel() {
    return KernelCatalog.ofRepo().defaultKernel();
  }

  /** The kernel modules shipped in Debian's kernel package, unpacked by scripts/setup. */
  static List<Path> shippedModules() {
    Path dir = kernel().modules().resolve("kernel");
    if (!Files.isDirectory(dir)) {
      fail("kernel modules missing at " + dir + ": run scripts/setup");
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.toString().matches(".*\\.ko(\\.xz|\\.zst)?"))
          .sorted(Comparator.comparing(Path::toString))
          .toList();
    } catch (IOException e) {
      return fail("cannot list " + dir + ": " + e);
    }
  }

  /** A module as a plain .ko in {@code out}: compressed ones are unpacked with xz or zstd. */
  static Path plainModule(Path module, Path out) {
    String name = module.getFileName().toString();
    if (name.endsWith(".ko")) {
      return module;
    }
    Path plain = out.resolve(name.replaceAll("\\.(xz|zst)$", ""));
    String tool = name.endsWith(".xz") ? "xz" : "zstd";
    ok(
        out,
        List.of("sh", "-c", tool + " -dc \"$0\" > \"$1\"", module.toString(), plain.toString()),
        "install " + tool + ": apt-get install xz-utils zstd",
        120);
    return plain;
  }

  /**
   * Copies kmod/ to {@code dir} (sources only) and builds it against {@code headers}; returns the
   * module.
   */
  static Path buildModule(Path kmodCopy, Path headers) {
    ok(
        kmodCopy,
        List.of(
            "make",
            "-C",
            headers.toString(),
            "M=" + kmodCopy,
            "-j" + Runtime.getRuntime().availableProcessors(),
            "modules"),
        MAKE,
        600);
    Path ko = kmodCopy.resolve("ftguard.ko");
    if (!Files.isRegularFile(ko)) {
      fail("make succeeded but left no ftguard.ko in " + kmodCopy);
    }
    return ko;
  }

  static void copySources(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        Path rel = from.relativize(f);
        String n = rel.getFileName().toString();
        boolean output =
            rel.toString().startsWith(".")
                || n.startsWith(".")
                || n.matches(".*\\.(o|ko|mod|mod\\.c|cmd|o\\.d)$")
                || n.equals("modules.order")
                || n.equals("Module.symvers");
        if (!output) {
          Path dest = to.resolve(rel.toString());
          Files.createDirectories(dest.getParent());
          Files.copy(f, dest);
        }
      }
    }
  }
}
