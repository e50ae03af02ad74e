package dev.ftguard.policy;

import java.util.List;

/** A named set of rules with a mode and a priority (higher is evaluated first). */
public record Policy(String name, Mode mode, int priority, List<Rule> rules, Location location) {
  public Policy {
    rules = List.copyOf(rules);
  }
}
