package dev.ftguard.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ftguard.testing.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real module, built from a copy of kmod/ against Debian's kernel headers (a retpoline and
 * return-thunk build): clean as it is; rejected once one wrapper's body is the bare call to the
 * original and sibling calls are allowed for exec.c.
 */
class RealModuleTest {
  @TempDir Path tmp;

  /** The execve wrapper for pt_regs system calls (every definition of it, whatever #if). */
  static final Pattern EXECVE_WRAPPER =
      Pattern.compile(
          "(static asmlinkage long ftg_execve\\(const struct pt_regs \\*regs\\)\\n\\{\\n).*?\\n\\}\\n",
          Pattern.DOTALL);

  @Test
  void theModuleIsClean() throws Exception {
    Path ko = Tools.buildModule(copy("clean"), Tools.kernelHeaders());
    Report r = Verifier.verify(ko);
    assertThat(r.findings()).as("findings in the module as built").isEmpty();
    assertThat(r.wrappers())
        .extracting(Report.Wrapper::name)
        .contains("ftg_execve", "ftg_execveat", "ftg_bprm_check");
    assertThat(r.wrappers())
        .filteredOn(w -> w.name().equals("ftg_execve"))
        .singleElement()
        .satisfies(w -> assertThat(w.original()).isEqualTo("ftg_real_execve"));
  }

  @Test
  void aWrapperCompiledAsATailCallIsRejected() throws Exception {
    Path kmod = copy("tail");
    Path exec = kmod.resolve("exec.c");
    String src = Files.readString(exec);
    Matcher m = EXECVE_WRAPPER.matcher(src);
    if (!m.find()) {
      fail("no `static asmlinkage long ftg_execve(const struct pt_regs *regs)` body in " + exec);
    }
    Files.writeString(exec, m.replaceAll("$1\treturn ftg_real_execve(regs);\n}\n"));
    // the last -f flag wins: sibling calls allowed in exec.c
    Files.writeString(
        kmod.resolve("Kbuild"),
        Files.readString(kmod.resolve("Kbuild")) + "CFLAGS_exec.o += -foptimize-sibling-calls\n");
    Path ko = Tools.buildModule(kmod, Tools.kernelHeaders());
    Report r = Verifier.verify(ko);
    assertThat(r.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.wrapper()).isEqualTo("ftg_execve");
              assertThat(f.function()).isEqualTo("ftg_execve");
              assertThat(f.reason()).isEqualTo(Finding.Reason.RETPOLINE_TAIL_CALL);
              assertThat(f.instruction()).isEqualTo("jmp __x86_indirect_thunk_rax");
            });
    assertThat(r.wrappers()).hasSizeGreaterThanOrEqualTo(3);
  }

  private Path copy(String name) throws Exception {
    Path dir = tmp.resolve(name);
    Tools.copySources(Repository.root().resolve("kmod"), dir);
    return dir;
  }
}
