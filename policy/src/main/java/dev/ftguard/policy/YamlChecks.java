package dev.ftguard.policy;

import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import dev.ftguard.policy.YNode.YSeq;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The checks every part of the validator makes on located YAML nodes (mappings, lists, strings,
 * integers, names, closed sets of names, selector lists), each failure recorded as a {@link
 * PolicyError} in one error list. The parts of the validator share one instance.
 */
final class YamlChecks {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /** Every error found, by every part (the validator reads it). */
  private final List<PolicyError> errors;

  YamlChecks(List<PolicyError> errors) {
    this.errors = errors;
  }

  void error(Location at, String message, String hint) {
    errors.add(new PolicyError(at, message, hint));
  }

  void keys(YMap m, String context, List<String> allowed, List<String> required) {
    for (var e : m.entries()) {
      if (!allowed.contains(e.key())) {
        String dym = Suggestions.didYouMean(e.key(), allowed);
        error(
            e.keyAt(),
            "unknown field '" + e.key() + "' in " + context,
            (dym == null ? "" : "did you mean '" + dym + "'? ")
                + "allowed: "
                + String.join(", ", allowed));
      }
    }
    for (String r : required) {
      if (m.get(r) == null) {
        error(m.at(), "missing required field '" + r + "' in " + context, "add '" + r + ":'");
      }
    }
  }

  void typeError(YNode n, String field, String expected, String hint) {
    error(n.at(), "'" + field + "' must be " + expected + ", got " + YNode.describe(n), hint);
  }

  YMap map(YNode n, String field, String hint) {
    if (n instanceof YMap m) {
      return m;
    }
    typeError(n, field, "a mapping", hint);
    return null;
  }

  YSeq seq(YNode n, String field, String hint) {
    if (n instanceof YSeq s) {
      return s;
    }
    typeError(n, field, "a list", hint);
    return null;
  }

  String string(YNode n, String field) {
    if (n instanceof YScalar s && s.type() == YScalar.Type.STRING) {
      return s.text();
    }
    typeError(
        n, field, "a string", n instanceof YScalar ? "quote the value" : "write a single value");
    return null;
  }

  BigInteger integer(YNode n, String field, String hint) {
    if (n instanceof YScalar s && s.type() == YScalar.Type.INT) {
      return new BigInteger(s.text());
    }
    typeError(n, field, "an integer", hint);
    return null;
  }

  String name(YNode n, String what) {
    String s = string(n, what);
    if (s == null) {
      return null;
    }
    if (s.length() > Limits.NAME_LENGTH) {
      error(
          n.at(),
          what + " is " + s.length() + " characters long; at most " + Limits.NAME_LENGTH,
          "shorten it");
      return null;
    }
    if (!NAME.matcher(s).matches()) {
      error(
          n.at(),
          what + " '" + s + "' is not a valid name",
          "use lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. '"
              + s.toLowerCase(Locale.ROOT).replaceAll("[^-a-z0-9]+", "-").replaceAll("^-+|-+$", "")
              + "'");
      return null;
    }
    return s;
  }

  <E> E named(YNode n, String field, E[] values, Function<E, String> yaml) {
    String s = string(n, field);
    if (s == null) {
      return null;
    }
    for (E v : values) {
      if (yaml.apply(v).equals(s)) {
        return v;
      }
    }
    List<String> names = Arrays.stream(values).map(yaml).toList();
    error(n.at(), "unknown " + field + " '" + s + "'", Suggestions.suggest(s, names));
    return null;
  }

  void description(YMap m) {
    var d = m.get("description");
    if (d != null) {
      String s = string(d.value(), "description");
      if (s != null && s.length() > Limits.DESCRIPTION_LENGTH) {
        error(
            d.value().at(),
            "description is "
                + s.length()
                + " characters long; at most "
                + Limits.DESCRIPTION_LENGTH,
            "shorten it");
      }
    }
  }

  /** The number of errors recorded so far. */
  int errorCount() {
    return errors.size();
  }

  /** The items of a selector list, with the size limit checked. */
  List<YNode> items(YNode n, String key) {
    YSeq seq = seq(n, key, "write '" + key + ": [...]'");
    if (seq == null) {
      return List.of();
    }
    if (seq.items().isEmpty()) {
      error(
          seq.at(),
          "'" + key + "' is an empty list",
          "give at least one value, or remove '" + key + "'");
      return List.of();
    }
    if (seq.items().size() > Limits.SELECTOR_ITEMS) {
      error(
          seq.at(),
          "'" + key + "' has " + seq.items().size() + " items; at most " + Limits.SELECTOR_ITEMS,
          "move the values into a 'kind: List' document and refer to it as \"@name\"");
      return List.of();
    }
    return seq.items();
  }
}
