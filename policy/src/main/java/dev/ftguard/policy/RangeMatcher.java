package dev.ftguard.policy;

import java.util.List;

/**
 * Matches an id or port in one of {@code ranges} ({@code in:}), or in none of them ({@code
 * notIn:}).
 */
public record RangeMatcher(boolean negated, List<Range> ranges) {
  public RangeMatcher {
    ranges = List.copyOf(ranges);
  }

  public boolean matches(long v) {
    return ranges.stream().anyMatch(r -> r.contains(v)) != negated;
  }
}
