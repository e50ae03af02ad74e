package dev.ftguard.policy;

import java.util.List;
import java.util.Locale;

/** "Did you mean" hints: the closest candidate by edit distance, and the allowed values. */
final class Suggestions {
  private Suggestions() {}

  static String suggest(String s, List<String> names) {
    String dym = didYouMean(s, names);
    return (dym == null ? "" : "did you mean '" + dym + "'? ")
        + (names.size() > 12
            ? "e.g. " + String.join(", ", names.subList(0, 12)) + ", ..."
            : "allowed: " + String.join(", ", names));
  }

  static String didYouMean(String s, List<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d =
          c.equalsIgnoreCase(s)
              ? 0
              : distance(s.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best != null && bestD <= (s.length() <= 3 ? 1 : 2) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
