package dev.ftguard.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Lengths of instructions Capstone 4 cannot decode, from objdump's listing of Debian's modules. */
class LengthDecoderTest {
  static LengthDecoder.Measured measure(String hex) {
    return LengthDecoder.measure(HexFormat.ofDelimiter(" ").parseHex(hex), 0);
  }

  static void length(String hex, int length, LengthDecoder.Kind kind) {
    // followed by other bytes: only the instruction's own are counted
    LengthDecoder.Measured m = measure(hex + " 90 90 90");
    assertThat(m).as(hex).isNotNull();
    assertThat(m.length()).as(hex).isEqualTo(length);
    assertThat(m.kind()).as(hex).isEqualTo(kind);
  }

  @Test
  void vexAndEvex() {
    // vbroadcasti128 0x0,%ymm12 (absolute address through SIB)
    length("c4 62 7d 5a 24 25 00 00 00 00", 10, LengthDecoder.Kind.VEX);
    // vbroadcasti128 (%rdi),%ymm0
    length("c4 e2 7d 5a 07", 5, LengthDecoder.Kind.VEX);
    // vpermd %zmm11,%zmm25,%zmm16{%k1}
    length("62 c2 35 41 36 c3", 6, LengthDecoder.Kind.EVEX);
    // vpternlogd $0x96,%zmm2,%zmm1,%zmm0: map 0F3A has an immediate
    length("62 f3 75 48 25 c2 96", 7, LengthDecoder.Kind.EVEX);
    // vmovdqa64 0x40(%rsi),%zmm1: disp8
    length("62 f1 fd 48 6f 4e 01", 7, LengthDecoder.Kind.EVEX);
    // vzeroupper: no ModRM
    length("c5 f8 77", 3, LengthDecoder.Kind.VEX);
    // vpshufd $0x1b,%xmm1,%xmm2: map 0F opcode 70 has an immediate
    length("c5 f9 70 d1 1b", 5, LengthDecoder.Kind.VEX);
    // vmovdqu 0x12345678(%rip),%ymm0
    length("c5 fe 6f 05 78 56 34 12", 8, LengthDecoder.Kind.VEX);
  }

  @Test
  void legacyMapsAndSystemInstructions() {
    // movdir64b (%rax),%rdx ; enqcmds (%rsi),%rdi
    length("66 0f 38 f8 10", 5, LengthDecoder.Kind.MAP_0F38);
    length("f3 0f 38 f8 3e", 5, LengthDecoder.Kind.MAP_0F38);
    // pinsrd $1,%eax,%xmm0 (0F 3A with an immediate), REX.W form
    length("66 48 0f 3a 22 c0 01", 7, LengthDecoder.Kind.MAP_0F3A);
    // rdpkru, wrpkru
    length("0f 01 ee", 3, LengthDecoder.Kind.SYSTEM_0F01);
    length("0f 01 ef", 3, LengthDecoder.Kind.SYSTEM_0F01);
  }

  @Test
  void anythingElseStaysUndecoded() {
    assertThat(measure("06")).as("push %es: invalid in 64-bit mode").isNull();
    assertThat(measure("e8 00 00 00 00")).as("call").isNull();
    assertThat(measure("ff e0")).as("jmp *%rax").isNull();
    assertThat(measure("0f 01 c2")).as("vmlaunch transfers control").isNull();
    assertThat(measure("0f 01 d7")).as("enclu transfers control").isNull();
    assertThat(measure("c4 e2 7d")).as("cut short").isNull();
    assertThat(measure("62 f1 f9 48 6f c1")).as("EVEX with the fixed bit clear").isNull();
    assertThat(measure("c4 e7 7d 5a 07")).as("VEX map 7").isNull();
    assertThat(measure("66 c5 f8 77")).as("VEX after a 66 prefix").isNull();
  }
}
