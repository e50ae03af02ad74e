package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Mode;
import java.util.List;

/**
 * A named set of rules with a mode and a priority (higher is evaluated first), and the kernel
 * functions it hooks by name for its {@code call} rules.
 *
 * @param lock {@code lock: true}: the module locks once the table holding this policy is in force
 *     (docs/policy.md, Lock)
 */
public record Policy(
    String name,
    Mode mode,
    int priority,
    List<HookDecl> hooks,
    List<Rule> rules,
    boolean lock,
    Location location) {
  public Policy {
    hooks = List.copyOf(hooks);
    rules = List.copyOf(rules);
  }

  /** A policy that does not lock. */
  public Policy(
      String name,
      Mode mode,
      int priority,
      List<HookDecl> hooks,
      List<Rule> rules,
      Location location) {
    this(name, mode, priority, hooks, rules, false, location);
  }

  /** A policy that declares no hooks and does not lock. */
  public Policy(String name, Mode mode, int priority, List<Rule> rules, Location location) {
    this(name, mode, priority, List.of(), rules, location);
  }
}
