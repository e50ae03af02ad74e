package dev.ftguard.policy.table;

import dev.ftguard.policy.Policy;
import dev.ftguard.policy.PolicySet;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A rule table read back from its bytes ({@link TableReader}).
 *
 * @param size the table's size in bytes (its header's {@code size})
 * @param lock the table locks the module once in force ({@code FTG_TABLE_F_LOCK})
 * @param policies in table order, which is evaluation order; each with its rules
 */
public record CompiledTable(long size, boolean lock, List<CompiledPolicy> policies) {
  public CompiledTable {
    policies = List.copyOf(policies);
  }

  /** Every rule, in table order ({@link CompiledRule#index()} is the position). */
  public List<CompiledRule> rules() {
    return policies.stream().flatMap(p -> p.rules().stream()).toList();
  }

  public int ruleCount() {
    return policies.stream().mapToInt(p -> p.rules().size()).sum();
  }

  /**
   * The policies as the policy model, in table order; see {@link CompiledPolicy#toPolicy(boolean)}.
   * The table's lock is on every policy (the table does not say which one asked for it).
   */
  public List<Policy> toPolicies() {
    return policies.stream().map(p -> p.toPolicy(lock)).toList();
  }

  /**
   * A policy set holding these policies (without lists: their values are already in the rules),
   * e.g. to run {@link dev.ftguard.policy.PolicyEvaluator} on what the kernel holds.
   */
  public PolicySet toPolicySet() {
    return new PolicySet(toPolicies(), new LinkedHashMap<>());
  }
}
