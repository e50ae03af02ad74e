package dev.ftguard.verify;

/**
 * Measures the length of the few instructions Capstone 4 cannot decode but that appear in kernel
 * code, so that decoding can go on after them: AVX2 and AVX-512 instructions (VEX and EVEX
 * encodings, e.g. {@code vbroadcasti128}, masked {@code vpermd}), the legacy {@code 0F 38} and
 * {@code 0F 3A} opcode maps (e.g. {@code movdir64b}, {@code enqcmds}) and register forms of {@code
 * 0F 01} system instructions that do not transfer control (e.g. {@code rdpkru}).
 *
 * <p>None of these opcode maps holds a jump, call or return, so an instruction measured here is
 * never a control transfer. Everything else (and anything malformed) gives 0: the bytes stay
 * undecoded.
 */
final class LengthDecoder {
  private LengthDecoder() {}

  /** {@code 0F 01} with ModRM mod=3: the system instructions that only read or write state. */
  private static final String SYSTEM_0F01 =
      // clac stac xgetbv xsetbv xtest serialize rdpkru wrpkru rdtscp monitorx mwaitx clzero rdpru
      "ca cb d0 d1 d6 e8 ee ef f9 fa fb fc fd";

  /** What kind of instruction was measured, for the listing. */
  enum Kind {
    VEX,
    EVEX,
    MAP_0F38,
    MAP_0F3A,
    SYSTEM_0F01
  }

  /** A measured instruction: its length and kind. */
  record Measured(int length, Kind kind) {}

  /** The instruction at {@code code[at]}, or null when it is none of the kinds above. */
  static Measured measure(byte[] code, int at) {
    int p = at;
    int end = Math.min(code.length, at + 15);
    // legacy prefixes: operand/address size, rep, segment, lock
    while (p < end && isLegacyPrefix(u(code, p))) {
      p++;
    }
    if (p >= end) {
      return null;
    }
    int b = u(code, p);
    if (b == 0xc4 || b == 0xc5 || b == 0x62) {
      if (p != at && hasPrefixThatVexForbids(code, at, p)) {
        return null;
      }
      return vex(code, at, p, end);
    }
    if (b >= 0x40 && b <= 0x4f) { // REX
      p++;
    }
    if (p + 2 >= end || u(code, p) != 0x0f) {
      return null;
    }
    int map = u(code, p + 1);
    return switch (map) {
      case 0x38 -> modrm(code, at, p + 3, end, 0, Kind.MAP_0F38);
      case 0x3a -> modrm(code, at, p + 3, end, 1, Kind.MAP_0F3A);
      case 0x01 -> {
        int m = u(code, p + 2);
        yield SYSTEM_0F01.contains(String.format("%02x", m))
            ? new Measured(p + 3 - at, Kind.SYSTEM_0F01)
            : null;
      }
      default -> null;
    };
  }

  private static Measured vex(byte[] code, int at, int p, int end) {
    int first = u(code, p);
    int map;
    int opcodeAt;
    Kind kind;
    if (first == 0xc5) { // 2-byte VEX: C5 RvvvvLpp
      map = 1;
      opcodeAt = p + 2;
      kind = Kind.VEX;
    } else if (first == 0xc4) { // 3-byte VEX: C4 RXBmmmmm WvvvvLpp
      if (p + 1 >= end) {
        return null;
      }
      map = u(code, p + 1) & 0x1f;
      opcodeAt = p + 3;
      kind = Kind.VEX;
    } else { // EVEX: 62 P0 P1 P2; P0 low bits the map, P1 bit 2 always 1
      if (p + 2 >= end || (u(code, p + 2) & 0x04) == 0) {
        return null;
      }
      map = u(code, p + 1) & 0x07;
      opcodeAt = p + 4;
      kind = Kind.EVEX;
    }
    if (opcodeAt >= end || map < 1 || map > 3) {
      return null;
    }
    int opcode = u(code, opcodeAt);
    if (kind == Kind.VEX && map == 1 && opcode == 0x77) { // vzeroupper, vzeroall: no ModRM
      return new Measured(opcodeAt + 1 - at, kind);
    }
    int imm =
        switch (map) {
          case 3 -> 1;
          case 1 ->
              (opcode >= 0x70 && opcode <= 0x73) || (opcode >= 0xc2 && opcode <= 0xc6) ? 1 : 0;
          default -> 0;
        };
    return modrm(code, at, opcodeAt + 1, end, imm, kind);
  }

  /** ModRM at {@code p}, then SIB and displacement as it says, then {@code imm} bytes. */
  private static Measured modrm(byte[] code, int at, int p, int end, int imm, Kind kind) {
    if (p >= end) {
      return null;
    }
    int modrm = u(code, p++);
    int mod = modrm >> 6;
    int rm = modrm & 7;
    int disp = 0;
    if (mod != 3) {
      if (rm == 4) {
        if (p >= end) {
          return null;
        }
        int sib = u(code, p++);
        if (mod == 0 && (sib & 7) == 5) {
          disp = 4;
        }
      }
      if (mod == 0 && rm == 5) {
        disp = 4; // RIP-relative
      } else if (mod == 1) {
        disp = 1;
      } else if (mod == 2) {
        disp = 4;
      }
    }
    int length = p + disp + imm - at;
    return at + length <= end ? new Measured(length, kind) : null;
  }

  private static boolean isLegacyPrefix(int b) {
    return switch (b) {
      case 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65 -> true;
      default -> false;
    };
  }

  /** VEX and EVEX may follow segment and address-size prefixes only. */
  private static boolean hasPrefixThatVexForbids(byte[] code, int from, int to) {
    for (int i = from; i < to; i++) {
      int b = u(code, i);
      if (b == 0x66 || b == 0xf2 || b == 0xf3 || b == 0xf0) {
        return true;
      }
    }
    return false;
  }

  private static int u(byte[] code, int i) {
    return Byte.toUnsignedInt(code[i]);
  }
}
