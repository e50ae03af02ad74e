package dev.ftguard.policy.table;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.policy.Access;
import dev.ftguard.policy.Actions;
import dev.ftguard.policy.Cidr;
import dev.ftguard.policy.DenyErrnos;
import dev.ftguard.policy.FieldMatcher;
import dev.ftguard.policy.Gain;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.Match;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.ToIntFunction;

/** The rules of a table ({@code struct ftg_rule}), each checked as the kernel checks it. */
final class RuleReader extends TableBytes {
  private final int nPolicies;
  private final long valuesAt;
  private final int nValues;
  private final List<HookDecl> hooks;
  private final ValueReader values;

  RuleReader(
      byte[] bytes,
      int nPolicies,
      long valuesAt,
      int nValues,
      List<HookDecl> hooks,
      ValueReader values) {
    super(bytes);
    this.nPolicies = nPolicies;
    this.valuesAt = valuesAt;
    this.nValues = nValues;
    this.hooks = hooks;
    this.values = values;
  }

  CompiledRule rule(int index, long r, long prevPolicy) throws TableFormatException {
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
    OptionalInt errno = errno(r, what, action);
    int flags = i32(r + Abi.Rul.FLAGS);
    int[][] sel = selectors(r);
    checkFlags(r, what, kind, flags, sel);
    int mask = i32(r + Abi.Rul.MASK);
    checkMask(r, what, kind, mask);
    if (u32(r + Abi.Rul.RESERVED) != 0) {
      throw new TableFormatException(
          Abi.TERR_FLAGS, r + Abi.Rul.RESERVED, what + " has a non-zero reserved field");
    }
    HookDecl hook = hook(r, what, kind, action);
    java.util.SequencedMap<String, FieldMatcher> fieldSel = fieldSelectors(r, what, hook);
    List<Object>[] vals = slotValues(r, what, kind, sel);
    Match match = match(kind, vals, flags, mask, hook, fieldSel);
    return new CompiledRule(index, name, kind, action, errno, match);
  }

