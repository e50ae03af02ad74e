package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ftguard.agent.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code ftguard verify} on objects assembled at test time. */
class VerifyCommandTest extends CommandLineTest {
  static final String CLEAN =
      """
      	.text
      	.type	wrap_ok, @function
      wrap_ok:
      	movq	real_ok(%rip), %rax
      	call	__x86_indirect_thunk_rax
      	jmp	__x86_return_thunk
      	.size	wrap_ok, . - wrap_ok
      	.bss
      	.balign	8
      	.type	real_ok, @object
      	.size	real_ok, 8
      real_ok:
      	.zero	8
      	.section .ftg_wrappers, "a"
      	.balign	8
      	.quad	wrap_ok
      	.quad	real_ok
      """;

  /** CLEAN plus a second wrapper that tail-calls its original (as appends to each section). */
  static final String TAIL =
      CLEAN
          + """
          	.text
          	.type	wrap_tail, @function
          wrap_tail:
          	call	wrapper_enter
          	movq	real_tail(%rip), %rax
          	jmp	__x86_indirect_thunk_rax
          	.size	wrap_tail, . - wrap_tail
          	.bss
          	.balign	8
          	.type	real_tail, @object
          	.size	real_tail, 8
          real_tail:
          	.zero	8
          	.section .ftg_wrappers, "a"
          	.balign	8
          	.quad	wrap_tail
          	.quad	real_tail
          """;

  Path assemble(String name, String source) throws Exception {
    Path s = Files.writeString(tmp.resolve(name + ".s"), source);
    Path o = tmp.resolve(name + ".ko");
    Process p;
    try {
      p =
          new ProcessBuilder("as", "--64", "-o", o.toString(), s.toString())
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException e) {
      return fail("cannot run as (install binutils: apt-get install binutils): " + e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("as: %s", out).isZero();
    return o;
  }

  String out() {
    return outText.toString();
  }

  String err() {
    return errText.toString();
  }

  @Test
  void aCleanModule() throws Exception {
    Path ko = assemble("clean", CLEAN);
    assertThat(run("verify", ko.toString())).isZero();
    assertThat(out())
        .startsWith(
            ko + ": 1 wrapper, no tail call: each reaches its original only through calls\n")
        .containsPattern("  WRAPPER +ORIGINAL +CODE +RESULT\n")
        .containsPattern("  wrap_ok +real_ok +\\.text\\+0x0 17 bytes +clean\n");
    assertThat(err()).isEmpty();
    assertThat(calls).isEmpty();
  }

  @Test
  void aTailCallIsExit11WithTheInstruction() throws Exception {
    Path clean = assemble("clean", CLEAN);
    Path tail = assemble("tail", TAIL);
    assertThat(run("verify", clean.toString(), tail.toString()))
        .isEqualTo(ExitCode.TAIL_CALL.code());
    assertThat(out())
        .contains(clean + ": 1 wrapper, no tail call")
        .contains(tail + ": 1 tail call in 1 of 2 wrappers\n")
        .containsPattern("  wrap_tail +real_tail +\\.text\\+0x11 \\d+ bytes +1 TAIL CALL\n")
        .contains("tail calls:\n  wrap_tail+0xc (.text+0x1d): jmp __x86_indirect_thunk_rax\n")
        .contains(
            "      tail call through a pointer (jump to a retpoline thunk); through the pointer in %rax\n");
    assertThat(err())
        .startsWith(
            "ftguard: 1 tail call in " + tail + " (wrap_tail): a tail call leaves parent_ip")
        .contains("-fno-optimize-sibling-calls");
  }

  @Test
  void jsonIsOneObjectPerModule() throws Exception {
    Path clean = assemble("clean", CLEAN);
    Path tail = assemble("tail", TAIL);
    assertThat(run("verify", "--json", clean.toString(), tail.toString())).isEqualTo(11);
    List<String> lines = out().lines().toList();
    assertThat(lines).hasSize(2);
    JsonNode a = EventJson.MAPPER.readTree(lines.get(0));
    assertThat(a.get("file").asString()).isEqualTo(clean.toString());
    assertThat(a.get("clean").asBoolean()).isTrue();
    assertThat(a.get("findings")).isEmpty();
    JsonNode w = a.get("wrappers").get(0);
    assertThat(w.get("name").asString()).isEqualTo("wrap_ok");
    assertThat(w.get("original").asString()).isEqualTo("real_ok");
    assertThat(w.get("parts").get(0).get("section").asString()).isEqualTo(".text");
    assertThat(w.get("findings").asInt()).isZero();
    JsonNode b = EventJson.MAPPER.readTree(lines.get(1));
    assertThat(b.get("clean").asBoolean()).isFalse();
    JsonNode f = b.get("findings").get(0);
    assertThat(f.get("wrapper").asString()).isEqualTo("wrap_tail");
    assertThat(f.get("function_offset").asLong()).isEqualTo(12);
    assertThat(f.get("section_offset").asLong()).isEqualTo(29);
    assertThat(f.get("instruction").asString()).isEqualTo("jmp __x86_indirect_thunk_rax");
    assertThat(f.get("target").asString()).isEqualTo("__x86_indirect_thunk_rax");
    assertThat(f.get("reason").asString()).isEqualTo("retpoline_tail_call");
  }

  @Test
  void aFileThatIsNoModuleIsBadInput() throws Exception {
    Path text = Files.writeString(tmp.resolve("notes.ko"), "not a module\n");
    assertThat(run("verify", text.toString())).isEqualTo(ExitCode.USAGE.code());
    assertThat(err())
        .isEqualTo(
            "ftguard: "
                + text
                + " is not an ELF file (no \\x7fELF magic): give the built module, e.g. ftguard.ko\n");

    errText.getBuffer().setLength(0);
    Path noList = assemble("plain", "\t.text\nf:\n\tret\n");
    assertThat(run("verify", noList.toString())).isEqualTo(ExitCode.USAGE.code());
    assertThat(err()).startsWith("ftguard: " + noList + " has no .ftg_wrappers section");

    errText.getBuffer().setLength(0);
    assertThat(run("verify", tmp.resolve("missing.ko").toString())).isEqualTo(2);
    assertThat(err()).contains("missing.ko does not exist");
  }

  @Test
  void aModuleIsRequired() {
    assertThat(run("verify")).isEqualTo(2);
    assertThat(err()).contains("Missing required parameter: 'MODULE.ko'");
  }
}
