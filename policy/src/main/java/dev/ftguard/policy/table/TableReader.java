package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.policy.Access;
import dev.ftguard.policy.Actions;
import dev.ftguard.policy.Cidr;
import dev.ftguard.policy.DenyErrnos;
import dev.ftguard.policy.FieldMatcher;
import dev.ftguard.policy.Gain;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.PathMatcher;
import dev.ftguard.policy.Range;
import dev.ftguard.policy.RangeMatcher;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Reads a rule table (what {@link TableCompiler} writes and {@code FTG_IOC_GET_TABLE} hands back)
 * into the policy model, in host byte order.
 *
 * <p>Every field, count, offset and string is checked before it is used, as the kernel checks a
 * table it is given (the {@link TableFormatException} carries the {@code FTG_TERR_*} value the
 * kernel would report and the offset of the field), plus what the model needs: strings are valid
 * UTF-8 and a deny rule's errno is one a policy can name. Garbage never gives any other exception.
 * For a set {@code s}, {@code read(TableCompiler.compile(s))} gives back its policies and rules
 * (name, mode, priority, kind, action, errno and match).
 */
public final class TableReader {
  private TableReader() {}

  /** The file name of the {@link dev.ftguard.policy.Location}s of policies and rules read back. */
  public static final String SOURCE = "<rule table>";

  /**
   * Reads {@code table}, which must be exactly the table's bytes (its header's {@code size}).
   *
   * @throws TableFormatException the bytes are not a valid table
   */
  public static CompiledTable read(byte[] table) throws TableFormatException {
    return new Reader(table).read();
  }

  private static final class Reader {
    final byte[] bytes;
    final MemorySegment t;
    long policiesAt;
    int nPolicies;
    long rulesAt;
    int nRules;
    long valuesAt;
    int nValues;
    long stringsAt;
    int nStrings;
    long hooksAt;
    int nHooks;
    long argsAt;
    int nArgs;
    final List<HookDecl> hooks = new ArrayList<>();

    Reader(byte[] bytes) {
      this.bytes = bytes;
      this.t = MemorySegment.ofArray(bytes);
    }

