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
 * FFM binding to Capstone 5 ({@code libcapstone.so.5}, Debian 13's libcapstone5 5.0.x) or Capstone
 * 4 ({@code libcapstone.so.4}, Debian 12's libcapstone4 4.0.2): decodes x86-64 code with
 * instruction details, in AT&amp;T syntax. No JNI.
 *
 * <p>The two majors differ in {@code cs_insn} (its {@code bytes[]} grew from 16 to 24), in {@code
 * cs_detail} (its {@code regs_read[]} grew, a {@code writeback} flag came), and in the ids of
 * {@code x86_insn}; {@link Layout} holds what differs, one constant per major ({@link Layout#V4},
 * {@link Layout#V5}), chosen by the major {@code cs_version()} reports for the library that was
 * loaded. From {@code cs_x86} (where it starts in {@code cs_detail}'s union) on, both have the same
 * layout, and the other enums used here have the same values. CapstoneLayoutTest compiles a C probe
 * against each major's own headers and compares every number here.
 *
 * <p>One instance owns one Capstone handle and is not thread-safe. About 500 lines: the binding
 * keeps both majors' layouts (proven by CapstoneLayoutTest) beside the one decoder that reads them.
 */
@SuppressWarnings("restricted")
public final class Capstone implements AutoCloseable {
  /** The shared libraries tried, by soname, in this order: the newer decoder knows more. */
  public static final List<String> LIBRARIES = List.of("libcapstone.so.5", "libcapstone.so.4");

  /**
   * For tests only: a path to load instead of {@link #LIBRARIES} (the Capstone 5 that scripts/setup
   * unpacks under .cache/capstone/5 on a machine that has only Capstone 4 installed).
   */
  static final String LIBRARY_PROPERTY = "ftguard.capstone.library";

  /** The fix printed when no supported Capstone can be loaded. */
  static final String INSTALL_HINT =
      "install Capstone 4 or 5 (Debian 12: apt-get install libcapstone4;"
          + " Debian 13: apt-get install libcapstone5)";

  /**
   * What differs between Capstone's majors: sizes and offsets in {@code capstone.h} for x86-64
   * (LP64) and the {@code x86_insn} ids told apart inside the jump group.
   *
   * @param major {@code CS_API_MAJOR}
   * @param insJmp {@code X86_INS_JMP}
   * @param insLjmp {@code X86_INS_LJMP}
   * @param insnSize {@code sizeof(cs_insn)}
   * @param insnMnemonic {@code offsetof(cs_insn, mnemonic)}
   * @param insnOpStr {@code offsetof(cs_insn, op_str)}
   * @param insnDetail {@code offsetof(cs_insn, detail)}
   * @param detailSize {@code sizeof(cs_detail)}
   * @param detailGroups {@code offsetof(cs_detail, groups)}
   * @param detailGroupsCount {@code offsetof(cs_detail, groups_count)}
   * @param detailX86 {@code offsetof(cs_detail, x86)}
   */
  record Layout(
      int major,
      int insJmp,
      int insLjmp,
      long insnSize,
      long insnMnemonic,
      long insnOpStr,
      long insnDetail,
      long detailSize,
      long detailGroups,
      long detailGroupsCount,
      long detailX86) {
    /** Capstone 4.0.x (Debian 12's libcapstone4). */
    static final Layout V4 = new Layout(4, 264, 155, 240, 34, 66, 232, 1848, 67, 75, 80);

    /** Capstone 5.0.x (Debian 13's libcapstone5). */
    static final Layout V5 = new Layout(5, 172, 171, 248, 42, 74, 240, 1864, 83, 91, 96);

    static final List<Layout> ALL = List.of(V4, V5);

    /** The layout of a major, or null when this binding does not know it. */
    static Layout of(int major) {
      return ALL.stream().filter(l -> l.major() == major).findFirst().orElse(null);
    }
  }

  // enum cs_arch, cs_mode, cs_opt_type, cs_opt_value (the same in Capstone 4 and 5)
  static final int CS_ARCH_X86 = 3;
  static final int CS_MODE_64 = 1 << 3;
  static final int CS_OPT_SYNTAX = 1;
  static final int CS_OPT_DETAIL = 2;
  static final long CS_OPT_ON = 3;
  static final long CS_OPT_SYNTAX_ATT = 2;

  // enum cs_group_type
  static final int CS_GRP_JUMP = 1;
  static final int CS_GRP_CALL = 2;
  static final int CS_GRP_RET = 3;
  static final int CS_GRP_IRET = 5;

  // enum x86_op_type
  static final int X86_OP_REG = 1;
  static final int X86_OP_IMM = 2;
  static final int X86_OP_MEM = 3;

  // struct cs_insn: the members before bytes[], where both majors agree
  static final long INSN_ID = 0;
  static final long INSN_ADDRESS = 8;
  static final long INSN_LENGTH = 16;
  // struct cs_x86 (offsets from Layout.detailX86)
  static final long X86_OP_COUNT = 64;
  static final long X86_OPERANDS = 72;
  static final int X86_OPERANDS_COUNT = 8;
  static final long X86_ENCODING = 456;
  // struct cs_x86_op
  static final long OP_SIZE = 48;
  static final long OP_TYPE = 0;
  static final long OP_VALUE = 8;
  // struct x86_op_mem, at OP_VALUE
  static final long MEM_SEGMENT = 0;
  static final long MEM_BASE = 4;
  static final long MEM_INDEX = 8;
  static final long MEM_SCALE = 12;
  static final long MEM_DISP = 16;
  // struct cs_x86_encoding
  static final long ENC_DISP_OFFSET = 1;
  static final long ENC_DISP_SIZE = 2;
  static final long ENC_IMM_OFFSET = 3;
  static final long ENC_IMM_SIZE = 4;

  private static final Linker LINKER = Linker.nativeLinker();

  /** The downcalls, resolved once, and the layout of the major that was loaded. */
  private record Lib(
      String library,
      Layout layout,
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
      String path = System.getProperty(LIBRARY_PROPERTY);
      List<String> errors = new ArrayList<>();
      for (String name : path == null || path.isEmpty() ? LIBRARIES : List.of(path)) {
        try {
          lib = bind(name);
          break;
        } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
          errors.add(name + ": " + e.getMessage());
        }
      }
      if (lib == null) {
        loadError = String.join("; ", errors);
      }
    }
    if (lib == null) {
      throw new VerifyException(
          VerifyException.Kind.DECODER_MISSING,
          "cannot load the x86-64 decoder (" + loadError + "): " + INSTALL_HINT);
    }
    return lib;
  }

  /** Loads one library, checks its major with {@code cs_version()} and resolves the downcalls. */
  private static Lib bind(String name) {
    SymbolLookup l = SymbolLookup.libraryLookup(name, Arena.global());
    int version;
    try {
      MethodHandle v = fn(l, name, "cs_version", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
      version = (int) v.invokeExact(MemorySegment.NULL, MemorySegment.NULL);
    } catch (UnsatisfiedLinkError e) {
      throw e;
    } catch (Throwable t) {
      throw new UnsatisfiedLinkError(name + ": cs_version() failed: " + t);
    }
    int major = version >>> 8;
    Layout layout = Layout.of(major);
    if (layout == null) {
      throw new UnsatisfiedLinkError(
          name + " is Capstone " + major + "." + (version & 0xff) + ", not 4 or 5");
    }
    return new Lib(
        name,
        layout,
        fn(l, name, "cs_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS)),
        fn(l, name, "cs_option", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG)),
        fn(
            l,
            name,
            "cs_disasm",
            FunctionDescriptor.of(
                JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS)),
        fn(l, name, "cs_free", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG)),
        fn(l, name, "cs_close", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
        fn(l, name, "cs_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT)),
        fn(l, name, "cs_reg_name", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_INT)),
        fn(l, name, "cs_insn_name", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_INT)));
  }

  private static MethodHandle fn(
      SymbolLookup l, String library, String name, FunctionDescriptor fd) {
    MemorySegment addr =
        l.find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError(library + " has no symbol " + name));
    return LINKER.downcallHandle(addr, fd);
  }

  /** The layout of the Capstone this process decodes with (loading it if needed). */
  static Layout layout() throws VerifyException {
    return lib().layout();
  }

  /** The library this process decodes with: a soname of {@link #LIBRARIES}, or the test path. */
  static String library() throws VerifyException {
    return lib().library();
  }

  private final Lib cs;
  private final Layout layout;
  private final long handle;
  private final Map<Integer, String> regNames = new HashMap<>();
  private final Map<Integer, String> insnNames = new HashMap<>();
  private boolean closed;

  private Capstone(Lib cs, long handle) {
    this.cs = cs;
    this.layout = cs.layout();
    this.handle = handle;
  }

  /**
   * Opens a decoder for x86-64 with details on and AT&T syntax (as objdump prints it).
   *
   * @throws VerifyException when neither libcapstone.so.5 nor libcapstone.so.4 loads, or it refuses
   *     to open
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
   * Decodes {@code code}, the first byte at {@code address}. Instructions Capstone does not know
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
          MemorySegment insns = insnPtr.get(ADDRESS, 0).reinterpret(n * layout.insnSize());
          try {
            for (long i = 0; i < n; i++) {
              out.add(read(insns.asSlice(i * layout.insnSize(), layout.insnSize())));
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
        Instruction.Jmp.NONE,
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
    String mnemonic = insn.getString(layout.insnMnemonic());
    String opStr = insn.getString(layout.insnOpStr());
    MemorySegment detail = insn.get(ADDRESS, layout.insnDetail()).reinterpret(layout.detailSize());
    int groupCount = Byte.toUnsignedInt(detail.get(JAVA_BYTE, layout.detailGroupsCount()));
    int groups = 0;
    for (int g = 0; g < groupCount; g++) {
      int group = Byte.toUnsignedInt(detail.get(JAVA_BYTE, layout.detailGroups() + g));
      if (group < 32) {
        groups |= 1 << group;
      }
    }
    List<Operand> operands = List.of();
    Instruction.Encoding encoding = Instruction.Encoding.NONE;
    int transfer = 1 << CS_GRP_JUMP | 1 << CS_GRP_CALL | 1 << CS_GRP_RET | 1 << CS_GRP_IRET;
    if ((groups & transfer) != 0) {
      MemorySegment x86 = detail.asSlice(layout.detailX86());
      int count = Byte.toUnsignedInt(x86.get(JAVA_BYTE, X86_OP_COUNT));
      List<Operand> ops = new ArrayList<>(count);
      for (int o = 0; o < count && o < X86_OPERANDS_COUNT; o++) {
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
        address,
        size,
        id,
        jmp(id, mnemonic),
        insnName(id),
        mnemonic,
        opStr,
        groups,
        operands,
        encoding);
  }

  /**
   * Which unconditional jump an instruction is. Capstone 5.0 gives the far jump through a 32-bit
   * pointer ({@code ff /5} without REX.W, AT&amp;T {@code ljmpl}) the id {@code X86_INS_JMP}, where
   * Capstone 4 gives it {@code X86_INS_LJMP}: the mnemonic tells it apart.
   */
  private Instruction.Jmp jmp(int id, String mnemonic) {
    if (id == layout.insLjmp()) {
      return Instruction.Jmp.LJMP;
    }
    if (id != layout.insJmp()) {
      return Instruction.Jmp.NONE;
    }
    // the last word: prefixes ("notrack ") come first
    return mnemonic.substring(mnemonic.lastIndexOf(' ') + 1).startsWith("ljmp")
        ? Instruction.Jmp.LJMP
        : Instruction.Jmp.JMP;
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
