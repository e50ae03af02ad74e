package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Kind;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Every policy of a load, in evaluation order (descending priority, then name), and the named lists
 * they used (already expanded into the rules; kept for reference), by name.
 */
public record PolicySet(List<Policy> policies, SequencedMap<String, List<String>> lists) {
  /** The evaluation order: descending priority, then name. */
  public static final Comparator<Policy> ORDER =
      Comparator.comparingInt(Policy::priority).reversed().thenComparing(Policy::name);

  public PolicySet {
    policies = policies.stream().sorted(ORDER).toList();
    var copy = new LinkedHashMap<String, List<String>>();
    lists.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    lists = Collections.unmodifiableSequencedMap(copy);
  }

  /** Whether some policy asks for the lock ({@code lock: true}). */
  public boolean lock() {
    return policies.stream().anyMatch(Policy::lock);
  }

  public int ruleCount() {
    return policies.stream().mapToInt(p -> p.rules().size()).sum();
  }

  /** The rules for one event kind in evaluation order, with the policy each belongs to. */
  public List<Map.Entry<Policy, Rule>> rulesFor(Kind kind) {
    return policies.stream()
        .flatMap(p -> p.rules().stream().filter(r -> r.event() == kind).map(r -> Map.entry(p, r)))
        .toList();
  }
}
