package dev.ftguard.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ftguard.verify.Finding.Reason;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of the analysis on small objects built at test time from the sources in
 * src/test/resources/fixtures: C compiled with the kernel's code generation (retpolines, return
 * thunks), assembly for the exact instruction forms. Each lists its wrappers in {@code
 * .ftg_wrappers} as FTG_DEFINE_WRAPPER does.
 */
class VerifierFixtureTest {
  @TempDir Path tmp;

  static final List<String> NO_SIBLING_CALLS = List.of("-fno-optimize-sibling-calls");
  static final List<String> SIBLING_CALLS = List.of("-foptimize-sibling-calls");

  Report verify(String fixture, List<String> flags) throws VerifyException {
    return Verifier.verify(Tools.compile(fixture, tmp, flags));
  }

  Report verify(String fixture) throws VerifyException {
    return verify(fixture, List.of());
  }

  @Test
  void wrappersThatCallTheOriginalAreClean() throws Exception {
    Report r = verify("call.c", NO_SIBLING_CALLS);
    assertThat(r.clean()).as("findings: %s", r.findings()).isTrue();
    assertThat(r.wrappers())
        .extracting(Report.Wrapper::name, Report.Wrapper::original)
        .containsExactlyInAnyOrder(
            tuple("wrap_work", "real_work"), tuple("wrap_plain", "real_plain"));
    assertThat(
            r.wrappers().stream()
                .filter(w -> w.name().equals("wrap_work"))
                .findFirst()
                .orElseThrow()
                .parts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.symbol()).isEqualTo("wrap_work");
              assertThat(p.section()).isEqualTo(".text");
              assertThat(p.size()).isPositive();
            });
    assertThat(r.wrappers()).allSatisfy(w -> assertThat(w.instructions()).isPositive());
  }

  @Test
  void theCompilersTailCallThroughARetpolineIsFound() throws Exception {
    Report r = verify("call.c", SIBLING_CALLS);
    assertThat(r.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.wrapper()).isEqualTo("wrap_plain");
              assertThat(f.function()).isEqualTo("wrap_plain");
              assertThat(f.section()).isEqualTo(".text");
              assertThat(f.reason()).isEqualTo(Reason.RETPOLINE_TAIL_CALL);
              assertThat(f.instruction()).isEqualTo("jmp __x86_indirect_thunk_rax");
              assertThat(f.target()).isEqualTo("__x86_indirect_thunk_rax");
              assertThat(f.detail()).isEqualTo("through the pointer in %rax");
              assertThat(f.sectionOffset()).isGreaterThanOrEqualTo(f.functionOffset());
              assertThat(f.describe())
                  .startsWith("wrap_plain+0x" + Long.toHexString(f.functionOffset()) + " (.text+0x")
                  .contains("tail call through a pointer");
            });
  }

  @Test
  void withoutRetpolinesTheTailCallJumpsThroughThePointerToTheOriginal() throws Exception {
    Report r =
        verify(
            "call.c",
            List.of(
                "-foptimize-sibling-calls",
                "-mindirect-branch=keep",
                "-mno-indirect-branch-register",
                "-mfunction-return=keep"));
    assertThat(r.findings())
        .extracting(Finding::wrapper, Finding::reason, Finding::instruction, Finding::detail)
        .containsExactly(
            tuple(
                "wrap_plain",
                Reason.INDIRECT_JUMP_MEMORY,
                "jmp *real_plain(%rip)",
                "the original, through real_plain"));
  }

  @Test
  void aRetpolineTailCallInAssembly() throws Exception {
    Report r = verify("retpoline_tail.S");
    assertThat(r.findings())
        .extracting(
            Finding::function, Finding::functionOffset, Finding::sectionOffset, Finding::reason)
        .containsExactly(tuple("wrap_tail", 12L, 12L, Reason.RETPOLINE_TAIL_CALL));
  }

  @Test
  void returnsInEveryFormAreClean() throws Exception {
    Report r = verify("return_thunk.S");
    assertThat(r.findings()).isEmpty();
    assertThat(r.wrappers())
        .extracting(Report.Wrapper::name)
        .containsExactly("wrap_ret", "wrap_thunk");
  }

  @Test
  void aJumpThroughARegister() throws Exception {
    Report r = verify("jmp_register.S");
    assertThat(r.findings())
        .extracting(Finding::reason, Finding::instruction, Finding::target, Finding::detail)
        .containsExactly(
            tuple(
                Reason.INDIRECT_JUMP_REGISTER,
                "jmp *%rax",
                "*%rax",
                "through the pointer in %rax"));
  }

  @Test
  void aJumpThroughThePointerInMemory() throws Exception {
    Report r = verify("jmp_memory.S");
    assertThat(r.findings())
        .extracting(Finding::reason, Finding::instruction, Finding::detail)
        .containsExactly(
            tuple(
                Reason.INDIRECT_JUMP_MEMORY,
                "jmp *real_mem(%rip)",
                "the original, through real_mem"));
  }

  @Test
  void directJumpsToTheOriginalAndToOtherFunctions() throws Exception {
    Report r = verify("jmp_direct.S");
    assertThat(r.findings())
        .extracting(Finding::wrapper, Finding::reason, Finding::instruction, Finding::target)
        .containsExactly(
            tuple(
                "wrap_extern",
                Reason.TAIL_CALL_TO_ORIGINAL,
                "jmp __x64_sys_execve",
                "__x64_sys_execve"),
            tuple("wrap_local", Reason.TAIL_CALL_TO_ORIGINAL, "jmp orig_local", "orig_local"),
            tuple("wrap_other", Reason.CONDITIONAL_TAIL_CALL, "je helper", "helper"),
            tuple("wrap_other", Reason.TAIL_CALL, "jmp other_global", "other_global"));
    assertThat(r.findings().getFirst().detail()).isEqualTo("the function real_extern points to");
  }

  @Test
  void aConditionalJumpToARetpolineThunk() throws Exception {
    Report r = verify("jcc_thunk.S");
    assertThat(r.findings())
        .extracting(Finding::reason, Finding::instruction, Finding::detail)
        .containsExactly(
            tuple(
                Reason.CONDITIONAL_RETPOLINE_TAIL_CALL,
                "jne __x86_indirect_thunk_r11",
                "through the pointer in %r11"));
  }

  @Test
  void aWrapperSplitIntoAColdPartIsCheckedWhole() throws Exception {
    Report r = verify("cold_clean.S");
    assertThat(r.findings()).as("other.cold is not the wrapper's").isEmpty();
    assertThat(r.wrappers().getFirst().parts())
        .extracting(Report.Part::symbol, Report.Part::section)
        .containsExactly(tuple("wrap_split", ".text"), tuple("wrap_split.cold", ".text.unlikely"));
  }

  @Test
  void aTailCallInTheColdPart() throws Exception {
    Report r = verify("cold_tail.S");
    assertThat(r.findings())
        .extracting(
            Finding::wrapper,
            Finding::function,
            Finding::section,
            Finding::functionOffset,
            Finding::sectionOffset,
            Finding::reason)
        .containsExactly(
            tuple(
                "wrap_cold",
                "wrap_cold.cold",
                ".text.unlikely",
                12L,
                13L,
                Reason.RETPOLINE_TAIL_CALL));
  }

  @Test
  void theCompilersColdPartCleanAndWithATailCall() throws Exception {
    Report clean = verify("cold.c", NO_SIBLING_CALLS);
    assertThat(clean.findings()).isEmpty();
    assertThat(clean.wrappers().getFirst().parts())
        .extracting(Report.Part::symbol)
        .containsExactly("wrap_open", "wrap_open.cold");

    Report tail = verify("cold.c", SIBLING_CALLS);
    assertThat(tail.findings())
        .extracting(Finding::function, Finding::reason, Finding::instruction)
        .containsExactlyInAnyOrder(
            tuple("wrap_open", Reason.TAIL_CALL, "jmp account"),
            tuple("wrap_open.cold", Reason.RETPOLINE_TAIL_CALL, "jmp __x86_indirect_thunk_rax"));
  }

  @Test
  void jumpsInsideTheWrapperAreClean() throws Exception {
    Report r = verify("intra.S");
    assertThat(r.findings()).isEmpty();
    assertThat(r.wrappers().getFirst().instructions()).isGreaterThan(200);
  }

  @Test
  void bytesTheDecoderCannotReadAreAFinding() throws Exception {
    Report r = verify("undecodable.S");
    assertThat(r.findings())
        .extracting(Finding::functionOffset, Finding::reason)
        .containsExactly(tuple(5L, Reason.UNDECODABLE));
    assertThat(r.findings().getFirst().detail()).endsWith("bytes not decoded");
  }
}
