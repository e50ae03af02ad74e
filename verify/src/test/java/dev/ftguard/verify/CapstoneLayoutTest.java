package dev.ftguard.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ftguard.testing.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves every number {@link Capstone} reads Capstone's structures with: for each major it
 * supports, a C program compiled against that major's own {@code capstone.h} (unpacked by
 * scripts/setup from Debian's libcapstone-dev 4.0.x and 5.0.x into .cache/capstone/4 and
 * .cache/capstone/5) prints the sizes, offsets and enum values, which must equal the Java side.
 */
class CapstoneLayoutTest {
  @TempDir Path tmp;

  /** The system property the Capstone 5 run of the surefire plugin sets: the major it expects. */
  static final String EXPECT_PROPERTY = "ftguard.capstone.expect";

  /** One C expression and the value Java uses for it. */
  record Probe(String expression, long java) {}

  static List<Probe> probes(Capstone.Layout l) {
    List<Probe> p = new ArrayList<>();
    // what differs between the majors
    p.add(new Probe("CS_API_MAJOR", l.major()));
    p.add(new Probe("X86_INS_JMP", l.insJmp()));
    p.add(new Probe("X86_INS_LJMP", l.insLjmp()));
    p.add(new Probe("sizeof(cs_insn)", l.insnSize()));
    p.add(new Probe("offsetof(cs_insn, mnemonic)", l.insnMnemonic()));
    p.add(new Probe("offsetof(cs_insn, op_str)", l.insnOpStr()));
    p.add(new Probe("offsetof(cs_insn, detail)", l.insnDetail()));
    p.add(new Probe("sizeof(cs_detail)", l.detailSize()));
    p.add(new Probe("offsetof(cs_detail, groups)", l.detailGroups()));
    p.add(new Probe("offsetof(cs_detail, groups_count)", l.detailGroupsCount()));
    p.add(new Probe("offsetof(cs_detail, x86)", l.detailX86()));
    // what both share
    p.add(new Probe("CS_ARCH_X86", Capstone.CS_ARCH_X86));
    p.add(new Probe("CS_MODE_64", Capstone.CS_MODE_64));
    p.add(new Probe("CS_OPT_SYNTAX", Capstone.CS_OPT_SYNTAX));
    p.add(new Probe("CS_OPT_DETAIL", Capstone.CS_OPT_DETAIL));
    p.add(new Probe("CS_OPT_ON", Capstone.CS_OPT_ON));
    p.add(new Probe("CS_OPT_SYNTAX_ATT", Capstone.CS_OPT_SYNTAX_ATT));
    p.add(new Probe("CS_GRP_JUMP", Capstone.CS_GRP_JUMP));
    p.add(new Probe("CS_GRP_CALL", Capstone.CS_GRP_CALL));
    p.add(new Probe("CS_GRP_RET", Capstone.CS_GRP_RET));
    p.add(new Probe("CS_GRP_IRET", Capstone.CS_GRP_IRET));
    p.add(new Probe("X86_OP_REG", Capstone.X86_OP_REG));
    p.add(new Probe("X86_OP_IMM", Capstone.X86_OP_IMM));
    p.add(new Probe("X86_OP_MEM", Capstone.X86_OP_MEM));
    p.add(new Probe("X86_REG_INVALID", 0)); // regName's "no register"
    p.add(new Probe("offsetof(cs_insn, id)", Capstone.INSN_ID));
    p.add(new Probe("sizeof(((cs_insn *)0)->id)", 4)); // JAVA_INT
    p.add(new Probe("offsetof(cs_insn, address)", Capstone.INSN_ADDRESS));
    p.add(new Probe("sizeof(((cs_insn *)0)->address)", 8)); // JAVA_LONG
    p.add(new Probe("offsetof(cs_insn, size)", Capstone.INSN_LENGTH));
    p.add(new Probe("sizeof(((cs_insn *)0)->size)", 2)); // JAVA_SHORT
    p.add(new Probe("sizeof(((cs_detail *)0)->groups[0])", 1)); // JAVA_BYTE
    p.add(new Probe("sizeof(((cs_detail *)0)->groups_count)", 1));
    p.add(new Probe("offsetof(cs_x86, op_count)", Capstone.X86_OP_COUNT));
    p.add(new Probe("sizeof(((cs_x86 *)0)->op_count)", 1));
    p.add(new Probe("offsetof(cs_x86, operands)", Capstone.X86_OPERANDS));
    p.add(
        new Probe(
            "sizeof(((cs_x86 *)0)->operands) / sizeof(cs_x86_op)", Capstone.X86_OPERANDS_COUNT));
    p.add(new Probe("offsetof(cs_x86, encoding)", Capstone.X86_ENCODING));
    p.add(new Probe("sizeof(cs_x86_op)", Capstone.OP_SIZE));
    p.add(new Probe("offsetof(cs_x86_op, type)", Capstone.OP_TYPE));
    p.add(new Probe("sizeof(((cs_x86_op *)0)->type)", 4));
    p.add(new Probe("offsetof(cs_x86_op, reg)", Capstone.OP_VALUE));
    p.add(new Probe("sizeof(((cs_x86_op *)0)->reg)", 4));
    p.add(new Probe("offsetof(cs_x86_op, imm)", Capstone.OP_VALUE));
    p.add(new Probe("sizeof(((cs_x86_op *)0)->imm)", 8));
    p.add(new Probe("offsetof(cs_x86_op, mem)", Capstone.OP_VALUE));
    p.add(new Probe("offsetof(x86_op_mem, segment)", Capstone.MEM_SEGMENT));
    p.add(new Probe("offsetof(x86_op_mem, base)", Capstone.MEM_BASE));
    p.add(new Probe("offsetof(x86_op_mem, index)", Capstone.MEM_INDEX));
    p.add(new Probe("offsetof(x86_op_mem, scale)", Capstone.MEM_SCALE));
    p.add(new Probe("offsetof(x86_op_mem, disp)", Capstone.MEM_DISP));
    for (String m : List.of("segment", "base", "index", "scale")) {
      p.add(new Probe("sizeof(((x86_op_mem *)0)->" + m + ")", 4));
    }
    p.add(new Probe("sizeof(((x86_op_mem *)0)->disp)", 8));
    p.add(new Probe("offsetof(cs_x86_encoding, disp_offset)", Capstone.ENC_DISP_OFFSET));
    p.add(new Probe("offsetof(cs_x86_encoding, disp_size)", Capstone.ENC_DISP_SIZE));
    p.add(new Probe("offsetof(cs_x86_encoding, imm_offset)", Capstone.ENC_IMM_OFFSET));
    p.add(new Probe("offsetof(cs_x86_encoding, imm_size)", Capstone.ENC_IMM_SIZE));
    for (String m : List.of("disp_offset", "disp_size", "imm_offset", "imm_size")) {
      p.add(new Probe("sizeof(((cs_x86_encoding *)0)->" + m + ")", 1));
    }
    return p;
  }

