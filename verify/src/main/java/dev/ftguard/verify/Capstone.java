package dev.ftguard.verify;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FFM binding to Capstone 4 ({@code libcapstone.so.4}, Debian's libcapstone4 4.0.2): decodes x86-64
 * code with instruction details, in AT&T syntax. No JNI.
 *
 * <p>Layouts are those of capstone 4's {@code capstone.h} and {@code x86.h} for x86-64 (LP64):
 * {@code cs_insn} is 240 bytes with {@code detail} at 232; {@code cs_detail} holds the groups at 67
 * (count at 75) and {@code cs_x86} at 80; in {@code cs_x86}, {@code op_count} is at 64, the eight
 * 48-byte {@code cs_x86_op}s at 72 and {@code cs_x86_encoding} at 456.
 *
 * <p>One instance owns one Capstone handle and is not thread-safe.
 */
@SuppressWarnings("restricted")
public final class Capstone implements AutoCloseable {
  /** The shared library, as Debian's libcapstone4 installs it. */
  public static final String LIBRARY = "libcapstone.so.4";

  // enum cs_arch, cs_mode, cs_opt_type, cs_opt_value
  private static final int CS_ARCH_X86 = 3;
  private static final int CS_MODE_64 = 1 << 3;
  private static final int CS_OPT_SYNTAX = 1;
  private static final int CS_OPT_DETAIL = 2;
  private static final long CS_OPT_ON = 3;
  private static final long CS_OPT_SYNTAX_ATT = 2;

  // enum cs_group_type
  static final int CS_GRP_JUMP = 1;
  static final int CS_GRP_CALL = 2;
  static final int CS_GRP_RET = 3;
  static final int CS_GRP_IRET = 5;

  // enum x86_insn: the instructions told apart inside the groups above
  static final int X86_INS_JMP = 264;
  static final int X86_INS_LJMP = 155;

  // enum x86_op_type
  private static final int X86_OP_REG = 1;
  private static final int X86_OP_IMM = 2;
  private static final int X86_OP_MEM = 3;

  // struct cs_insn
  private static final long INSN_SIZE = 240;
  private static final long INSN_ID = 0;
  private static final long INSN_ADDRESS = 8;
  private static final long INSN_LENGTH = 16;
  private static final long INSN_MNEMONIC = 34;
  private static final long INSN_OP_STR = 66;
  private static final long INSN_DETAIL = 232;
  // struct cs_detail
  private static final long DETAIL_SIZE = 1848;
  private static final long DETAIL_GROUPS = 67;
  private static final long DETAIL_GROUPS_COUNT = 75;
  private static final long DETAIL_X86 = 80;
  // struct cs_x86 (offsets from DETAIL_X86)
  private static final long X86_OP_COUNT = 64;
  private static final long X86_OPERANDS = 72;
  private static final long X86_ENCODING = 456;
  // struct cs_x86_op
  private static final long OP_SIZE = 48;
  private static final long OP_TYPE = 0;
  private static final long OP_VALUE = 8;
  // struct x86_op_mem, at OP_VALUE
  private static final long MEM_SEGMENT = 0;
  private static final long MEM_BASE = 4;
  private static final long MEM_INDEX = 8;
  private static final long MEM_SCALE = 12;
  private static final long MEM_DISP = 16;
  // struct cs_x86_encoding
  private static final long ENC_DISP_OFFSET = 1;
  private static final long ENC_DISP_SIZE = 2;
  private static final long ENC_IMM_OFFSET = 3;
  private static final long ENC_IMM_SIZE = 4;

  private static final Linker LINKER = Linker.nativeLinker();

  /** The downcalls, resolved once; {@code null} fields never escape (see {@link #open()}). */
  private record Lib(
      MethodHandle open,
      MethodHandle option,
      MethodHandle disasm,
      MethodHandle free,
      MethodHandle close,
      MethodHandle strerror,
      MethodHandle regName,
      MethodHandle insnName) {}

  private static Lib lib;
  private static String loadError;

  private static synchronized Lib lib() throws VerifyException {
    if (lib == null && loadError == null) {
      try {
        SymbolLookup l = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        lib =
            new Lib(
                fn(l, "cs_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS)),
                fn(l, "cs_option", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG)),
                fn(
                    l,
                    "cs_disasm",
                    FunctionDescriptor.of(
                        JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS)),
                fn(l, "cs_free", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG)),
                fn(l, "cs_close", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                fn(l, "cs_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT)),
                fn(l, "cs_reg_name", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_INT)),
                fn(l, "cs_insn_name", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_INT)));
      } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
        loadError = e.getMessage();
      }
    }
    if (lib == null) {
      throw new VerifyException(
          VerifyException.Kind.DECODER_MISSING,
          "cannot load the x86-64 decoder "
              + LIBRARY
              + " ("
              + loadError
              + "): install Capstone 4 (Debian/Ubuntu: apt-get install libcapstone4)");
    }
    return lib;
  }

  private static MethodHandle fn(SymbolLookup l, String name, FunctionDescriptor fd) {
    MemorySegment addr =
        l.find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError(LIBRARY + " has no symbol " + name));
    return LINKER.downcallHandle(addr, fd);
  }

  private final Lib cs;
  private final long handle;
  private final Map<Integer, String> regNames = new HashMap<>();
  private final Map<Integer, String> insnNames = new HashMap<>();
  private boolean closed;

  private Capstone(Lib cs, long handle) {
    this.cs = cs;
    this.handle = handle;
  }

  /**
   * Opens a decoder for x86-64 with details on and AT&T syntax (as objdump prints it).
   *
   * @throws VerifyException when libcapstone.so.4 is missing or refuses to open
   */
  public static Capstone open() throws VerifyException {
    Lib cs = lib();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment h = arena.allocate(JAVA_LONG);
      int err = (int) cs.open().invokeExact(CS_ARCH_X86, CS_MODE_64, h);
      if (err != 0) {
        throw new VerifyException(
            VerifyException.Kind.DECODER_MISSING,
            "cs_open(CS_ARCH_X86, CS_MODE_64) failed: " + strerror(cs, err));
      }
      long handle = h.get(JAVA_LONG, 0);
      Capstone c = new Capstone(cs, handle);
      c.option(CS_OPT_DETAIL, CS_OPT_ON);
      c.option(CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
      return c;
    } catch (VerifyException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private void option(int type, long value) throws VerifyException {
    int err;
    try {
      err = (int) cs.option().invokeExact(handle, type, value);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (err != 0) {
      close();
      throw new VerifyException(
          VerifyException.Kind.DECODER_MISSING,
          "cs_option(" + type + ", " + value + ") failed: " + strerror(cs, err));
    }
  }

  /**
   * Decodes {@code code}, the first byte at {@code address}. Instructions Capstone 4 does not know
   * but whose length {@link LengthDecoder} can measure (VEX, EVEX, {@code 0F 38}, {@code 0F 3A},
   * some {@code 0F 01}: none transfers control) are listed as {@code .byte} with no groups, and
   * decoding goes on after them. Decoding stops at the end or at the first bytes neither can read:
   * compare the end of the last instruction with the length to tell.
   */
  public List<Instruction> disassemble(byte[] code, long address) {
    if (closed) {
      throw new IllegalStateException("decoder closed");
    }
    List<Instruction> out = new ArrayList<>();
    if (code.length == 0) {
      return out;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(code.length);
      MemorySegment.copy(code, 0, buf, JAVA_BYTE, 0, code.length);
      MemorySegment insnPtr = arena.allocate(ADDRESS);
      int at = 0;
      while (at < code.length) {
        long n =
            (long)
                cs.disasm()
                    .invokeExact(
                        handle,
                        buf.asSlice(at),
                        (long) (code.length - at),
                        address + at,
                        0L,
                        insnPtr);
        if (n > 0) {
          MemorySegment insns = insnPtr.get(ADDRESS, 0).reinterpret(n * INSN_SIZE);
          try {
            for (long i = 0; i < n; i++) {
              out.add(read(insns.asSlice(i * INSN_SIZE, INSN_SIZE)));
            }
          } finally {
            cs.free().invokeExact(insns, n);
          }
          at = (int) (out.getLast().end() - address);
        }
        if (at >= code.length) {
          break;
        }
        LengthDecoder.Measured m = LengthDecoder.measure(code, at);
        if (m == null) {
          break;
        }
        out.add(measured(code, at, address + at, m));
        at += m.length();
      }
      return out;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private static Instruction measured(byte[] code, int at, long address, LengthDecoder.Measured m) {
    StringBuilder bytes = new StringBuilder();
    for (int i = 0; i < m.length(); i++) {
      bytes.append(i == 0 ? "" : ",").append(String.format("0x%02x", code[at + i]));
    }
    return new Instruction(
        address,
        m.length(),
        0,
        "(" + m.kind().name().toLowerCase(java.util.Locale.ROOT) + ")",
        ".byte",
        bytes.toString(),
        0,
        List.of(),
        Instruction.Encoding.NONE);
  }

  private Instruction read(MemorySegment insn) throws Throwable {
    int id = insn.get(JAVA_INT, INSN_ID);
    long address = insn.get(JAVA_LONG, INSN_ADDRESS);
    int size = Short.toUnsignedInt(insn.get(JAVA_SHORT, INSN_LENGTH));
    String mnemonic = insn.getString(INSN_MNEMONIC);
    String opStr = insn.getString(INSN_OP_STR);
    MemorySegment detail = insn.get(ADDRESS, INSN_DETAIL).reinterpret(DETAIL_SIZE);
    int groupCount = Byte.toUnsignedInt(detail.get(JAVA_BYTE, DETAIL_GROUPS_COUNT));
    int groups = 0;
    for (int g = 0; g < groupCount; g++) {
      int group = Byte.toUnsignedInt(detail.get(JAVA_BYTE, DETAIL_GROUPS + g));
      if (group < 32) {
        groups |= 1 << group;
      }
    }
    List<Operand> operands = List.of();
    Instruction.Encoding encoding = Instruction.Encoding.NONE;
    int transfer = 1 << CS_GRP_JUMP | 1 << CS_GRP_CALL | 1 << CS_GRP_RET | 1 << CS_GRP_IRET;
    if ((groups & transfer) != 0) {
      MemorySegment x86 = detail.asSlice(DETAIL_X86);
      int count = Byte.toUnsignedInt(x86.get(JAVA_BYTE, X86_OP_COUNT));
      List<Operand> ops = new ArrayList<>(count);
      for (int o = 0; o < count && o < 8; o++) {
        MemorySegment op = x86.asSlice(X86_OPERANDS + o * OP_SIZE, OP_SIZE);
        int type = op.get(JAVA_INT, OP_TYPE);
        switch (type) {
          case X86_OP_REG -> ops.add(new Operand.Register(regName(op.get(JAVA_INT, OP_VALUE))));
          case X86_OP_IMM -> ops.add(new Operand.Immediate(op.get(JAVA_LONG, OP_VALUE)));
          case X86_OP_MEM ->
              ops.add(
                  new Operand.Memory(
                      regName(op.get(JAVA_INT, OP_VALUE + MEM_SEGMENT)),
                      regName(op.get(JAVA_INT, OP_VALUE + MEM_BASE)),
                      regName(op.get(JAVA_INT, OP_VALUE + MEM_INDEX)),
                      op.get(JAVA_INT, OP_VALUE + MEM_SCALE),
                      op.get(JAVA_LONG, OP_VALUE + MEM_DISP)));
          default -> {
            // X86_OP_INVALID: nothing to record
          }
        }
      }
      operands = List.copyOf(ops);
      MemorySegment enc = x86.asSlice(X86_ENCODING);
      encoding =
          new Instruction.Encoding(
              Byte.toUnsignedInt(enc.get(JAVA_BYTE, ENC_DISP_OFFSET)),
              Byte.toUnsignedInt(enc.get(JAVA_BYTE, ENC_DISP_SIZE)),
              Byte.toUnsignedInt(enc.get(JAVA_BYTE, ENC_IMM_OFFSET)),
              Byte.toUnsignedInt(enc.get(JAVA_BYTE, ENC_IMM_SIZE)));
    }
    return new Instruction(
        address, size, id, insnName(id), mnemonic, opStr, groups, operands, encoding);
  }

  /** Capstone's name of a register, or "" for X86_REG_INVALID. */
  private String regName(int reg) throws Throwable {
    if (reg == 0) {
      return "";
    }
    String name = regNames.get(reg);
    if (name == null) {
      MemorySegment p = (MemorySegment) cs.regName().invokeExact(handle, reg);
      name = p.equals(MemorySegment.NULL) ? "reg" + reg : p.reinterpret(64).getString(0);
      regNames.put(reg, name);
    }
    return name;
  }

  /** Capstone's canonical name of an instruction id: "jmp", "jae", "call", "ret". */
  private String insnName(int id) throws Throwable {
    String name = insnNames.get(id);
    if (name == null) {
      MemorySegment p = (MemorySegment) cs.insnName().invokeExact(handle, id);
      name = p.equals(MemorySegment.NULL) ? "insn" + id : p.reinterpret(64).getString(0);
      insnNames.put(id, name);
    }
    return name;
  }

  private static String strerror(Lib cs, int err) {
    try {
      MemorySegment p = (MemorySegment) cs.strerror().invokeExact(err);
      return p.reinterpret(256).getString(0) + " (cs_err " + err + ")";
    } catch (Throwable t) {
      return "cs_err " + err;
    }
  }

  private static RuntimeException unexpected(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("capstone downcall failed", t);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment h = arena.allocate(JAVA_LONG);
      h.set(JAVA_LONG, 0, handle);
      int ignored = (int) cs.close().invokeExact(h);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }
}
