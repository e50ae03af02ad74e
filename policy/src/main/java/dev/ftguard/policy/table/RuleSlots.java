package dev.ftguard.policy.table;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.Access;
import dev.ftguard.policy.FieldMatcher;
import dev.ftguard.policy.Gain;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.PathMatcher;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.RangeMatcher;
import dev.ftguard.policy.Rule;
import dev.ftguard.policy.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * One rule's values by slot ({@code 0..SELS-1}: {@code sel[]}; then {@code fields[]} of a call
 * rule; null: absent), flags, mask and hook index (-1: none).
 */
record RuleSlots(List<List<TableValue>> bySlot, int flags, int mask, int hook) {

  /** The number of values of all slots. */
  long valueCount() {
    long n = 0;
    for (List<TableValue> v : bySlot) {
      n += v == null ? 0 : v.size();
    }
    return n;
  }

  /**
   * The slots of rule {@code r} of policy {@code p}, with the per-selector limits checked; {@code
   * hookOrder} gives a call rule's hook index.
   *
   * @throws TableTooLargeException a selector has too many values, or a value too many bytes (the
   *     first one found)
   * @throws IllegalArgumentException an empty selector or string, a NUL in a string, or a call
   *     rule's function that is not declared
   */
  static RuleSlots of(Policy p, Rule r, List<String> hookOrder) throws TableTooLargeException {
    Collector c = new Collector(p, r);
    switch (r.match()) {
      case Match.Exec m -> c.exec(m);
      case Match.Open m -> {
        c.path(Selector.PATH, m.path());
        c.path(Selector.BINARY, m.binary());
        c.mask = mask(m.access(), Access::bit);
      }
      case Match.Connect m -> {
        if (!m.address().isEmpty()) {
          c.put(
              Selector.ADDRESS.slot(),
              Selector.ADDRESS.yamlName(),
              m.address().stream().map(TableValue::cidr).toList());
        }
        c.range(Selector.PORT, m.port());
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
        c.mask = mask(m.gains(), Gain::bit);
      }
      case Match.Call m -> c.call(m, hookOrder);
    }
    return c.done();
  }

  /** The bits ({@code bit}) of the constants in {@code set}, or-ed together. */
  private static <E> int mask(Set<E> set, ToIntFunction<E> bit) {
    int mask = 0;
    for (E e : set) {
      mask |= bit.applyAsInt(e);
    }
    return mask;
  }

  /** Collects one rule's selectors; the first limit broken is thrown by {@link #done()}. */
  private static final class Collector {
    final Policy p;
    final Rule r;
    final List<List<TableValue>> by = new ArrayList<>();
    int flags;
    int mask;
    int hook = -1;
    TableTooLargeException failed;

    Collector(Policy p, Rule r) {
      this.p = p;
      this.r = r;
      for (int i = 0; i < Abi.SELS + Abi.CALL_FIELDS_MAX; i++) {
        by.add(null);
      }
    }

    void exec(Match.Exec m) {
      path(Selector.BINARY, m.binary());
      path(Selector.PARENT_BINARY, m.parentBinary());
      path(Selector.ANCESTOR_BINARY, m.ancestorBinary());
      range(Selector.UID, m.uid());
      range(Selector.EUID, m.euid());
      if (!m.argvContains().isEmpty()) {
        String selector = Selector.ARGV_CONTAINS.yamlName();
        put(
            Selector.ARGV_CONTAINS.slot(),
            selector,
            m.argvContains().stream().map(a -> string(Abi.VAL_EXACT, selector, a)).toList());
      }
      if (!m.sha256().isEmpty()) {
        String selector = Selector.SHA256.yamlName();
        put(
            Selector.SHA256.slot(),
            selector,
            m.sha256().stream().map(h -> string(Abi.VAL_SHA256, selector, h)).toList());
      }
      if (m.fileless().isPresent()) {
        flags |= Abi.RULE_FILELESS_SET | (m.fileless().get() ? Abi.RULE_FILELESS : 0);
      }
      if (m.fromTempDir().isPresent()) {
        flags |= Abi.RULE_TEMPDIR_SET | (m.fromTempDir().get() ? Abi.RULE_TEMPDIR : 0);
      }
    }

    void call(Match.Call m, List<String> hookOrder) {
      hook = hookOrder.indexOf(m.hook().function());
      if (hook < 0) {
        throw new IllegalArgumentException(
            where("function") + ": " + m.hook().function() + " is not declared");
      }
      path(Selector.BINARY, m.binary());
      for (HookDecl.FieldRef f : m.hook().fields()) {
        FieldMatcher fm = m.args().get(f.name());
        if (fm != null) {
          put(Abi.SELS + f.index(), "args." + f.name(), fieldValues(f.name(), fm));
        }
      }
    }

    String where(String selector) {
      return "selector '" + selector + "' of rule '" + r.name() + "' in policy '" + p.name() + "'";
    }

    void put(int slot, String selector, List<TableValue> values) {
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

    TableValue string(int type, String selector, String s) {
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
      return TableValue.string(type, s);
    }

    List<TableValue> fieldValues(String field, FieldMatcher fm) {
      String selector = "args." + field;
      return switch (fm) {
        case FieldMatcher.Ints i ->
            i.ranges().stream()
                .map(r -> new TableValue(Abi.VAL_RANGE, null, r.low(), r.high(), null, 0))
                .toList();
        case FieldMatcher.Mask mk ->
            List.of(
                new TableValue(
                    mk.all() ? Abi.VAL_MASK_ALL : Abi.VAL_MASK_ANY, null, mk.bits(), 0, null, 0));
        case FieldMatcher.Str str -> strings(selector, str.matcher());
        case FieldMatcher.Addr a -> a.networks().stream().map(TableValue::cidr).toList();
      };
    }

    /** A path selector's values: its exact, then prefix, then glob values. */
    List<TableValue> strings(String selector, PathMatcher pm) {
      List<TableValue> v = new ArrayList<>();
      pm.exact().forEach(s -> v.add(string(Abi.VAL_EXACT, selector, s)));
      pm.prefix().forEach(s -> v.add(string(Abi.VAL_PREFIX, selector, s)));
      pm.glob().forEach(s -> v.add(string(Abi.VAL_GLOB, selector, s)));
      return v;
    }

    void path(Selector sel, Optional<PathMatcher> pm) {
      if (pm.isPresent()) {
        put(sel.slot(), sel.yamlName(), strings(sel.yamlName(), pm.get()));
      }
    }

    /** A range selector; its {@code notIn} sets the selector's NEGATE flag. */
    void range(Selector sel, Optional<RangeMatcher> rm) {
      if (rm.isEmpty()) {
        return;
      }
      put(sel.slot(), sel.yamlName(), rm.get().ranges().stream().map(TableValue::range).toList());
      flags |= rm.get().negated() ? sel.flags() : 0;
    }

    RuleSlots done() throws TableTooLargeException {
      if (failed != null) {
        throw failed;
      }
      return new RuleSlots(by, flags, mask, hook);
    }
  }
}
