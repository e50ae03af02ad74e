package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.ftguard.abi.Abi;
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
    String what = "hook " + index;
    byte[] fn = t.asSlice(h + Abi.HookDecl.FUNCTION, Abi.FUNC_NAME_MAX).toArray(JAVA_BYTE);
    int n = 0;
    while (n < fn.length && fn[n] != 0) {
      byte c = fn[n];
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '.'
          || c == '$')) {
        throw new TableFormatException(
            Abi.TERR_HOOK,
            h + Abi.HookDecl.FUNCTION,
            what + " function name has byte 0x" + Integer.toHexString(c & 0xff) + " at " + n);
      }
      n++;
    }
    if (n == 0 || n == fn.length || !allZero(fn, n)) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          h + Abi.HookDecl.FUNCTION,
          what + " function name is empty, not NUL-terminated or not NUL-padded");
    }
    String function = new String(fn, 0, n, StandardCharsets.US_ASCII);
    for (HookDecl prev : hooks) {
      if (prev.function().equals(function)) {
        throw new TableFormatException(
            Abi.TERR_HOOK,
            h + Abi.HookDecl.FUNCTION,
            what + " hooks " + function + " a second time");
      }
    }
    what = what + " (" + function + ")";
    long flags = u32(h + Abi.HookDecl.FLAGS);
    if ((flags & ~(long) Abi.HOOKDECL_FLAGS_ALL) != 0 || u32(h + Abi.HookDecl.RESERVED) != 0) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          h + Abi.HookDecl.FLAGS,
          what + " has flags 0x" + Long.toHexString(flags) + " or a non-zero reserved field");
    }
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
    boolean syscall = (flags & Abi.HOOKDECL_SYSCALL) != 0;
    HookDecl d =
        new HookDecl(
            function, syscall, args, new dev.ftguard.policy.Location(TableReader.SOURCE, index, 0));
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
    return d;
  }

  private HookDecl.Arg arg(long a, String what) throws TableFormatException {
    byte[] nb = t.asSlice(a + Abi.ArgDecl.NAME, Abi.ARG_NAME_LEN).toArray(JAVA_BYTE);
    int n = 0;
    while (n < nb.length && nb[n] != 0) {
      byte c = nb[n];
      boolean ok =
          n == 0
              ? c >= 'a' && c <= 'z'
              : (c >= 'a' && c <= 'z')
                  || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9')
                  || c == '_';
      if (!ok) {
        throw new TableFormatException(
            Abi.TERR_HOOK,
            a + Abi.ArgDecl.NAME,
            what + " argument name has byte 0x" + Integer.toHexString(c & 0xff) + " at " + n);
      }
      n++;
    }
    if (n == 0 || n == nb.length || !allZero(nb, n)) {
      throw new TableFormatException(
          Abi.TERR_HOOK,
          a + Abi.ArgDecl.NAME,
          what + " argument name is empty, not NUL-terminated or not NUL-padded");
    }
    String name = new String(nb, 0, n, StandardCharsets.US_ASCII);
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
    for (dev.ftguard.policy.ArgType at : dev.ftguard.policy.ArgType.values()) {
      if (at.abiType() == type
          && at.size() == size
          && at.signed() == ((flags & Abi.ARGF_SIGNED) != 0)) {
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
