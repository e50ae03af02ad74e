package dev.ftguard.agent.process;

import java.util.HashMap;

/**
 * Shares equal strings (binary paths repeat across processes). Bounded: when full it starts over,
 * so it never holds more than {@code max} strings.
 */
final class Interner {
  private final int max;
  private final HashMap<String, String> strings;

  Interner(int max) {
    this.max = max;
    this.strings = new HashMap<>();
  }

  String intern(String s) {
    String known = strings.get(s);
    if (known != null) {
      return known;
    }
    if (strings.size() >= max) {
      strings.clear();
    }
    strings.put(s, s);
    return s;
  }
}
