package dev.ftguard.policy.table;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.Rule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * <p>{@link #compile} checks the counts of policies, rules and hooks, then works out each rule.s
 * slots ({@link RuleSlots}), the string area ({@link StringArea}) and the sections' offsets ({@link
 * TableLayout}) are worked out, and {@link TableWriter} writes the bytes.
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
    List<Policy> policies = set.policies();
    int ruleCount = set.ruleCount();
    checkCounts(policies.size(), ruleCount);
    Map<String, HookDecl> hooks = hooks(policies);
    List<RuleSlots> rules = ruleSlots(policies, List.copyOf(hooks.keySet()));
    long values = 0;
    for (RuleSlots s : rules) {
      values += s.valueCount();
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
    int argCount = hooks.values().stream().mapToInt(h -> h.args().size()).sum();
    StringArea strings = StringArea.of(rules);
    TableLayout layout =
        TableLayout.of(policies.size(), ruleCount, values, strings.size(), hooks.size(), argCount);
    boolean lock = policies.stream().anyMatch(Policy::lock);
    return new TableWriter(layout, strings).write(policies, rules, hooks.values(), lock);
  }

  private static void checkCounts(int policies, int rules) throws TableTooLargeException {
    if (policies > Abi.TABLE_POLICIES_MAX) {
      throw new TableTooLargeException(
          "FTG_TABLE_POLICIES_MAX",
          "policies",
          policies,
          Abi.TABLE_POLICIES_MAX,
          "the policy set",
          "merge policies");
    }
    if (rules > Abi.TABLE_RULES_MAX) {
      throw new TableTooLargeException(
          "FTG_TABLE_RULES_MAX",
          "rules",
          rules,
          Abi.TABLE_RULES_MAX,
          "the policy set",
          "merge rules: one rule takes many values through lists, prefixes and globs");
    }
  }

  /**
   * The declared hooks by function, one per function, in first-declaration order (their index in
   * the table); a function declared differently by two policies is an error.
   */
  private static Map<String, HookDecl> hooks(List<Policy> policies) throws TableTooLargeException {
    Map<String, HookDecl> hooks = new LinkedHashMap<>();
    for (Policy p : policies) {
      for (HookDecl h : p.hooks()) {
        HookDecl prev = hooks.putIfAbsent(h.function(), h);
        if (prev != null && !prev.sameAs(h)) {
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
    return hooks;
  }

  /** The slots of every rule, grouped by policy, with the policies' and rules' names checked. */
  private static List<RuleSlots> ruleSlots(List<Policy> policies, List<String> hookOrder)
      throws TableTooLargeException {
    List<RuleSlots> rules = new ArrayList<>();
    for (Policy p : policies) {
      checkName(p.name(), "policy '" + p.name() + "'");
      for (Rule r : p.rules()) {
        checkName(r.name(), "rule '" + r.name() + "' in policy '" + p.name() + "'");
        rules.add(RuleSlots.of(p, r, hookOrder));
      }
    }
    return rules;
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
}
