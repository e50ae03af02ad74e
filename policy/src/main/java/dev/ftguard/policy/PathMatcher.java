package dev.ftguard.policy;

import java.util.List;

/**
 * Matches a path (or a module name) if it equals one of {@code exact}, starts with one of {@code
 * prefix} or matches one of {@code glob}. {@code @list} references are already expanded.
 */
public record PathMatcher(List<String> exact, List<String> prefix, List<String> glob) {
  public PathMatcher {
    exact = List.copyOf(exact);
    prefix = List.copyOf(prefix);
    glob = List.copyOf(glob);
  }

  public int size() {
    return exact.size() + prefix.size() + glob.size();
  }
}
