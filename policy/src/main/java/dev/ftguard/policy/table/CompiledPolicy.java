package dev.ftguard.policy.table;

import dev.ftguard.policy.Location;
import dev.ftguard.policy.Mode;
import dev.ftguard.policy.Policy;
import java.util.List;

/**
 * A {@code struct ftg_policy} of a table, with its rules.
 *
 * @param rules the rules whose {@code policy} is this one's index, in table order
 */
public record CompiledPolicy(String name, Mode mode, int priority, List<CompiledRule> rules) {
  public CompiledPolicy {
    rules = List.copyOf(rules);
  }

  /**
   * As the policy model. Tables carry no file positions: the policy's location is {@code
   * Location(TableReader.SOURCE, 0, 0)}, see {@link CompiledRule#toRule()} for rules.
   */
  public Policy toPolicy() {
    return new Policy(
        name,
        mode,
        priority,
        rules.stream().map(CompiledRule::toRule).toList(),
        new Location(TableReader.SOURCE, 0, 0));
  }
}