  static String program(List<Probe> probes) {
    StringBuilder sb = new StringBuilder();
    sb.append("/* generated by CapstoneLayoutTest from dev.ftguard.verify.Capstone */\n");
    sb.append("#include <stdio.h>\n#include <stddef.h>\n#include <capstone/capstone.h>\n\n");
    sb.append("int main(void)\n{\n");
    for (Probe p : probes) {
      sb.append("\tprintf(\"%lld\\n\", (long long)(").append(p.expression()).append("));\n");
    }
    sb.append("\treturn 0;\n}\n");
    return sb.toString();
  }

  /** Capstone's headers of one major, as scripts/setup unpacks them. */
  static Path headers(int major) {
    Path include = Repository.root().resolve(".cache/capstone/" + major + "/usr/include");
    if (!Files.isRegularFile(include.resolve("capstone/capstone.h"))) {
      fail(
          include
              + "/capstone/capstone.h missing: run scripts/setup (it unpacks Debian's"
              + " libcapstone-dev of Capstone "
              + major
              + " there)");
    }
    return include;
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 5})
  void theJavaNumbersAreThoseOfTheMajorsOwnHeaders(int major) throws Exception {
    Capstone.Layout layout = Capstone.Layout.of(major);
    assertThat(layout).as("layout of Capstone " + major).isNotNull();
    List<Probe> probes = probes(layout);
    Path c = tmp.resolve("probe" + major + ".c");
    Files.writeString(c, program(probes));
    Path exe = tmp.resolve("probe" + major);
    Tools.ok(
        tmp,
        List.of(
            "gcc",
            "-Wall",
            "-Werror",
            "-I",
            headers(major).toString(),
            "-o",
            exe.toString(),
            c.toString()),
        Tools.GCC,
        60);
    List<String> lines = Tools.ok(tmp, List.of(exe.toString()), Tools.GCC, 30).lines().toList();
    assertThat(lines).hasSize(probes.size());
    Map<String, Long> c2 = new LinkedHashMap<>();
    Map<String, Long> java = new LinkedHashMap<>();
    for (int i = 0; i < probes.size(); i++) {
      c2.put(probes.get(i).expression(), Long.parseLong(lines.get(i).strip()));
      java.put(probes.get(i).expression(), probes.get(i).java());
    }
    assertThat(java).as("Capstone " + major + ": Java vs capstone.h").isEqualTo(c2);
  }

  @Test
  void everyLayoutIsProbed() {
    assertThat(Capstone.Layout.ALL).extracting(Capstone.Layout::major).containsExactly(4, 5);
  }

  /**
   * The library this JVM decodes with reports the major its layout is for; in the run that loads
   * .cache/capstone/5's libcapstone.so.5 (surefire execution capstone5), that major is 5.
   */
  @Test
  void theLoadedLibraryIsTheExpectedMajor() throws Exception {
    Capstone.Layout layout = Capstone.layout();
    String expect = System.getProperty(EXPECT_PROPERTY);
    int major = expect == null || expect.isEmpty() ? 4 : Integer.parseInt(expect);
    assertThat(layout.major()).as("major of " + Capstone.library()).isEqualTo(major);
    try (Capstone cs = Capstone.open()) {
      // jmp rel32; ljmpl *(%rax); ljmpq *(%rax); jmp *%rax; ret
      byte[] code = {
        (byte) 0xe9,
        1,
        0,
        0,
        0,
        (byte) 0xff,
        0x28,
        0x48,
        (byte) 0xff,
        0x28,
        (byte) 0xff,
        (byte) 0xe0,
        (byte) 0xc3
      };
      List<Instruction> insns = cs.disassemble(code, 0x1000);
      assertThat(insns)
          .extracting(Instruction::address)
          .containsExactly(0x1000L, 0x1005L, 0x1007L, 0x100aL, 0x100cL);
      assertThat(insns)
          .extracting(Instruction::jmp)
          .containsExactly(
              Instruction.Jmp.JMP,
              Instruction.Jmp.LJMP,
              Instruction.Jmp.LJMP,
              Instruction.Jmp.JMP,
              Instruction.Jmp.NONE);
      assertThat(insns)
          .extracting(Instruction::isJump)
          .containsExactly(true, true, true, true, false);
      assertThat(insns.get(4).isReturn()).isTrue();
      assertThat(insns.get(4).name()).isEqualTo("ret");
      assertThat(insns.get(0).name()).isEqualTo("jmp");
      assertThat(insns.get(0).operands()).containsExactly(new Operand.Immediate(0x1006));
      assertThat(insns.get(0).encoding()).isEqualTo(new Instruction.Encoding(0, 0, 1, 4));
      assertThat(insns.get(1).operandText()).isEqualTo("*(%rax)");
      assertThat(insns.get(2).operands()).containsExactly(new Operand.Memory("", "rax", "", 1, 0));
      assertThat(insns.get(3).operands()).containsExactly(new Operand.Register("rax"));
    }
  }
}
