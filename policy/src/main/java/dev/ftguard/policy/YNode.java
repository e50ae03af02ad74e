package dev.ftguard.policy;

import java.util.List;

/** A YAML node with the position it starts at. */
sealed interface YNode {
  Location at();

  /** A mapping; keys are unique (duplicates are reported by the reader, the first is kept). */
  record YMap(Location at, List<Entry> entries) implements YNode {
    record Entry(String key, Location keyAt, YNode value) {}

    Entry get(String key) {
      for (Entry e : entries) {
        if (e.key().equals(key)) {
          return e;
        }
      }
      return null;
    }
  }

  record YSeq(Location at, List<YNode> items) implements YNode {}

  record YScalar(Location at, Type type, String text) implements YNode {
    enum Type {
      STRING,
      INT,
      FLOAT,
      BOOL,
      NULL
    }
  }

  /** "a string", "an integer", ... for error messages. */
  static String describe(YNode n) {
    return switch (n) {
      case YMap m -> "a mapping";
      case YSeq s -> "a list";
      case YScalar s ->
          switch (s.type()) {
            case STRING -> "a string";
            case INT -> "an integer";
            case FLOAT -> "a decimal number";
            case BOOL -> "a boolean";
            case NULL -> "nothing (null)";
          };
    };
  }
}
