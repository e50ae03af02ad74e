package dev.ftguard.policy;

import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import dev.ftguard.policy.YNode.YSeq;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A flat YAML configuration file ({@code key: value} lines, e.g. {@code /etc/ftguard/ftguard.yaml})
 * read and checked against a schema of keys and types, with the reader and the located errors of
 * policies: {@code file:line:column}, an unknown key with a did-you-mean, a value of the wrong
 * type, a duplicate key, a YAML syntax error.
 */
public final class ConfigReader {
  private ConfigReader() {}

  /** The type of a key's value. */
  public enum Type {
    /** {@code true} or {@code false}. */
    BOOLEAN("true or false"),
    /** An integer, within {@link Long}. */
    INTEGER("an integer"),
    /** An integer or a decimal number. */
    NUMBER("a number"),
    /** A string (a number is taken as its text). */
    STRING("a string"),
    /** A list of strings; a single string is a list of one. */
    STRINGS("a list of strings");

    private final String description;

    Type(String description) {
      this.description = description;
    }

    /** "an integer", "a list of strings", ... */
    public String description() {
      return description;
    }
  }

  /**
   * One key's value: {@link Boolean}, {@link Long}, {@link Double}, {@link String} or a {@code
   * List<String>}, as its {@link Type} says.
   */
  public record Value(String key, Location at, Object value) {}

  /** The keys set in the file, in its order, or every error found. */
  public sealed interface Result {
    record Read(Map<String, Value> values) implements Result {
      public Read {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
      }
    }

    record Invalid(List<PolicyError> errors) implements Result {
      public Invalid {
        errors = List.copyOf(errors);
      }
    }
  }

  /**
   * Reads {@code text} (named {@code file} in errors) against {@code schema}. An empty file (or
   * comments only) sets nothing.
   */
  public static Result read(String file, String text, Map<String, Type> schema) {
    List<PolicyError> errors = new ArrayList<>();
    YamlChecks yaml = new YamlChecks(errors);
    List<YNode> docs = YamlReader.read(file, text, errors);
    Map<String, Value> values = new LinkedHashMap<>();
    if (docs.size() > 1) {
      yaml.error(
          docs.get(1).at(), "more than one YAML document", "keep one document (remove the '---')");
    }
    if (!docs.isEmpty() && errors.isEmpty()) {
      YNode root = docs.getFirst();
      if (root instanceof YScalar s && s.type() == YScalar.Type.NULL) {
        return new Result.Read(values);
      }
      YMap map =
          yaml.map(root, "the configuration", "write 'key: value' lines, e.g. 'journal: true'");
      if (map != null) {
        List<String> keys = List.copyOf(schema.keySet());
        yaml.keys(map, "the configuration", keys, List.of());
        for (YMap.Entry e : map.entries()) {
          Type type = schema.get(e.key());
          if (type != null) {
            Object v = value(yaml, e.key(), type, e.value());
            if (v != null) {
              values.put(e.key(), new Value(e.key(), e.value().at(), v));
            }
          }
        }
      }
    }
    if (!errors.isEmpty()) {
      errors.sort(
          java.util.Comparator.comparing(PolicyError::location)
              .thenComparing(PolicyError::message));
      return new Result.Invalid(errors);
    }
    return new Result.Read(values);
  }

  private static Object value(YamlChecks yaml, String key, Type type, YNode n) {
    String hint = "write '" + key + ": " + example(type) + "'";
    if (n instanceof YScalar s && s.type() == YScalar.Type.NULL) {
      yaml.typeError(n, key, type.description(), hint + ", or remove the key");
      return null;
    }
    return switch (type) {
      case BOOLEAN -> {
        if (n instanceof YScalar s && s.type() == YScalar.Type.BOOL) {
          yield Boolean.parseBoolean(s.text());
        }
        yaml.typeError(n, key, type.description(), hint);
        yield null;
      }
      case INTEGER -> {
        BigInteger i = yaml.integer(n, key, hint);
        if (i != null && i.bitLength() > 63) {
          yaml.error(n.at(), "'" + key + "' is out of range: " + i, "give a smaller number");
          yield null;
        }
        yield i == null ? null : i.longValue();
      }
      case NUMBER -> {
        if (n instanceof YScalar s
            && (s.type() == YScalar.Type.INT || s.type() == YScalar.Type.FLOAT)) {
          yield Double.parseDouble(s.text());
        }
        yaml.typeError(n, key, type.description(), hint);
        yield null;
      }
      case STRING -> scalarText(yaml, key, n, hint);
      case STRINGS -> {
        if (n instanceof YSeq seq) {
          List<String> items = new ArrayList<>();
          for (YNode item : seq.items()) {
            String t = scalarText(yaml, key, item, "write each item as a string");
            if (t != null) {
              items.add(t);
            }
          }
          yield items.size() == seq.items().size() ? List.copyOf(items) : null;
        }
        String t = scalarText(yaml, key, n, hint);
        yield t == null ? null : List.of(t);
      }
    };
  }

  /** A string, or the text of a number; anything else is an error. */
  private static String scalarText(YamlChecks yaml, String key, YNode n, String hint) {
    if (n instanceof YScalar s
        && (s.type() == YScalar.Type.STRING
            || s.type() == YScalar.Type.INT
            || s.type() == YScalar.Type.FLOAT)) {
      return s.text();
    }
    yaml.typeError(n, key, "a string", n instanceof YScalar ? "quote the value: " + hint : hint);
    return null;
  }

  private static String example(Type type) {
    return switch (type) {
      case BOOLEAN -> "true";
      case INTEGER -> "10";
      case NUMBER -> "100";
      case STRING -> "value";
      case STRINGS -> "[a, b]";
    };
  }
}
