package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.ArgType;
import dev.ftguard.policy.HookDecl;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The declared hooks of a table and their arguments, checked as the kernel checks them. */
final class HookReader extends TableBytes {
  private final long hooksAt;
  private final long argsAt;
  private final int nArgs;
  private final List<HookDecl> hooks = new ArrayList<>();

  HookReader(byte[] bytes, long hooksAt, long argsAt, int nArgs) {
    super(bytes);
    this.hooksAt = hooksAt;
    this.argsAt = argsAt;
    this.nArgs = nArgs;
  }

  /** The hooks read so far, by index. */
  List<HookDecl> hooks() {
    return hooks;
  }

  /** A declared hook, checked as the kernel checks it. */
  HookDecl hook(int index) throws TableFormatException {
    long h = hooksAt + index * Abi.HookDecl.SIZE;
    String function =
        identifier(
            h + Abi.HookDecl.FUNCTION,
            Abi.FUNC_NAME_MAX,
            "hook " + index + " function name",
            HookReader::functionChar);
    for (HookDecl prev : hooks) {
      if (prev.function().equals(function)) {
        throw new TableFormatException(
            Abi.TERR_HOOK,
            h + Abi.HookDecl.FUNCTION,
            "hook " + index + " hooks " + function + " a second time");
      }
    }
    String what = "hook " + index + " (" + function + ")";
    long flags = u32(h + Abi.HookDecl.FLAGS);
    if ((flags & ~(long) Abi.HOOKDECL_FLAGS_ALL) != 0 || u32(h + Abi.HookDecl.RESERVED) != 0) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          h + Abi.HookDecl.FLAGS,
          what + " has flags 0x" + Long.toHexString(flags) + " or a non-zero reserved field");
    }
    boolean syscall = (flags & Abi.HOOKDECL_SYSCALL) != 0;
    HookDecl d =
        new HookDecl(
            function,
            syscall,
            args(h, what),
            new dev.ftguard.policy.Location(TableReader.SOURCE, index, 0));
    checkRecord(h, what, d);
    return d;
  }

  /** A kernel symbol's character: letters, digits, '_', '.' and '$'. */
  private static boolean functionChar(int n, byte c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '$';
  }

  /** An argument name's character: a lower-case letter first, then letters, digits and '_'. */
  private static boolean argNameChar(int n, byte c) {
    return n == 0
        ? c >= 'a' && c <= 'z'
        : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  /** Which bytes a name may have: {@code ok(n, c)} for byte {@code c} at index {@code n}. */
  private interface NameChar {
    boolean ok(int n, byte c);
  }

  /**
   * The NUL-terminated, NUL-padded name in the {@code len} bytes at {@code at}; {@code what} names
   * it in errors.
   */
  private String identifier(long at, int len, String what, NameChar ok)
      throws TableFormatException {
    byte[] b = t.asSlice(at, len).toArray(JAVA_BYTE);
    int n = 0;
    while (n < b.length && b[n] != 0) {
      if (!ok.ok(n, b[n])) {
        throw new TableFormatException(
            Abi.TERR_HOOK,
            at,
            what + " has byte 0x" + Integer.toHexString(b[n] & 0xff) + " at " + n);
      }
      n++;
    }
    if (n == 0 || n == b.length || !allZero(b, n)) {
      throw new TableFormatException(
          Abi.TERR_HOOK, at, what + " is empty, not NUL-terminated or not NUL-padded");
    }
    return new String(b, 0, n, StandardCharsets.US_ASCII);
  }

  /** The arguments of the hook at {@code h}: a range of the argument section. */
  private List<HookDecl.Arg> args(long h, String what) throws TableFormatException {
    long first = u32(h + Abi.HookDecl.FIRST_ARG);
    long count = u32(h + Abi.HookDecl.NR_ARGS);
    if (count > Abi.CALL_ARGS_MAX || first + count > nArgs) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          h + Abi.HookDecl.FIRST_ARG,
          what
              + " arguments "
              + first
              + ".."
              + (first + count)
              + " exceed FTG_CALL_ARGS_MAX or the "
              + nArgs
              + " arguments");
    }
    List<HookDecl.Arg> args = new ArrayList<>();
    for (long i = first; i < first + count; i++) {
      args.add(arg(argsAt + i * Abi.ArgDecl.SIZE, what));
    }
    return args;
  }

  /** The hook's fields fit a rule, and its records the kernel's record size. */
  private static void checkRecord(long h, String what, HookDecl d) throws TableFormatException {
    if (d.fields().size() > Abi.CALL_FIELDS_MAX) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          h + Abi.HookDecl.NR_ARGS,
          what + " arguments give " + d.fields().size() + " fields, more than FTG_CALL_FIELDS_MAX");
    }
    long record = d.recordBytes();
    if (record > Abi.RECORD_MAX) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          h + Abi.HookDecl.NR_ARGS,
          what + " records could take " + record + " bytes, more than FTG_RECORD_MAX");
    }
  }

  private HookDecl.Arg arg(long a, String what) throws TableFormatException {
    String name =
        identifier(
            a + Abi.ArgDecl.NAME,
            Abi.ARG_NAME_LEN,
            what + " argument name",
            HookReader::argNameChar);
    int type = u8(a + Abi.ArgDecl.TYPE);
    int position = u8(a + Abi.ArgDecl.POSITION);
    int size = u8(a + Abi.ArgDecl.ARG_SIZE);
    int flags = u8(a + Abi.ArgDecl.FLAGS);
    int maxLen = u16(a + Abi.ArgDecl.MAX_LEN);
    if (position >= Abi.CALL_ARGS_MAX || u16(a + Abi.ArgDecl.RESERVED) != 0) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          a,
          what + " argument has position " + position + " or a non-zero reserved field");
    }
    ArgType at = argType(a, what, type, position, size, flags);
    if ((flags & ~Abi.ARGF_SIGNED) != 0
        || (at.hasLength() ? maxLen < 1 || maxLen > Abi.CALL_STR_MAX : maxLen != 0)) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          a + Abi.ArgDecl.MAX_LEN,
          what
              + " argument "
              + position
              + " has flags 0x"
              + Integer.toHexString(flags)
              + " or max_len "
              + maxLen
              + " not valid for its type");
    }
    return new HookDecl.Arg(name, at, position, maxLen);
  }

  /** The argument type of this ABI type, size and signedness. */
  private static ArgType argType(long a, String what, int type, int position, int size, int flags)
      throws TableFormatException {
    for (ArgType at : ArgType.values()) {
      if (at.abiType() == type
          && at.size() == size
          && at.signed() == ((flags & Abi.ARGF_SIGNED) != 0)) {
        return at;
      }
    }
    throw new TableFormatException(
        Abi.TERR_HOOK,
        a + Abi.ArgDecl.TYPE,
        what
            + " argument "
            + position
            + " has type "
            + type
            + " size "
            + size
            + " flags 0x"
            + Integer.toHexString(flags)
            + ", not a valid argument type");
  }
}
