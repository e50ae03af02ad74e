package dev.ftguard.policy.table;

import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.policy.Location;
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
   * As the policy model, with the hooks its call rules are on. Tables carry no file positions: the
   * policy's location is {@code Location(TableReader.SOURCE, 0, 0)}, see {@link
   * CompiledRule#toRule()} for rules.
   */
  public Policy toPolicy(boolean lock) {
    List<dev.ftguard.policy.HookDecl> hooks =
        rules.stream()
            .map(CompiledRule::match)
            .filter(m -> m instanceof dev.ftguard.policy.Match.Call)
            .map(m -> ((dev.ftguard.policy.Match.Call) m).hook())
            .distinct()
            .toList();
    return new Policy(
        name,
        mode,
        priority,
        hooks,
        rules.stream().map(CompiledRule::toRule).toList(),
        lock,
        new Location(TableReader.SOURCE, 0, 0));
  }
}
