package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.Rule;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/** Writes a laid-out table: every field of every section, in host byte order. */
final class TableWriter {
  private final TableLayout layout;
  private final StringArea strings;
  private final MemorySegment t;

  TableWriter(TableLayout layout, StringArea strings) {
    this.layout = layout;
    this.strings = strings;
    this.t = MemorySegment.ofArray(new byte[(int) layout.size()]);
  }

  /**
   * The table's bytes: {@code rules} holds the slots of the rules of {@code policies} in order,
   * {@code hooks} the declared hooks in index order; {@code lock} sets {@code FTG_TABLE_F_LOCK}.
   */
  byte[] write(
      List<Policy> policies, List<RuleSlots> rules, Collection<HookDecl> hooks, boolean lock) {
    header(lock);
    hooks(hooks);
    policies(policies, rules);
    strings.write(t, layout.stringsAt());
    return t.toArray(JAVA_BYTE);
  }

  private void header(boolean lock) {
    t.set(JAVA_INT_UNALIGNED, Abi.Table.MAGIC, Abi.TABLE_MAGIC);
    t.set(JAVA_INT_UNALIGNED, Abi.Table.VERSION, Abi.TABLE_VERSION);
    t.set(JAVA_INT_UNALIGNED, Abi.Table.TABLE_SIZE, (int) layout.size());
    t.set(JAVA_INT_UNALIGNED, Abi.Table.FLAGS, lock ? Abi.TABLE_F_LOCK : 0);
    section(Abi.Table.POLICIES, layout.policiesAt(), layout.policies());
    section(Abi.Table.RULES, layout.rulesAt(), layout.rules());
    section(Abi.Table.VALUES, layout.valuesAt(), layout.values());
    section(Abi.Table.STRINGS, layout.stringsAt(), layout.stringBytes());
    section(Abi.Table.HOOKS, layout.hooksAt(), layout.hooks());
    section(Abi.Table.ARGS, layout.argsAt(), layout.args());
  }

  private void section(long at, long offset, long count) {
    t.set(JAVA_INT_UNALIGNED, at + Abi.Table.SECTION_OFFSET, (int) offset);
    t.set(JAVA_INT_UNALIGNED, at + Abi.Table.SECTION_COUNT, (int) count);
  }

  /** The hooks, each with its arguments (consecutive, in hook order) in the argument section. */
  private void hooks(Collection<HookDecl> hooks) {
    int hookIndex = 0;
    int argIndex = 0;
    for (HookDecl h : hooks) {
      long hAt = layout.hooksAt() + hookIndex * Abi.HookDecl.SIZE;
      name(hAt + Abi.HookDecl.FUNCTION, h.function());
      t.set(JAVA_INT_UNALIGNED, hAt + Abi.HookDecl.FLAGS, h.syscall() ? Abi.HOOKDECL_SYSCALL : 0);
      t.set(JAVA_INT_UNALIGNED, hAt + Abi.HookDecl.FIRST_ARG, argIndex);
      t.set(JAVA_INT_UNALIGNED, hAt + Abi.HookDecl.NR_ARGS, h.args().size());
      for (HookDecl.Arg a : h.args()) {
        arg(layout.argsAt() + argIndex * Abi.ArgDecl.SIZE, a);
        argIndex++;
      }
      hookIndex++;
    }
  }

  private void arg(long aAt, HookDecl.Arg a) {
    name(aAt + Abi.ArgDecl.NAME, a.name());
    t.set(JAVA_BYTE, aAt + Abi.ArgDecl.TYPE, (byte) a.type().abiType());
    t.set(JAVA_BYTE, aAt + Abi.ArgDecl.POSITION, (byte) a.position());
    t.set(JAVA_BYTE, aAt + Abi.ArgDecl.ARG_SIZE, (byte) a.type().size());
    t.set(JAVA_BYTE, aAt + Abi.ArgDecl.FLAGS, (byte) (a.type().signed() ? Abi.ARGF_SIGNED : 0));
    t.set(JAVA_SHORT_UNALIGNED, aAt + Abi.ArgDecl.MAX_LEN, (short) a.maxLength());
  }

