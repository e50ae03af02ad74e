package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real make against a stand-in KDIR whose Makefile behaves like kbuild for M= builds: it
 * "compiles" by copying main.c to ftguard.ko and counts its runs.
 */
class ModuleBuilderTest {
  @TempDir Path tmp;
  Path src;
  Path kdir;
  Path cache;
  final List<String> progress = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    src = Files.createDirectories(tmp.resolve("kmod"));
    Files.writeString(src.resolve("Makefile"), "obj-m := ftguard.o\n");
    Files.writeString(src.resolve("main.c"), "int x;\n");
    Files.createDirectories(src.resolve("include/uapi"));
    Files.writeString(src.resolve("include/uapi/ftguard.h"), "#define FTG 1\n");
    kdir = Files.createDirectories(tmp.resolve("kdir"));
    Files.writeString(
        kdir.resolve("Makefile"),
        """
        modules:
        \t@echo "  CC [M]  $(M)/main.o"
        \t@test -f $(M)/include/uapi/ftguard.h
        \t@if grep -q BROKEN $(M)/main.c; then echo "$(M)/main.c:1: error: broken"; exit 2; fi
        \tcp $(M)/main.c $(M)/ftguard.ko
        \t@echo run >> %s
        """
            .formatted(tmp.resolve("runs")));
    cache = tmp.resolve("cache");
  }

  ModuleBuilder builder() {
    // the stand-in make copies text, not an object: ModuleBuilderVerifyTest checks verification
    return new ModuleBuilder(src, cache)
        .withProgress(progress::add)
        .withVerifier(ko -> new dev.ftguard.verify.Report(ko, List.of(), List.of()));
  }

  long runs() throws Exception {
    return Files.exists(tmp.resolve("runs")) ? Files.readAllLines(tmp.resolve("runs")).size() : 0;
  }

  @Test
  void buildsCachesAndRebuildsWhenSourcesChange() throws Exception {
    Path ko = builder().build(kdir, "6.1.0-test");
    assertThat(ko).isRegularFile().hasContent("int x;");
    assertThat(ko.startsWith(cache.resolve("6.1.0-test"))).isTrue();
    assertThat(progress).anyMatch(l -> l.contains("CC [M]"));
    assertThat(runs()).isEqualTo(1);

    // unchanged sources: cached, make not run; build outputs in the source tree do not count
    Files.writeString(src.resolve("main.o"), "obj");
    Files.writeString(src.resolve(".main.o.cmd"), "cmd");
    assertThat(builder().build(kdir, "6.1.0-test")).isEqualTo(ko);
    assertThat(runs()).isEqualTo(1);

    // changed source: rebuilt, the old build removed
    Files.writeString(src.resolve("main.c"), "int y;\n");
    Path ko2 = builder().build(kdir, "6.1.0-test");
    assertThat(ko2).isNotEqualTo(ko).hasContent("int y;");
    assertThat(ko).doesNotExist();
    assertThat(runs()).isEqualTo(2);
    // no build directory left behind
    try (var s = Files.list(ko2.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ftguard.ko", "build.log");
    }
  }

  @Test
  @Timeout(120)
  void aBuildWaitsWhileAnotherProcessBuildsTheSameRelease() throws Exception {
    Path holder = tmp.resolve("Hold.java");
    Files.writeString(
        holder,
        """
        import java.nio.channels.FileChannel;
        import java.nio.file.*;
        class Hold {
          public static void main(String[] a) throws Exception {
            try (var c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                var l = c.lock()) {
              System.out.println("locked");
              System.out.flush();
              System.in.read();
            }
          }
        }
        """);
    Path lock = Files.createDirectories(cache.resolve("6.1.0-test")).resolve(BuildLock.FILE);
    String javaCommand = ProcessHandle.current().info().command().orElseThrow();
    Process other = new ProcessBuilder(javaCommand, holder.toString(), lock.toString()).start();
    try {
      var out = new BufferedReader(new InputStreamReader(other.getInputStream()));
      assertThat(out.readLine()).isEqualTo("locked");
      List<String> lines = new CopyOnWriteArrayList<>();
      var build =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return builder().withProgress(lines::add).build(kdir, "6.1.0-test");
                } catch (ModuleBuildException e) {
                  throw new CompletionException(e);
                }
              });
      while (lines.stream().noneMatch(l -> l.startsWith("waiting for another build"))) {
        assertThat(build).as("the build goes on only after the lock is released").isNotDone();
        Thread.sleep(10);
      }
      assertThat(runs()).isZero();
      other.getOutputStream().close();
      assertThat(build.get()).isRegularFile().hasContent("int x;");
      assertThat(runs()).isEqualTo(1);
    } finally {
      other.destroy();
    }
  }

  @Test
  void concurrentBuildsInOneProcessBuildOnce() throws Exception {
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<Path>> builds = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        builds.add(
            pool.submit(
                () -> {
                  start.await();
                  return builder().withProgress(l -> {}).build(kdir, "6.1.0-test");
                }));
      }
      Path first = builds.getFirst().get();
      for (Future<Path> b : builds) {
        assertThat(b.get()).isEqualTo(first).hasContent("int x;");
      }
    }
    assertThat(runs()).isEqualTo(1);
  }

  @Test
  void hashDependsOnSourcesKdirAndMakeArgs() throws Exception {
    String h = builder().sourceHash(kdir);
    assertThat(h).hasSize(16).isEqualTo(builder().sourceHash(kdir));
    assertThat(builder().sourceHash(tmp.resolve("other"))).isNotEqualTo(h);
    assertThat(builder().withMakeArgs(List.of("LLVM=1")).sourceHash(kdir)).isNotEqualTo(h);
    Files.writeString(src.resolve("include/uapi/ftguard.h"), "#define FTG 2\n");
    assertThat(builder().sourceHash(kdir)).isNotEqualTo(h);
  }

  @Test
  void makeFailureShowsTheTailOfTheLog() throws Exception {
    Files.writeString(src.resolve("main.c"), "BROKEN\n");
    assertThatThrownBy(() -> builder().build(kdir, "6.1.0-test"))
        .isInstanceOfSatisfying(
            ModuleBuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ModuleBuildException.Kind.MAKE_FAILED);
              assertThat(e.getMessage()).contains("make exit status 2").contains("build.log");
              assertThat(e.logTail()).anyMatch(l -> l.contains("error: broken"));
              assertThat(e.log()).isRegularFile();
              assertThat(Errors.build(e).getMessage())
                  .contains("last lines of the build log")
                  .contains("error: broken");
              assertThat(Errors.build(e).exitCode()).isEqualTo(ExitCode.BUILD_FAILED);
              // the failed build's directory is gone, its log stays
              try (var s = Files.list(e.log().getParent())) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly("build.log");
              } catch (java.io.IOException x) {
                throw new java.io.UncheckedIOException(x);
              }
            });
    assertThat(runs()).isZero();
  }

  @Test
  void missingHeadersNameThePackage() {
    assertThatThrownBy(() -> builder().build(tmp.resolve("no-kdir"), "6.8.0-31-generic"))
        .isInstanceOfSatisfying(
            ModuleBuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ModuleBuildException.Kind.HEADERS_MISSING);
              assertThat(e.getMessage())
                  .contains(tmp.resolve("no-kdir").toString())
                  .contains("apt-get install linux-headers-6.8.0-31-generic");
            });
  }

  @Test
  void missingSourcesSayWhatToSet() throws Exception {
    Files.delete(src.resolve("Makefile"));
    assertThatThrownBy(() -> builder().build(kdir, "6.1.0-test"))
        .isInstanceOfSatisfying(
            ModuleBuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ModuleBuildException.Kind.SOURCES_MISSING);
              assertThat(e.getMessage()).contains("FTGUARD_HOME");
            });
  }

  @Test
  void missingMakeIsAToolError() {
    assertThatThrownBy(
            () -> builder().withMake(tmp.resolve("no-make").toString()).build(kdir, "6.1.0-test"))
        .isInstanceOfSatisfying(
            ModuleBuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ModuleBuildException.Kind.TOOL_MISSING);
              assertThat(e.getMessage()).contains("build-essential");
            });
  }

  @Test
  void cacheDirFollowsXdg() {
    assertThat(
            ModuleBuilder.defaultCacheDir(Map.of("XDG_CACHE_HOME", "/x/cache", "HOME", "/home/u")))
        .isEqualTo(Path.of("/x/cache/ftguard"));
    assertThat(ModuleBuilder.defaultCacheDir(Map.of("HOME", "/home/u")))
        .isEqualTo(Path.of("/home/u/.cache/ftguard"));
    assertThat(ModuleBuilder.defaultKdir("6.1.0")).isEqualTo(Path.of("/lib/modules/6.1.0/build"));
  }
}