    CompiledTable read() throws TableFormatException {
      if (bytes.length < Abi.Table.SIZE) {
        throw new TableFormatException(
            Abi.TERR_SIZE,
            0,
            "table of "
                + bytes.length
                + " bytes is shorter than its "
                + Abi.Table.SIZE
                + "-byte header");
      }
      if (bytes.length > Abi.TABLE_MAX) {
        throw new TableFormatException(
            Abi.TERR_SIZE,
            0,
            "table of " + bytes.length + " bytes is larger than FTG_TABLE_MAX " + Abi.TABLE_MAX);
      }
      int magic = i32(Abi.Table.MAGIC);
      if (magic != Abi.TABLE_MAGIC) {
        throw new TableFormatException(
            Abi.TERR_MAGIC,
            Abi.Table.MAGIC,
            "magic is 0x"
                + Integer.toHexString(magic)
                + ", not 0x"
                + Integer.toHexString(Abi.TABLE_MAGIC)
                + " (\"FTGT\")");
      }
      long version = u32(Abi.Table.VERSION);
      if (version != Abi.TABLE_VERSION) {
        throw new TableFormatException(
            Abi.TERR_VERSION,
            Abi.Table.VERSION,
            "table version " + version + ", this ftguard reads version " + Abi.TABLE_VERSION);
      }
      long size = u32(Abi.Table.TABLE_SIZE);
      if (size != bytes.length) {
        throw new TableFormatException(
            Abi.TERR_SIZE,
            Abi.Table.TABLE_SIZE,
            "header size " + size + " but " + bytes.length + " bytes were given");
      }
      long flags = u32(Abi.Table.FLAGS);
      if (flags != 0) {
        throw new TableFormatException(
            Abi.TERR_FLAGS,
            Abi.Table.FLAGS,
            "header flags 0x" + Long.toHexString(flags) + " are not zero");
      }
      long[] policies =
          section(
              Abi.Table.POLICIES,
              "policies",
              Abi.Pol.SIZE,
              Abi.TABLE_POLICIES_MAX,
              "FTG_TABLE_POLICIES_MAX");
      long[] rules =
          section(
              Abi.Table.RULES, "rules", Abi.Rul.SIZE, Abi.TABLE_RULES_MAX, "FTG_TABLE_RULES_MAX");
      long[] values =
          section(
              Abi.Table.VALUES,
              "values",
              Abi.Val.SIZE,
              Abi.TABLE_VALUES_MAX,
              "FTG_TABLE_VALUES_MAX");
      long[] strings = section(Abi.Table.STRINGS, "strings", 1, Abi.TABLE_MAX, "FTG_TABLE_MAX");
      long[] hookSec =
          section(
              Abi.Table.HOOKS,
              "hooks",
              Abi.HookDecl.SIZE,
              Abi.TABLE_HOOKS_MAX,
              "FTG_TABLE_HOOKS_MAX");
      long[] argSec =
          section(
              Abi.Table.ARGS,
              "args",
              Abi.ArgDecl.SIZE,
              (long) Abi.TABLE_HOOKS_MAX * Abi.CALL_ARGS_MAX,
              "FTG_TABLE_HOOKS_MAX * FTG_CALL_ARGS_MAX");
      long[][] all = {policies, rules, values, strings, hookSec, argSec};
      long[] elem = {
        Abi.Pol.SIZE, Abi.Rul.SIZE, Abi.Val.SIZE, 1, Abi.HookDecl.SIZE, Abi.ArgDecl.SIZE
      };
      long[] at = {
        Abi.Table.POLICIES,
        Abi.Table.RULES,
        Abi.Table.VALUES,
        Abi.Table.STRINGS,
        Abi.Table.HOOKS,
        Abi.Table.ARGS
      };
      for (int i = 0; i < all.length; i++) {
        long a0 = all[i][0];
        long a1 = a0 + all[i][1] * elem[i];
        for (int j = i + 1; j < all.length; j++) {
          long b0 = all[j][0];
          long b1 = b0 + all[j][1] * elem[j];
          if (a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1) {
            throw new TableFormatException(
                Abi.TERR_SECTION,
                at[j] + Abi.Table.SECTION_OFFSET,
                "section "
                    + j
                    + " ["
                    + b0
                    + ", "
                    + b1
                    + ") overlaps section "
                    + i
                    + " ["
                    + a0
                    + ", "
                    + a1
                    + ")");
          }
        }
      }
      policiesAt = policies[0];
      nPolicies = (int) policies[1];
      rulesAt = rules[0];
      nRules = (int) rules[1];
      valuesAt = values[0];
      nValues = (int) values[1];
      stringsAt = strings[0];
      nStrings = (int) strings[1];
      hooksAt = hookSec[0];
      nHooks = (int) hookSec[1];
      argsAt = argSec[0];
      nArgs = (int) argSec[1];

      List<String> names = new ArrayList<>();
      List<Mode> modes = new ArrayList<>();
      List<Integer> priorities = new ArrayList<>();
      for (int i = 0; i < nPolicies; i++) {
        long p = policiesAt + i * Abi.Pol.SIZE;
        names.add(name(p + Abi.Pol.NAME, "policy " + i));
        long modeValue = u32(p + Abi.Pol.MODE);
        Optional<Mode> mode = Mode.of((int) modeValue);
        if (mode.isEmpty()) {
          throw new TableFormatException(
              Abi.TERR_MODE,
              p + Abi.Pol.MODE,
              "policy " + i + " has mode " + modeValue + ", not 0 (enforce) or 1 (monitor)");
        }
        modes.add(mode.get());
        priorities.add(i32(p + Abi.Pol.PRIORITY));
      }
      for (int i = 0; i < nHooks; i++) {
        hooks.add(hook(i));
      }
      List<List<CompiledRule>> byPolicy = new ArrayList<>();
      for (int i = 0; i < nPolicies; i++) {
        byPolicy.add(new ArrayList<>());
      }
      long prev = 0;
      for (int i = 0; i < nRules; i++) {
        long r = rulesAt + i * Abi.Rul.SIZE;
        long policy = u32(r + Abi.Rul.POLICY);
        CompiledRule rule = rule(i, r, prev);
        byPolicy.get((int) policy).add(rule);
        prev = policy;
      }
      List<CompiledPolicy> out = new ArrayList<>();
      for (int i = 0; i < nPolicies; i++) {
        out.add(new CompiledPolicy(names.get(i), modes.get(i), priorities.get(i), byPolicy.get(i)));
      }
      return new CompiledTable(size, out);
    }

