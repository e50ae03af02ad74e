package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.Access;
import dev.ftguard.policy.Cidr;
import dev.ftguard.policy.FieldMatcher;
import dev.ftguard.policy.Gain;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.PathMatcher;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.Range;
import dev.ftguard.policy.RangeMatcher;
import dev.ftguard.policy.Rule;
import dev.ftguard.policy.Selector;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Compiles a validated {@link PolicySet} into the kernel's rule table ({@code struct
 * ftg_table_header} and its sections, {@code kmod/include/uapi/ftguard.h}), in host byte order.
 *
 * <p>Layout: the header, then the policies (in {@link PolicySet#policies()} order, which is
 * evaluation order), the rules (grouped by policy, in document order; {@code rule.policy} is the
 * policy's index), the values (per rule, per slot in slot order, then per call field; a path
 * selector's values are its exact, then prefix, then glob values), the string bytes (identical
 * strings stored once), the declared hooks (one per function, in first-declaration order) and their
 * arguments. Each section starts at a multiple of 8; the size is the end of the arguments rounded
 * up to 8. Sections of an empty set all start right after the header, with count 0.
 *
 * <p>Selectors to slots: exec {@code binary} BINARY, {@code parentBinary} PARENT, {@code
 * ancestorBinary} ANCESTOR, {@code uid} UID, {@code euid} EUID (each {@code notIn} sets its NEGATE
 * flag), {@code argvContains} ARGV (exact values), {@code fileless} and {@code fromTempDir} flags;
 * open {@code path} OBJECT, {@code access} mask, {@code binary} BINARY; connect {@code address}
 * ADDRESS (CIDR4/CIDR6), {@code port} PORT, {@code binary} BINARY; module_load {@code name} OBJECT;
 * ptrace {@code target} OBJECT; privilege {@code gains} mask; every {@code binary} BINARY.
 */
public final class TableCompiler {
  private TableCompiler() {}

  /**
   * The table for {@code set}; an empty set gives a valid table without rules (which removes every
   * rule when written).
   *
   * @throws TableTooLargeException the table would exceed a kernel limit
   * @throws IllegalArgumentException the set holds what validation never lets through (a name that
   *     is not a policy name, an empty string or selector, a NUL in a string)
   */
  public static byte[] compile(PolicySet set) throws TableTooLargeException {
    return new TableCompiler.Builder(set).build();
  }

  /** A value before layout: its type and either a string, a range or a network. */
  private record Value(int type, String str, long lo, long hi, byte[] addr, int prefixLen) {
    static Value string(int type, String s) {
      return new Value(type, s, 0, 0, null, 0);
    }

    static Value range(Range r) {
      return new Value(Abi.VAL_RANGE, null, r.low(), r.high(), null, 0);
    }

    static Value cidr(Cidr c) {
      byte[] a = c.address().getAddress();
      return new Value(
          a.length == 4 ? Abi.VAL_CIDR4 : Abi.VAL_CIDR6, null, 0, 0, a, c.prefixLength());
    }
  }

  /** A rule before layout: its values by slot (null: absent), flags and mask. */
  /**
   * One rule's values by slot ({@code 0..SELS-1}: {@code sel[]}; then {@code fields[]} of a call
   * rule), flags, mask and hook index (-1: none).
   */
  private record Slots(List<List<Value>> bySlot, int flags, int mask, int hook) {}

  private static final class Builder {
    private final PolicySet set;
    private final List<Slots> compiled = new ArrayList<>();

    /** Offsets of the distinct strings in the string area, in first-use order. */
    private final Map<String, Integer> stringOffsets = new LinkedHashMap<>();

    private long stringTotal;

    /** Declared hooks by function, in first-declaration order (one entry per function). */
    private final Map<String, HookDecl> hooks = new LinkedHashMap<>();

    private final List<String> hookOrder = new ArrayList<>();

    Builder(PolicySet set) {
      this.set = set;
    }

    byte[] build() throws TableTooLargeException {
      List<Policy> policies = set.policies();
      if (policies.size() > Abi.TABLE_POLICIES_MAX) {
        throw new TableTooLargeException(
            "FTG_TABLE_POLICIES_MAX",
            "policies",
            policies.size(),
            Abi.TABLE_POLICIES_MAX,
            "the policy set",
            "merge policies");
      }
      int ruleCount = set.ruleCount();
      if (ruleCount > Abi.TABLE_RULES_MAX) {
        throw new TableTooLargeException(
            "FTG_TABLE_RULES_MAX",
            "rules",
            ruleCount,
            Abi.TABLE_RULES_MAX,
            "the policy set",
            "merge rules: one rule takes many values through lists, prefixes and globs");
      }
      long values = 0;
      for (Policy p : policies) {
        for (HookDecl h : p.hooks()) {
          HookDecl prev = hooks.putIfAbsent(h.function(), h);
          if (prev == null) {
            hookOrder.add(h.function());
          } else if (!prev.sameAs(h)) {
            throw new IllegalArgumentException(
                "function "
                    + h.function()
                    + " is declared differently at "
                    + prev.location()
                    + " and "
                    + h.location());
          }
        }
      }
      if (hooks.size() > Abi.TABLE_HOOKS_MAX) {
        throw new TableTooLargeException(
            "FTG_TABLE_HOOKS_MAX",
            "hooked functions",
            hooks.size(),
            Abi.TABLE_HOOKS_MAX,
            "the policy set",
            "hook fewer functions");
      }
      int argCount = hooks.values().stream().mapToInt(h -> h.args().size()).sum();
      for (Policy p : policies) {
        checkName(p.name(), "policy '" + p.name() + "'");
        for (Rule r : p.rules()) {
          checkName(r.name(), "rule '" + r.name() + "' in policy '" + p.name() + "'");
          Slots s = slots(p, r);
          compiled.add(s);
          for (List<Value> v : s.bySlot()) {
            values += v == null ? 0 : v.size();
          }
        }
      }
      if (values > Abi.TABLE_VALUES_MAX) {
        throw new TableTooLargeException(
            "FTG_TABLE_VALUES_MAX",
            "selector values",
            values,
            Abi.TABLE_VALUES_MAX,
            "the policy set",
            "replace long exact lists with prefix or glob values, or share lists between fewer rules");
      }
      long policiesAt = Abi.Table.SIZE;
      long rulesAt = align(policiesAt + policies.size() * Abi.Pol.SIZE);
      long valuesAt = align(rulesAt + (long) ruleCount * Abi.Rul.SIZE);
      long stringsAt = align(valuesAt + values * Abi.Val.SIZE);
      long stringBytes = stringBytes();
      long hooksAt = align(stringsAt + stringBytes);
      long argsAt = align(hooksAt + hooks.size() * Abi.HookDecl.SIZE);
      long size = align(argsAt + argCount * Abi.ArgDecl.SIZE);
      if (size > Abi.TABLE_MAX) {
        throw new TableTooLargeException(
            "FTG_TABLE_MAX",
            "bytes",
            size,
            Abi.TABLE_MAX,
            "the table",
            "it holds "
                + policies.size()
                + " policies, "
                + ruleCount
                + " rules, "
                + values
                + " values and "
                + stringBytes
                + " string bytes: use fewer values (prefix or glob"
                + " instead of long exact lists)");
      }

      MemorySegment t = MemorySegment.ofArray(new byte[(int) size]);
      t.set(JAVA_INT_UNALIGNED, Abi.Table.MAGIC, Abi.TABLE_MAGIC);
      t.set(JAVA_INT_UNALIGNED, Abi.Table.VERSION, Abi.TABLE_VERSION);
      t.set(JAVA_INT_UNALIGNED, Abi.Table.TABLE_SIZE, (int) size);
      t.set(JAVA_INT_UNALIGNED, Abi.Table.FLAGS, 0);
      section(t, Abi.Table.POLICIES, policiesAt, policies.size());
      section(t, Abi.Table.RULES, rulesAt, ruleCount);
      section(t, Abi.Table.VALUES, valuesAt, values);
      section(t, Abi.Table.STRINGS, stringsAt, stringBytes);
      section(t, Abi.Table.HOOKS, hooksAt, hooks.size());
      section(t, Abi.Table.ARGS, argsAt, argCount);
      int argIndex = 0;
      for (int hi = 0; hi < hookOrder.size(); hi++) {
        HookDecl h = hooks.get(hookOrder.get(hi));
        long hAt = hooksAt + hi * Abi.HookDecl.SIZE;
        name(t, hAt + Abi.HookDecl.FUNCTION, h.function());
        t.set(JAVA_INT_UNALIGNED, hAt + Abi.HookDecl.FLAGS, h.syscall() ? Abi.HOOKDECL_SYSCALL : 0);
        t.set(JAVA_INT_UNALIGNED, hAt + Abi.HookDecl.FIRST_ARG, argIndex);
        t.set(JAVA_INT_UNALIGNED, hAt + Abi.HookDecl.NR_ARGS, h.args().size());
        for (HookDecl.Arg a : h.args()) {
          long aAt = argsAt + argIndex * Abi.ArgDecl.SIZE;
          name(t, aAt + Abi.ArgDecl.NAME, a.name());
          t.set(JAVA_BYTE, aAt + Abi.ArgDecl.TYPE, (byte) a.type().abiType());
          t.set(JAVA_BYTE, aAt + Abi.ArgDecl.POSITION, (byte) a.position());
          t.set(JAVA_BYTE, aAt + Abi.ArgDecl.ARG_SIZE, (byte) a.type().size());
          t.set(
              JAVA_BYTE, aAt + Abi.ArgDecl.FLAGS, (byte) (a.type().signed() ? Abi.ARGF_SIGNED : 0));
          t.set(JAVA_SHORT_UNALIGNED, aAt + Abi.ArgDecl.MAX_LEN, (short) a.maxLength());
          argIndex++;
        }
      }

      int ruleIndex = 0;
      int valueIndex = 0;
      for (int pi = 0; pi < policies.size(); pi++) {
        Policy p = policies.get(pi);
        long pAt = policiesAt + pi * Abi.Pol.SIZE;
        name(t, pAt + Abi.Pol.NAME, p.name());
        t.set(JAVA_INT_UNALIGNED, pAt + Abi.Pol.MODE, p.mode().value());
        t.set(JAVA_INT_UNALIGNED, pAt + Abi.Pol.PRIORITY, p.priority());
        for (Rule r : p.rules()) {
          Slots s = compiled.get(ruleIndex);
          long rAt = rulesAt + ruleIndex * Abi.Rul.SIZE;
          name(t, rAt + Abi.Rul.NAME, r.name());
          t.set(JAVA_INT_UNALIGNED, rAt + Abi.Rul.POLICY, pi);
          t.set(JAVA_BYTE, rAt + Abi.Rul.KIND, (byte) r.event().value());
          t.set(JAVA_BYTE, rAt + Abi.Rul.ACTION, (byte) r.action().value());
          t.set(JAVA_SHORT_UNALIGNED, rAt + Abi.Rul.ERR, (short) r.errno().orElse(0));
          t.set(JAVA_INT_UNALIGNED, rAt + Abi.Rul.FLAGS, s.flags());
          t.set(JAVA_INT_UNALIGNED, rAt + Abi.Rul.MASK, s.mask());
          if (s.hook() >= 0) {
            t.set(JAVA_INT_UNALIGNED, rAt + Abi.Rul.HOOK, s.hook());
          }
          for (int slot = 0; slot < s.bySlot().size(); slot++) {
            List<Value> vs = s.bySlot().get(slot);
            if (vs == null) {
              continue;
            }
            long selAt =
                slot < Abi.SELS
                    ? rAt + Abi.Rul.SEL + slot * Abi.Rul.SEL_SIZE
                    : rAt + Abi.Rul.FIELDS + (slot - Abi.SELS) * Abi.Rul.SEL_SIZE;
            t.set(JAVA_INT_UNALIGNED, selAt + Abi.Rul.SEL_FIRST, valueIndex);
            t.set(JAVA_INT_UNALIGNED, selAt + Abi.Rul.SEL_COUNT, vs.size());
            for (Value v : vs) {
              value(t, valuesAt + (long) valueIndex * Abi.Val.SIZE, v);
              valueIndex++;
            }
          }
          ruleIndex++;
        }
      }
      for (var e : stringOffsets.entrySet()) {
        byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, t, JAVA_BYTE, stringsAt + e.getValue(), b.length);
      }
      return t.toArray(JAVA_BYTE);
    }

    /**
     * Gives every distinct string value its offset (in layout order) and returns the string area's
     * size; the bytes are written once the table's size is known to be within bounds.
     */
    private long stringBytes() {
      for (Slots s : compiled) {
        for (List<Value> vs : s.bySlot()) {
          if (vs != null) {
            for (Value v : vs) {
              if (v.str() != null) {
                intern(v.str());
              }
            }
          }
        }
      }
      return stringTotal;
    }

    private void intern(String s) {
      if (!stringOffsets.containsKey(s)) {
        stringOffsets.put(s, (int) stringTotal);
        stringTotal += s.getBytes(StandardCharsets.UTF_8).length;
      }
    }

    private void value(MemorySegment t, long at, Value v) {
      t.set(JAVA_BYTE, at + Abi.Val.TYPE, (byte) v.type());
      if (v.str() != null) {
        t.set(
            JAVA_SHORT_UNALIGNED,
            at + Abi.Val.STR_LEN,
            (short) v.str().getBytes(StandardCharsets.UTF_8).length);
        t.set(JAVA_INT_UNALIGNED, at + Abi.Val.STR_OFF, stringOffsets.get(v.str()));
      } else if (v.addr() != null) {
        t.set(JAVA_BYTE, at + Abi.Val.PREFIX_LEN, (byte) v.prefixLen());
        MemorySegment.copy(v.addr(), 0, t, JAVA_BYTE, at + Abi.Val.ADDR, v.addr().length);
      } else {
        t.set(JAVA_LONG_UNALIGNED, at + Abi.Val.LO, v.lo());
        t.set(JAVA_LONG_UNALIGNED, at + Abi.Val.HI, v.hi());
      }
    }

    /** The values by slot, flags and mask of one rule, with the per-selector limits checked. */
    private Slots slots(Policy p, Rule r) throws TableTooLargeException {
      List<List<Value>> by = new ArrayList<>();
      for (int i = 0; i < Abi.SELS + Abi.CALL_FIELDS_MAX; i++) {
        by.add(null);
      }
      int hook = -1;
      int flags = 0;
      int mask = 0;
      Ctx c = new Ctx(p, r, by);
      switch (r.match()) {
        case Match.Exec m -> {
          c.path(Selector.BINARY, m.binary());
          c.path(Selector.PARENT_BINARY, m.parentBinary());
          c.path(Selector.ANCESTOR_BINARY, m.ancestorBinary());
          flags |= c.range(Selector.UID, m.uid());
          flags |= c.range(Selector.EUID, m.euid());
          if (!m.argvContains().isEmpty()) {
            c.put(
                Selector.ARGV_CONTAINS.slot(),
                Selector.ARGV_CONTAINS.yamlName(),
                m.argvContains().stream()
                    .map(a -> c.string(Abi.VAL_EXACT, Selector.ARGV_CONTAINS.yamlName(), a))
                    .toList());
          }
          if (m.fileless().isPresent()) {
            flags |= Abi.RULE_FILELESS_SET | (m.fileless().get() ? Abi.RULE_FILELESS : 0);
          }
          if (m.fromTempDir().isPresent()) {
            flags |= Abi.RULE_TEMPDIR_SET | (m.fromTempDir().get() ? Abi.RULE_TEMPDIR : 0);
          }
        }
        case Match.Open m -> {
          c.path(Selector.PATH, m.path());
          c.path(Selector.BINARY, m.binary());
          mask = mask(m.access(), Access::bit);
        }
        case Match.Connect m -> {
          if (!m.address().isEmpty()) {
            c.put(
                Selector.ADDRESS.slot(),
                Selector.ADDRESS.yamlName(),
                m.address().stream().map(Value::cidr).toList());
          }
          flags |= c.range(Selector.PORT, m.port());
          c.path(Selector.BINARY, m.binary());
        }
        case Match.ModuleLoad m -> {
          c.path(Selector.NAME, m.name());
          c.path(Selector.BINARY, m.binary());
        }
        case Match.Ptrace m -> {
          c.path(Selector.TARGET, m.target());
          c.path(Selector.BINARY, m.binary());
        }
        case Match.Privilege m -> {
          c.path(Selector.BINARY, m.binary());
          mask = mask(m.gains(), Gain::bit);
        }
        case Match.Call m -> {
          hook = hookOrder.indexOf(m.hook().function());
          if (hook < 0) {
            throw new IllegalArgumentException(
                c.where("function") + ": " + m.hook().function() + " is not declared");
          }
          c.path(Selector.BINARY, m.binary());
          List<HookDecl.FieldRef> fields = m.hook().fields();
          for (HookDecl.FieldRef f : fields) {
            FieldMatcher fm = m.args().get(f.name());
            if (fm != null) {
              c.put(Abi.SELS + f.index(), "args." + f.name(), c.fieldValues(f.name(), fm));
            }
          }
        }
      }
      c.done();
      return new Slots(by, flags, mask, hook);
    }
  }

  /** Collects one rule's selectors; the first limit broken is thrown by {@link #done()}. */
  private static final class Ctx {
    final Policy p;
    final Rule r;
    final List<List<Value>> by;
    TableTooLargeException failed;

    Ctx(Policy p, Rule r, List<List<Value>> by) {
      this.p = p;
      this.r = r;
      this.by = by;
    }

    String where(String selector) {
      return "selector '" + selector + "' of rule '" + r.name() + "' in policy '" + p.name() + "'";
    }

    void put(int slot, String selector, List<Value> values) {
      if (values.isEmpty()) {
        throw new IllegalArgumentException(where(selector) + " has no values");
      }
      if (values.size() > Abi.TABLE_SEL_MAX && failed == null) {
        failed =
            new TableTooLargeException(
                "FTG_TABLE_SEL_MAX",
                "values",
                values.size(),
                Abi.TABLE_SEL_MAX,
                where(selector),
                "split the values over several rules, or use prefix or glob values instead of long"
                    + " exact lists");
      }
      by.set(slot, values);
    }

    Value string(int type, String selector, String s) {
      if (s.isEmpty() || s.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            where(selector) + " has an empty value or one with a NUL: '" + s + "'");
      }
      int bytes = s.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > Abi.TABLE_STR_MAX && failed == null) {
        failed =
            new TableTooLargeException(
                "FTG_TABLE_STR_MAX",
                "bytes in value '" + s + "'",
                bytes,
                Abi.TABLE_STR_MAX,
                where(selector),
                "shorten it, e.g. to a prefix or a glob");
      }
      return Value.string(type, s);
    }

    List<Value> fieldValues(String field, FieldMatcher fm) {
      String selector = "args." + field;
      return switch (fm) {
        case FieldMatcher.Ints i ->
            i.ranges().stream()
                .map(r -> new Value(Abi.VAL_RANGE, null, r.low(), r.high(), null, 0))
                .toList();
        case FieldMatcher.Mask mk ->
            List.of(
                new Value(
                    mk.all() ? Abi.VAL_MASK_ALL : Abi.VAL_MASK_ANY, null, mk.bits(), 0, null, 0));
        case FieldMatcher.Str str -> {
          List<Value> v = new ArrayList<>();
          str.matcher().exact().forEach(x -> v.add(string(Abi.VAL_EXACT, selector, x)));
          str.matcher().prefix().forEach(x -> v.add(string(Abi.VAL_PREFIX, selector, x)));
          str.matcher().glob().forEach(x -> v.add(string(Abi.VAL_GLOB, selector, x)));
          yield v;
        }
        case FieldMatcher.Addr a -> a.networks().stream().map(Value::cidr).toList();
      };
    }

    void path(Selector sel, Optional<PathMatcher> pm) {
      path(sel.slot(), sel.yamlName(), pm);
    }

    int range(Selector sel, Optional<RangeMatcher> rm) {
      return range(sel.slot(), sel.yamlName(), rm, sel.flags());
    }

    void path(int slot, String selector, Optional<PathMatcher> pm) {
      if (pm.isEmpty()) {
        return;
      }
      List<Value> v = new ArrayList<>();
      pm.get().exact().forEach(s -> v.add(string(Abi.VAL_EXACT, selector, s)));
      pm.get().prefix().forEach(s -> v.add(string(Abi.VAL_PREFIX, selector, s)));
      pm.get().glob().forEach(s -> v.add(string(Abi.VAL_GLOB, selector, s)));
      put(slot, selector, v);
    }

    int range(int slot, String selector, Optional<RangeMatcher> rm, int negateFlag) {
      if (rm.isEmpty()) {
        return 0;
      }
      put(slot, selector, rm.get().ranges().stream().map(Value::range).toList());
      return rm.get().negated() ? negateFlag : 0;
    }

    void done() throws TableTooLargeException {
      if (failed != null) {
        throw failed;
      }
    }
  }

  private static void checkName(String name, String what) throws TableTooLargeException {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes >= Abi.NAME_LEN) {
      throw new TableTooLargeException(
          "FTG_NAME_LEN", "name bytes", bytes, Abi.NAME_LEN - 1, what, "shorten the name");
    }
    if (name.isEmpty()
        || !name.chars()
            .allMatch(ch -> (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) {
      throw new IllegalArgumentException(what + ": not a name of [a-z0-9-]");
    }
  }

  private static void name(MemorySegment t, long at, String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    MemorySegment.copy(b, 0, t, JAVA_BYTE, at, b.length);
  }

  private static void section(MemorySegment t, long at, long offset, long count) {
    t.set(JAVA_INT_UNALIGNED, at + Abi.Table.SECTION_OFFSET, (int) offset);
    t.set(JAVA_INT_UNALIGNED, at + Abi.Table.SECTION_COUNT, (int) count);
  }

  static long align(long n) {
    return (n + Abi.Table.SECTION_ALIGN - 1) & -(long) Abi.Table.SECTION_ALIGN;
  }

  /** The bits ({@code bit}) of the constants in {@code set}, or-ed together. */
  private static <E> int mask(Set<E> set, ToIntFunction<E> bit) {
    int mask = 0;
    for (E e : set) {
      mask |= bit.applyAsInt(e);
    }
    return mask;
  }
}