  /** The policies, and their rules (grouped by policy) with their values. */
  private void policies(List<Policy> policies, List<RuleSlots> rules) {
    int ruleIndex = 0;
    int valueIndex = 0;
    for (int pi = 0; pi < policies.size(); pi++) {
      Policy p = policies.get(pi);
      long pAt = layout.policiesAt() + pi * Abi.Pol.SIZE;
      name(pAt + Abi.Pol.NAME, p.name());
      t.set(JAVA_INT_UNALIGNED, pAt + Abi.Pol.MODE, p.mode().value());
      t.set(JAVA_INT_UNALIGNED, pAt + Abi.Pol.PRIORITY, p.priority());
      for (Rule r : p.rules()) {
        long rAt = layout.rulesAt() + ruleIndex * Abi.Rul.SIZE;
        valueIndex = rule(rAt, pi, r, rules.get(ruleIndex), valueIndex);
        ruleIndex++;
      }
    }
  }

  /** Writes a rule and its values from {@code valueIndex} on; returns the next value's index. */
  private int rule(long rAt, int policy, Rule r, RuleSlots s, int valueIndex) {
    name(rAt + Abi.Rul.NAME, r.name());
    t.set(JAVA_INT_UNALIGNED, rAt + Abi.Rul.POLICY, policy);
    t.set(JAVA_BYTE, rAt + Abi.Rul.KIND, (byte) r.event().value());
    t.set(JAVA_BYTE, rAt + Abi.Rul.ACTION, (byte) r.action().value());
    t.set(JAVA_SHORT_UNALIGNED, rAt + Abi.Rul.ERR, (short) r.errno().orElse(0));
    t.set(JAVA_INT_UNALIGNED, rAt + Abi.Rul.FLAGS, s.flags());
    t.set(JAVA_INT_UNALIGNED, rAt + Abi.Rul.MASK, s.mask());
    if (s.hook() >= 0) {
      t.set(JAVA_INT_UNALIGNED, rAt + Abi.Rul.HOOK, s.hook());
    }
    for (int slot = 0; slot < s.bySlot().size(); slot++) {
      List<TableValue> vs = s.bySlot().get(slot);
      if (vs == null) {
        continue;
      }
      long selAt =
          slot < Abi.SELS
              ? rAt + Abi.Rul.SEL + slot * Abi.Rul.SEL_SIZE
              : rAt + Abi.Rul.FIELDS + (slot - Abi.SELS) * Abi.Rul.SEL_SIZE;
      t.set(JAVA_INT_UNALIGNED, selAt + Abi.Rul.SEL_FIRST, valueIndex);
      t.set(JAVA_INT_UNALIGNED, selAt + Abi.Rul.SEL_COUNT, vs.size());
      for (TableValue v : vs) {
        value(layout.valuesAt() + (long) valueIndex * Abi.Val.SIZE, v);
        valueIndex++;
      }
    }
    return valueIndex;
  }

  private void value(long at, TableValue v) {
    t.set(JAVA_BYTE, at + Abi.Val.TYPE, (byte) v.type());
    if (v.str() != null) {
      t.set(
          JAVA_SHORT_UNALIGNED,
          at + Abi.Val.STR_LEN,
          (short) v.str().getBytes(StandardCharsets.UTF_8).length);
      t.set(JAVA_INT_UNALIGNED, at + Abi.Val.STR_OFF, strings.offset(v.str()));
    } else if (v.addr() != null) {
      t.set(JAVA_BYTE, at + Abi.Val.PREFIX_LEN, (byte) v.prefixLen());
      MemorySegment.copy(v.addr(), 0, t, JAVA_BYTE, at + Abi.Val.ADDR, v.addr().length);
    } else {
      t.set(JAVA_LONG_UNALIGNED, at + Abi.Val.LO, v.lo());
      t.set(JAVA_LONG_UNALIGNED, at + Abi.Val.HI, v.hi());
    }
  }

  private void name(long at, String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    MemorySegment.copy(b, 0, t, JAVA_BYTE, at, b.length);
  }
}