    /** A declared hook, checked as the kernel checks it. */
    private HookDecl hook(int index) throws TableFormatException {
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
          new HookDecl(function, syscall, args, new dev.ftguard.policy.Location(SOURCE, index, 0));
      if (d.fields().size() > Abi.CALL_FIELDS_MAX) {
        throw new TableFormatException(
            Abi.TERR_HOOK,
            h + Abi.HookDecl.NR_ARGS,
            what
                + " arguments give "
                + d.fields().size()
                + " fields, more than FTG_CALL_FIELDS_MAX");
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

    /** {offset, count} of a section, checked: aligned, after the header, inside the table. */
    private long[] section(long at, String what, long elem, long max, String maxName)
        throws TableFormatException {
      long offset = u32(at + Abi.Table.SECTION_OFFSET);
      long count = u32(at + Abi.Table.SECTION_COUNT);
      if (count > max) {
        throw new TableFormatException(
            Abi.TERR_COUNT,
            at + Abi.Table.SECTION_COUNT,
            what + " count " + count + " is above " + maxName + " " + max);
      }
      long end = offset + count * elem;
      if (offset % Abi.Table.SECTION_ALIGN != 0 || offset < Abi.Table.SIZE || end > bytes.length) {
        throw new TableFormatException(
            Abi.TERR_SECTION,
            at + Abi.Table.SECTION_OFFSET,
            what
                + " section ["
                + offset
                + ", "
                + end
                + ") is misaligned, inside the header or past the table's "
                + bytes.length
                + " bytes");
      }
      return new long[] {offset, count};
    }

    private CompiledRule rule(int index, long r, long prevPolicy) throws TableFormatException {
      String name = name(r + Abi.Rul.NAME, "rule " + index);
      String what = "rule " + index + " ('" + name + "')";
      long policy = u32(r + Abi.Rul.POLICY);
      if (policy >= nPolicies || policy < prevPolicy) {
        throw new TableFormatException(
            Abi.TERR_POLICY,
            r + Abi.Rul.POLICY,
            what
                + " has policy "
                + policy
                + ": out of range ("
                + nPolicies
                + " policies) or before the previous rule's "
                + prevPolicy);
      }
      int kindValue = u8(r + Abi.Rul.KIND);
      Kind kind =
          Kind.of(kindValue)
              .orElseThrow(
                  () ->
                      new TableFormatException(
                          Abi.TERR_KIND,
                          r + Abi.Rul.KIND,
                          what + " has kind " + kindValue + ", not 0.." + (Abi.KINDS - 1)));
      int actionValue = u8(r + Abi.Rul.ACTION);
      Action action =
          Action.of(actionValue)
              .orElseThrow(
                  () ->
                      new TableFormatException(
                          Abi.TERR_ACTION,
                          r + Abi.Rul.ACTION,
                          what + " has action " + actionValue + ", not 0.." + (Abi.ACTIONS - 1)));
      int err = u16(r + Abi.Rul.ERR);
      OptionalInt errno = OptionalInt.empty();
      if (Actions.denies(action)) {
        String errName = dev.ftguard.abi.Errno.name(err);
        errno = DenyErrnos.allows(err) ? OptionalInt.of(err) : OptionalInt.empty();
        if (err < 1 || err > 4095 || errno.isEmpty()) {
          throw new TableFormatException(
              Abi.TERR_ERRNO,
              r + Abi.Rul.ERR,
              what
                  + " denies with err "
                  + err
                  + " ("
                  + errName
                  + "), not an errno a policy can name");
        }
      } else if (err != 0) {
        throw new TableFormatException(
            Abi.TERR_ERRNO, r + Abi.Rul.ERR, what + " has err " + err + " but does not deny");
      }
      int flags = i32(r + Abi.Rul.FLAGS);
      int allowedFlags =
          switch (kind) {
            case EXEC ->
                Abi.RULE_NEGATE_UID
                    | Abi.RULE_NEGATE_EUID
                    | Abi.RULE_FILELESS_SET
                    | Abi.RULE_FILELESS
                    | Abi.RULE_TEMPDIR_SET
                    | Abi.RULE_TEMPDIR;
            case CONNECT -> Abi.RULE_NEGATE_PORT;
            default -> 0;
          };
      int[][] sel = new int[Abi.SELS][];
      for (int slot = 0; slot < Abi.SELS; slot++) {
        long s = r + Abi.Rul.SEL + slot * Abi.Rul.SEL_SIZE;
        sel[slot] = new int[] {i32(s + Abi.Rul.SEL_FIRST), i32(s + Abi.Rul.SEL_COUNT)};
      }
      if ((flags & ~allowedFlags) != 0
          || ((flags & Abi.RULE_FILELESS) != 0 && (flags & Abi.RULE_FILELESS_SET) == 0)
          || ((flags & Abi.RULE_TEMPDIR) != 0 && (flags & Abi.RULE_TEMPDIR_SET) == 0)
          || ((flags & Abi.RULE_NEGATE_UID) != 0 && sel[Abi.SEL_UID][1] == 0)
          || ((flags & Abi.RULE_NEGATE_EUID) != 0 && sel[Abi.SEL_EUID][1] == 0)
          || ((flags & Abi.RULE_NEGATE_PORT) != 0 && sel[Abi.SEL_PORT][1] == 0)) {
        throw new TableFormatException(
            Abi.TERR_FLAGS,
            r + Abi.Rul.FLAGS,
            what
                + " has flags 0x"
                + Integer.toHexString(flags)
                + ", not valid for a "
                + kind.yamlName()
                + " rule and its selectors");
      }
      int mask = i32(r + Abi.Rul.MASK);
      int allowedMask =
          switch (kind) {
            case OPEN ->
                Abi.ACCESS_READ | Abi.ACCESS_WRITE | Abi.ACCESS_CREATE | Abi.ACCESS_TRUNCATE;
            case PRIVILEGE -> Abi.GAIN_UID0 | Abi.GAIN_CAPS;
            default -> 0;
          };
      if ((mask & ~allowedMask) != 0) {
        throw new TableFormatException(
            Abi.TERR_MASK,
            r + Abi.Rul.MASK,
            what
                + " has mask 0x"
                + Integer.toHexString(mask)
                + ", not valid for a "
                + kind.yamlName()
                + " rule");
      }
      int allowedSlots =
          switch (kind) {
            case EXEC ->
                bits(
                    Abi.SEL_BINARY,
                    Abi.SEL_PARENT,
                    Abi.SEL_ANCESTOR,
                    Abi.SEL_UID,
                    Abi.SEL_EUID,
                    Abi.SEL_ARGV);
            case OPEN, MODULE_LOAD, PTRACE -> bits(Abi.SEL_OBJECT, Abi.SEL_BINARY);
            case CONNECT -> bits(Abi.SEL_ADDRESS, Abi.SEL_PORT, Abi.SEL_BINARY);
            case PRIVILEGE, CALL -> bits(Abi.SEL_BINARY);
          };
      if (u32(r + Abi.Rul.RESERVED) != 0) {
        throw new TableFormatException(
            Abi.TERR_FLAGS, r + Abi.Rul.RESERVED, what + " has a non-zero reserved field");
      }
      long hookIndex = u32(r + Abi.Rul.HOOK);
      HookDecl hook = null;
      if (kind == Kind.CALL) {
        if (hookIndex >= nHooks) {
          throw new TableFormatException(
              Abi.TERR_HOOK, r + Abi.Rul.HOOK, what + " is on hook " + hookIndex + " of " + nHooks);
        }
        if (action != Action.ALLOW && action != Action.AUDIT && action != Action.DENY) {
          throw new TableFormatException(
              Abi.TERR_ACTION,
              r + Abi.Rul.ACTION,
              what
                  + " is a call rule with action "
                  + action.yamlName()
                  + " (allow, audit or deny only)");
        }
        hook = hooks.get((int) hookIndex);
      } else if (hookIndex != 0) {
        throw new TableFormatException(
            Abi.TERR_HOOK,
            r + Abi.Rul.HOOK,
            what + " is not a call rule but names hook " + hookIndex);
      }
      java.util.SequencedMap<String, FieldMatcher> fieldSel = new java.util.LinkedHashMap<>();
      List<HookDecl.FieldRef> hookFields = hook == null ? List.of() : hook.fields();
      for (int f = 0; f < Abi.CALL_FIELDS_MAX; f++) {
        long s = r + Abi.Rul.FIELDS + f * Abi.Rul.SEL_SIZE;
        long first = u32(s + Abi.Rul.SEL_FIRST);
        long count = u32(s + Abi.Rul.SEL_COUNT);
        if (count == 0) {
          if (first != 0) {
            throw new TableFormatException(
                Abi.TERR_SELECTOR, s, what + " field " + f + " has no values but first " + first);
          }
          continue;
        }
        if (f >= hookFields.size() || count > Abi.TABLE_SEL_MAX || first + count > nValues) {
          throw new TableFormatException(
              Abi.TERR_SELECTOR,
              s,
              what
                  + " field selector "
                  + f
                  + " is not a field of its hook, has more than FTG_TABLE_SEL_MAX values, or runs past the values");
        }
        HookDecl.FieldRef fr = hookFields.get(f);
        List<Object> vs = new ArrayList<>();
        for (long v = first; v < first + count; v++) {
          vs.add(fieldValue(fr.field(), valuesAt + v * Abi.Val.SIZE, what + " field " + fr.name()));
        }
        fieldSel.put(fr.name(), fieldMatcher(vs));
      }
      @SuppressWarnings("unchecked")
      List<Object>[] vals = new List[Abi.SELS];
      for (int slot = 0; slot < Abi.SELS; slot++) {
        long s = r + Abi.Rul.SEL + slot * Abi.Rul.SEL_SIZE;
        long first = Integer.toUnsignedLong(sel[slot][0]);
        long count = Integer.toUnsignedLong(sel[slot][1]);
        if (count == 0) {
          if (first != 0) {
            throw new TableFormatException(
                Abi.TERR_SELECTOR, s, what + " slot " + slot + " has no values but first " + first);
          }
          continue;
        }
        if ((allowedSlots & (1 << slot)) == 0
            || count > Abi.TABLE_SEL_MAX
            || first + count > nValues) {
          throw new TableFormatException(
              Abi.TERR_SELECTOR,
              s,
              what
                  + " slot "
                  + slot
                  + " (values "
                  + first
                  + ".."
                  + (first + count)
                  + " of "
                  + nValues
                  + ") is not allowed for a "
                  + kind.yamlName()
                  + " rule, has more than FTG_TABLE_SEL_MAX values, or runs past the values");
        }
        vals[slot] = new ArrayList<>();
        for (long v = first; v < first + count; v++) {
          vals[slot].add(value(slot, valuesAt + v * Abi.Val.SIZE, what));
        }
      }
      Match match =
          switch (kind) {
            case EXEC ->
                new Match.Exec(
                    path(vals[Abi.SEL_BINARY]),
                    path(vals[Abi.SEL_PARENT]),
                    path(vals[Abi.SEL_ANCESTOR]),
                    range(vals[Abi.SEL_UID], (flags & Abi.RULE_NEGATE_UID) != 0),
                    range(vals[Abi.SEL_EUID], (flags & Abi.RULE_NEGATE_EUID) != 0),
                    vals[Abi.SEL_ARGV] == null
                        ? List.of()
                        : vals[Abi.SEL_ARGV].stream().map(o -> ((Str) o).s()).toList(),
                    (flags & Abi.RULE_FILELESS_SET) != 0
                        ? Optional.of((flags & Abi.RULE_FILELESS) != 0)
                        : Optional.empty(),
                    (flags & Abi.RULE_TEMPDIR_SET) != 0
                        ? Optional.of((flags & Abi.RULE_TEMPDIR) != 0)
                        : Optional.empty());
            case OPEN ->
                new Match.Open(
                    path(vals[Abi.SEL_OBJECT]),
                    decodeMask(Access.class, Access::bit, mask),
                    path(vals[Abi.SEL_BINARY]));
            case CONNECT ->
                new Match.Connect(
                    vals[Abi.SEL_ADDRESS] == null
                        ? List.of()
                        : vals[Abi.SEL_ADDRESS].stream().map(Cidr.class::cast).toList(),
                    range(vals[Abi.SEL_PORT], (flags & Abi.RULE_NEGATE_PORT) != 0),
                    path(vals[Abi.SEL_BINARY]));
            case MODULE_LOAD ->
                new Match.ModuleLoad(path(vals[Abi.SEL_OBJECT]), path(vals[Abi.SEL_BINARY]));
            case PTRACE -> new Match.Ptrace(path(vals[Abi.SEL_OBJECT]), path(vals[Abi.SEL_BINARY]));
            case PRIVILEGE ->
                new Match.Privilege(
                    path(vals[Abi.SEL_BINARY]), decodeMask(Gain.class, Gain::bit, mask));
            case CALL -> new Match.Call(hook, fieldSel, path(vals[Abi.SEL_BINARY]));
          };
      return new CompiledRule(index, name, kind, action, errno, match);
    }

    /** A string value of a slot. */
    private record Str(int type, String s) {}

    /** A value of a call field, checked against the field's kind. */
    private Object fieldValue(dev.ftguard.policy.ArgType.Field f, long v, String what)
        throws TableFormatException {
      return switch (f.kind()) {
        case STRING -> value(Abi.SEL_BINARY, v, what);
        case ADDRESS -> value(Abi.SEL_ADDRESS, v, what);
        case INT -> {
          int type = u8(v + Abi.Val.TYPE);
          long lo = i64(v + Abi.Val.LO);
          long hi = i64(v + Abi.Val.HI);
          if (u8(v + Abi.Val.PREFIX_LEN) != 0
              || u16(v + Abi.Val.STR_LEN) != 0
              || u32(v + Abi.Val.STR_OFF) != 0
              || !allZero(t.asSlice(v + Abi.Val.ADDR, 16).toArray(JAVA_BYTE), 0)) {
            throw new TableFormatException(
                Abi.TERR_VALUE, v, what + " integer value has string or network fields set");
          }
          if (type == Abi.VAL_RANGE) {
            if (f.signed() ? lo > hi : Long.compareUnsigned(lo, hi) > 0) {
              throw new TableFormatException(
                  Abi.TERR_VALUE, v + Abi.Val.LO, what + " range is empty");
            }
            yield new FieldMatcher.IntRange(lo, hi);
          }
          if (type == Abi.VAL_MASK_ALL || type == Abi.VAL_MASK_ANY) {
            if (lo == 0 || hi != 0) {
              throw new TableFormatException(
                  Abi.TERR_VALUE, v + Abi.Val.LO, what + " mask is zero or has a high bound");
            }
            yield new FieldMatcher.Mask(lo, type == Abi.VAL_MASK_ALL);
          }
          throw new TableFormatException(
              Abi.TERR_VALUE,
              v + Abi.Val.TYPE,
              what + " has type " + type + ", not a range or mask");
        }
      };
    }

    /** The values of one field selector as one matcher (the compiler writes one kind per field). */
    private static FieldMatcher fieldMatcher(List<Object> vs) {
      Object first = vs.getFirst();
      if (first instanceof Str) {
        return new FieldMatcher.Str(path(vs).orElseThrow());
      }
      if (first instanceof Cidr) {
        return new FieldMatcher.Addr(vs.stream().map(Cidr.class::cast).toList());
      }
      if (first instanceof FieldMatcher.Mask m && vs.size() == 1) {
        return m;
      }
      return new FieldMatcher.Ints(
          vs.stream()
              .map(o -> o instanceof FieldMatcher.IntRange r ? r : new FieldMatcher.IntRange(0, -1))
              .toList());
    }

    /** One value, checked against its slot: a {@link Str}, a {@link Range} or a {@link Cidr}. */
    private Object value(int slot, long v, String what) throws TableFormatException {
      int type = u8(v + Abi.Val.TYPE);
      int prefixLen = u8(v + Abi.Val.PREFIX_LEN);
      int strLen = u16(v + Abi.Val.STR_LEN);
      long strOff = u32(v + Abi.Val.STR_OFF);
      long lo = i64(v + Abi.Val.LO);
      long hi = i64(v + Abi.Val.HI);
      byte[] addr = t.asSlice(v + Abi.Val.ADDR, 16).toArray(JAVA_BYTE);
      boolean addrZero = allZero(addr, 0);
      String at = what + " value " + (v - valuesAt) / Abi.Val.SIZE;
      switch (slot) {
        case Abi.SEL_BINARY, Abi.SEL_OBJECT, Abi.SEL_PARENT, Abi.SEL_ANCESTOR, Abi.SEL_ARGV -> {
          if (type != Abi.VAL_EXACT
              && (slot == Abi.SEL_ARGV || (type != Abi.VAL_PREFIX && type != Abi.VAL_GLOB))) {
            throw new TableFormatException(
                Abi.TERR_VALUE,
                v + Abi.Val.TYPE,
                at + " has type " + type + ", not a string type for slot " + slot);
          }
          if (prefixLen != 0 || lo != 0 || hi != 0 || !addrZero) {
            throw new TableFormatException(
                Abi.TERR_VALUE, v, at + " is a string with non-zero range or network fields");
          }
          if (strLen == 0 || strLen > Abi.TABLE_STR_MAX || strOff + strLen > nStrings) {
            throw new TableFormatException(
                Abi.TERR_STRING,
                v + Abi.Val.STR_OFF,
                at
                    + " string ["
                    + strOff
                    + ", "
                    + (strOff + strLen)
                    + ") is empty, longer than FTG_TABLE_STR_MAX or outside the "
                    + nStrings
                    + "-byte string area");
          }
          byte[] b = t.asSlice(stringsAt + strOff, strLen).toArray(JAVA_BYTE);
          for (byte x : b) {
            if (x == 0) {
              throw new TableFormatException(
                  Abi.TERR_STRING, v + Abi.Val.STR_OFF, at + " string contains a NUL");
            }
          }
          String s;
          try {
            s =
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
          } catch (CharacterCodingException e) {
            throw new TableFormatException(
                Abi.TERR_STRING, v + Abi.Val.STR_OFF, at + " string is not valid UTF-8");
          }
          if (type == Abi.VAL_GLOB && !globValid(b)) {
            throw new TableFormatException(
                Abi.TERR_GLOB,
                v + Abi.Val.STR_OFF,
                at
                    + " glob '"
                    + s
                    + "' has more than "
                    + Abi.GLOB_STARS
                    + " '*' or an unclosed class");
          }
          return new Str(type, s);
        }
        case Abi.SEL_UID, Abi.SEL_EUID, Abi.SEL_PORT -> {
          if (type != Abi.VAL_RANGE) {
            throw new TableFormatException(
                Abi.TERR_VALUE, v + Abi.Val.TYPE, at + " has type " + type + ", not FTG_VAL_RANGE");
          }
          long max = slot == Abi.SEL_PORT ? 65_535 : 0xfffffffeL;
          if (prefixLen != 0
              || strLen != 0
              || strOff != 0
              || !addrZero
              || Long.compareUnsigned(lo, hi) > 0
              || Long.compareUnsigned(hi, max) > 0) {
            throw new TableFormatException(
                Abi.TERR_VALUE,
                v + Abi.Val.LO,
                at
                    + " range "
                    + Long.toUnsignedString(lo)
                    + "-"
                    + Long.toUnsignedString(hi)
                    + " is empty, above "
                    + max
                    + ", or has non-range fields set");
          }
          return new Range(lo, hi);
        }
        case Abi.SEL_ADDRESS -> {
          if (type != Abi.VAL_CIDR4 && type != Abi.VAL_CIDR6) {
            throw new TableFormatException(
                Abi.TERR_VALUE, v + Abi.Val.TYPE, at + " has type " + type + ", not a network");
          }
          if (strLen != 0 || strOff != 0 || lo != 0 || hi != 0) {
            throw new TableFormatException(
                Abi.TERR_VALUE, v, at + " is a network with non-zero string or range fields");
          }
          int bits = type == Abi.VAL_CIDR4 ? 32 : 128;
          if (prefixLen > bits || (bits == 32 && !allZero(addr, 4))) {
            throw new TableFormatException(
                Abi.TERR_VALUE,
                v + Abi.Val.PREFIX_LEN,
                at
                    + " network has prefix length "
                    + prefixLen
                    + " (at most "
                    + bits
                    + ") or bytes past an IPv4 address");
          }
          for (int i = prefixLen; i < bits; i++) {
            if ((addr[i / 8] & (0x80 >> (i % 8))) != 0) {
              throw new TableFormatException(
                  Abi.TERR_VALUE,
                  v + Abi.Val.ADDR,
                  at + " network has host bits set past /" + prefixLen);
            }
          }
          try {
            InetAddress a =
                bits == 32
                    ? InetAddress.getByAddress(Arrays.copyOf(addr, 4))
                    : Inet6Address.getByAddress(null, addr, -1);
            return new Cidr(a, prefixLen);
          } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
          }
        }
        default -> throw new AssertionError("slot " + slot);
      }
    }

    /** The kernel's check: every class closed, at most FTG_GLOB_STARS '*' outside classes. */
    private static boolean globValid(byte[] p) {
      int stars = 0;
      int i = 0;
      while (i < p.length) {
        if (p[i] == '[') {
          int j = i + 1;
          if (j < p.length && (p[j] == '!' || p[j] == '^')) {
            j++;
          }
          int start = j;
          while (j < p.length && (p[j] != ']' || j == start)) {
            j += j + 2 < p.length && p[j + 1] == '-' && p[j + 2] != ']' ? 3 : 1;
          }
          if (j >= p.length) {
            return false;
          }
          i = j + 1;
          continue;
        }
        if (p[i] == '*' && ++stars > Abi.GLOB_STARS) {
          return false;
        }
        i++;
      }
      return true;
    }

    /** A NUL-terminated, NUL-padded name of [a-z0-9-], as the kernel requires. */
    private String name(long at, String what) throws TableFormatException {
      int n = 0;
      while (n < Abi.NAME_LEN && t.get(JAVA_BYTE, at + n) != 0) {
        byte c = t.get(JAVA_BYTE, at + n);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          throw new TableFormatException(
              Abi.TERR_NAME,
              at,
              what
                  + " name has byte 0x"
                  + Integer.toHexString(c & 0xff)
                  + " at "
                  + n
                  + ", not [a-z0-9-]");
        }
        n++;
      }
      if (n == 0 || n == Abi.NAME_LEN) {
        throw new TableFormatException(
            Abi.TERR_NAME, at, what + " name is empty or not NUL-terminated");
      }
      for (int i = n; i < Abi.NAME_LEN; i++) {
        if (t.get(JAVA_BYTE, at + i) != 0) {
          throw new TableFormatException(Abi.TERR_NAME, at, what + " name is not NUL-padded");
        }
      }
      return new String(t.asSlice(at, n).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    private static Optional<PathMatcher> path(List<Object> values) {
      if (values == null) {
        return Optional.empty();
      }
      List<String> exact = new ArrayList<>();
      List<String> prefix = new ArrayList<>();
      List<String> glob = new ArrayList<>();
      for (Object o : values) {
        Str s = (Str) o;
        (s.type() == Abi.VAL_EXACT ? exact : s.type() == Abi.VAL_PREFIX ? prefix : glob).add(s.s());
      }
      return Optional.of(new PathMatcher(exact, prefix, glob));
    }

    private static Optional<RangeMatcher> range(List<Object> values, boolean negated) {
      return values == null
          ? Optional.empty()
          : Optional.of(new RangeMatcher(negated, values.stream().map(Range.class::cast).toList()));
    }

    /** The constants whose {@link TableCompiler} bit ({@code encode}) is set in {@code mask}. */
    private static <E extends Enum<E>> Set<E> decodeMask(
        Class<E> type, ToIntFunction<E> encode, int mask) {
      Set<E> out = EnumSet.noneOf(type);
      for (E e : type.getEnumConstants()) {
        if ((mask & encode.applyAsInt(e)) != 0) {
          out.add(e);
        }
      }
      return out;
    }

    private static int bits(int... slots) {
      int b = 0;
      for (int s : slots) {
        b |= 1 << s;
      }
      return b;
    }

    private static boolean allZero(byte[] b, int from) {
      for (int i = from; i < b.length; i++) {
        if (b[i] != 0) {
          return false;
        }
      }
      return true;
    }

    private int u8(long at) {
      return Byte.toUnsignedInt(t.get(JAVA_BYTE, at));
    }

    private int u16(long at) {
      return Short.toUnsignedInt(t.get(JAVA_SHORT_UNALIGNED, at));
    }

    private int i32(long at) {
      return t.get(JAVA_INT_UNALIGNED, at);
    }

    private long u32(long at) {
      return Integer.toUnsignedLong(i32(at));
    }

    private long i64(long at) {
      return t.get(JAVA_LONG_UNALIGNED, at);
    }
  }
}
