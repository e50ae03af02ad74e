package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module build verifies what make produced: a stand-in KDIR whose Makefile compiles main.c with
 * gcc (kernel code generation: retpolines, return thunks) into ftguard.ko, a relocatable object
 * that lists its wrapper in .ftg_wrappers. {@code SIBLING=} chooses whether the compiler may turn
 * the wrapper's call to the original into a tail call.
 */
class ModuleBuilderVerifyTest {
  @TempDir Path tmp;
  Path src;
  Path kdir;
  Path cache;
  final List<String> progress = new ArrayList<>();

  static final String WRAPPER =
      """
      struct ftg_wrapper { void *fn; unsigned long *orig; };

      extern void wrapper_enter(void);
      static long (*real_execve)(const void *regs);

      static long wrap_execve(const void *regs)
      {
      	wrapper_enter();
      	return real_execve(regs);
      }

      static const struct ftg_wrapper w_execve
      __attribute__((used, aligned(8), section(".ftg_wrappers"))) = {
      	.fn = (void *)wrap_execve, .orig = (unsigned long *)&real_execve,
      };
      """;

  @BeforeEach
  void setUp() throws Exception {
    src = Files.createDirectories(tmp.resolve("kmod"));
    Files.writeString(src.resolve("Makefile"), "obj-m := ftguard.o\n");
    Files.writeString(src.resolve("main.c"), WRAPPER);
    kdir = Files.createDirectories(tmp.resolve("kdir"));
    Files.writeString(
        kdir.resolve("Makefile"),
        """
        SIBLING ?= -fno-optimize-sibling-calls
        modules:
        \tgcc -c -O2 -fno-pic -mcmodel=kernel -fno-stack-protector -mindirect-branch=thunk-extern \\
        \t  -mindirect-branch-register -mfunction-return=thunk-extern $(SIBLING) \\
        \t  -o $(M)/ftguard.ko $(M)/main.c
        """);
    cache = tmp.resolve("cache");
  }

  ModuleBuilder builder(String sibling) {
    return new ModuleBuilder(src, cache)
        .withProgress(progress::add)
        .withMakeArgs(List.of("SIBLING=" + sibling));
  }

  @Test
  void aCleanModuleIsVerifiedAndCached() throws Exception {
    Path ko = builder("-fno-optimize-sibling-calls").build(kdir, "6.1.0-test");
    assertThat(ko).isRegularFile();
    assertThat(progress)
        .anyMatch(
            l ->
                l.startsWith("verified ")
                    && l.endsWith(": 1 wrapper, each reaches its original only through calls"));
    // the cached module is verified again before it is handed out
    progress.clear();
    assertThat(builder("-fno-optimize-sibling-calls").build(kdir, "6.1.0-test")).isEqualTo(ko);
    assertThat(progress)
        .anyMatch(l -> l.startsWith("using cached"))
        .anyMatch(l -> l.startsWith("verified"));
  }

  @Test
  void aWrapperThatTailCallsFailsTheBuild() throws Exception {
    ModuleBuilder b = builder("-foptimize-sibling-calls");
    assertThatThrownBy(() -> b.build(kdir, "6.1.0-test"))
        .isInstanceOfSatisfying(
            ModuleBuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ModuleBuildException.Kind.TAIL_CALL);
              assertThat(e.getMessage())
                  .contains("hook wrapper wrap_execve reaches its original through a tail call")
                  .contains("jmp __x86_indirect_thunk_rax")
                  .contains("-fno-optimize-sibling-calls")
                  .contains("not cached");
              assertThat(e.logTail())
                  .anyMatch(l -> l.startsWith("ftguard verify: 1 tail call(s) in "))
                  .anyMatch(l -> l.contains("wrap_execve+0x") && l.contains("retpoline thunk"));
              assertThat(e.log()).content().contains("ftguard verify: 1 tail call(s)");
              UserException u = Errors.build(e);
              assertThat(u.exitCode()).isEqualTo(ExitCode.BUILD_FAILED);
              assertThat(u.getMessage()).contains("last lines of the build log");
            });
    assertThat(b.cachedModule(kdir, "6.1.0-test")).doesNotExist();
  }

  @Test
  void aModuleTheVerifierCannotReadFailsTheBuild() throws Exception {
    Files.writeString(
        kdir.resolve("Makefile"),
        """
        modules:
        \tcp $(M)/main.c $(M)/ftguard.ko
        """);
    assertThatThrownBy(() -> builder("").build(kdir, "6.1.0-test"))
        .isInstanceOfSatisfying(
            ModuleBuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ModuleBuildException.Kind.UNVERIFIED);
              assertThat(e.getMessage()).contains("cannot prove").contains("is not an ELF file");
            });
  }
}