  /** The errno of a deny rule (one a policy can name), none for other actions. */
  private OptionalInt errno(long r, String what, Action action) throws TableFormatException {
    int err = u16(r + Abi.Rul.ERR);
    OptionalInt errno = OptionalInt.empty();
    if (Actions.denies(action)) {
      String errName = dev.ftguard.abi.Errno.name(err);
      errno = DenyErrnos.allows(err) ? OptionalInt.of(err) : OptionalInt.empty();
      if (err < 1 || err > Abi.ERRNO_MAX || errno.isEmpty()) {
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
    return errno;
  }

  /** {first, count} of each {@code sel[]} slot. */
  private int[][] selectors(long r) {
    int[][] sel = new int[Abi.SELS][];
    for (int slot = 0; slot < Abi.SELS; slot++) {
      long s = r + Abi.Rul.SEL + slot * Abi.Rul.SEL_SIZE;
      sel[slot] = new int[] {i32(s + Abi.Rul.SEL_FIRST), i32(s + Abi.Rul.SEL_COUNT)};
    }
    return sel;
  }

  private void checkFlags(long r, String what, Kind kind, int flags, int[][] sel)
      throws TableFormatException {
    int allowedFlags = kind.allowedFlags();
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
  }

  private void checkMask(long r, String what, Kind kind, int mask) throws TableFormatException {
    int allowedMask = kind.allowedMask();
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
  }

  /** The hook of a call rule (null for other kinds), with the actions a call rule may have. */
  private HookDecl hook(long r, String what, Kind kind, Action action) throws TableFormatException {
    long hookIndex = u32(r + Abi.Rul.HOOK);
    HookDecl hook = null;
    if (kind == Kind.CALL) {
      if (hookIndex >= hooks.size()) {
        throw new TableFormatException(
            Abi.TERR_HOOK,
            r + Abi.Rul.HOOK,
            what + " is on hook " + hookIndex + " of " + hooks.size());
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
    return hook;
  }

  /** A call rule's selectors on its hook's fields ({@code fields[]}), by field name. */
  private java.util.SequencedMap<String, FieldMatcher> fieldSelectors(
      long r, String what, HookDecl hook) throws TableFormatException {
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
        vs.add(
            values.fieldValue(
                fr.field(), valuesAt + v * Abi.Val.SIZE, what + " field " + fr.name()));
      }
      fieldSel.put(fr.name(), ValueReader.fieldMatcher(vs));
    }
    return fieldSel;
  }

  /** The values of each {@code sel[]} slot (null: none), each slot allowed for {@code kind}. */
  private List<Object>[] slotValues(long r, String what, Kind kind, int[][] sel)
      throws TableFormatException {
    int allowedSlots = Abi.kindSlots(kind.value());
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
      if ((allowedSlots & Abi.slot(slot)) == 0
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
        vals[slot].add(values.value(slot, valuesAt + v * Abi.Val.SIZE, what));
      }
    }
    return vals;
  }

  private static Match match(
      Kind kind,
      List<Object>[] vals,
      int flags,
      int mask,
      HookDecl hook,
      java.util.SequencedMap<String, FieldMatcher> fieldSel) {
    return switch (kind) {
      case EXEC ->
          new Match.Exec(
              ValueReader.path(vals[Abi.SEL_BINARY]),
              ValueReader.path(vals[Abi.SEL_PARENT]),
              ValueReader.path(vals[Abi.SEL_ANCESTOR]),
              ValueReader.range(vals[Abi.SEL_UID], (flags & Abi.RULE_NEGATE_UID) != 0),
              ValueReader.range(vals[Abi.SEL_EUID], (flags & Abi.RULE_NEGATE_EUID) != 0),
              vals[Abi.SEL_ARGV] == null
                  ? List.of()
                  : vals[Abi.SEL_ARGV].stream().map(o -> ((ValueReader.Str) o).s()).toList(),
              (flags & Abi.RULE_FILELESS_SET) != 0
                  ? Optional.of((flags & Abi.RULE_FILELESS) != 0)
                  : Optional.empty(),
              (flags & Abi.RULE_TEMPDIR_SET) != 0
                  ? Optional.of((flags & Abi.RULE_TEMPDIR) != 0)
                  : Optional.empty(),
              vals[Abi.SEL_SHA256] == null
                  ? List.of()
                  : vals[Abi.SEL_SHA256].stream().map(o -> ((ValueReader.Str) o).s()).toList());
      case OPEN ->
          new Match.Open(
              ValueReader.path(vals[Abi.SEL_OBJECT]),
              decodeMask(Access.class, Access::bit, mask),
              ValueReader.path(vals[Abi.SEL_BINARY]));
      case CONNECT ->
          new Match.Connect(
              vals[Abi.SEL_ADDRESS] == null
                  ? List.of()
                  : vals[Abi.SEL_ADDRESS].stream().map(Cidr.class::cast).toList(),
              ValueReader.range(vals[Abi.SEL_PORT], (flags & Abi.RULE_NEGATE_PORT) != 0),
              ValueReader.path(vals[Abi.SEL_BINARY]));
      case MODULE_LOAD ->
          new Match.ModuleLoad(
              ValueReader.path(vals[Abi.SEL_OBJECT]), ValueReader.path(vals[Abi.SEL_BINARY]));
      case PTRACE ->
          new Match.Ptrace(
              ValueReader.path(vals[Abi.SEL_OBJECT]), ValueReader.path(vals[Abi.SEL_BINARY]));
      case PRIVILEGE ->
          new Match.Privilege(
              ValueReader.path(vals[Abi.SEL_BINARY]), decodeMask(Gain.class, Gain::bit, mask));
      case CALL -> new Match.Call(hook, fieldSel, ValueReader.path(vals[Abi.SEL_BINARY]));
    };
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
}
