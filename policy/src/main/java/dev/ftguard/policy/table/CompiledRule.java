package dev.ftguard.policy.table;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.policy.Location;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.Rule;
import java.util.OptionalInt;

/**
 * A {@code struct ftg_rule} of a table, in the policy model's terms.
 *
 * @param index the rule's index in the table (what decision events report as {@code rule})
 * @param kind the event kind
 * @param errno present exactly for deny actions
 * @param match the selectors, as {@link dev.ftguard.policy.PolicyLoader} builds them: path values
 *     grouped into exact, prefix and glob in table order; ranges with their negation; networks;
 *     access and gain sets; the exec booleans
 */
public record CompiledRule(
    int index, String name, Kind kind, Action action, OptionalInt errno, Match match) {

  /** As the policy model, located at {@code Location(TableReader.SOURCE, index, 0)}. */
  public Rule toRule() {
    return new Rule(name, kind, match, action, errno, new Location(TableReader.SOURCE, index, 0));
  }
}
