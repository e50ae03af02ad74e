package dev.ftguard.policy;

import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import dev.ftguard.policy.YNode.YSeq;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

/** Reads YAML documents into {@link YNode} trees that keep the position of every node. */
final class YamlReader {
  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
  private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

  /** A YAML feature policies do not use; the file is rejected as a whole, like a syntax error. */
  private static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient PolicyError error;

    Unsupported(PolicyError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }
  }

  private final String file;
  private final List<PolicyError> errors;
  private JsonParser parser;

  private YamlReader(String file, List<PolicyError> errors) {
    this.file = file;
    this.errors = errors;
  }

  /**
   * The documents of {@code text}; an empty document is a {@code NULL} scalar. On a syntax error
   * the error is added to {@code errors} and no documents are returned.
   */
  static List<YNode> read(String file, String text, List<PolicyError> errors) {
    return new YamlReader(file, errors).readAll(text);
  }

  private List<YNode> readAll(String text) {
    List<YNode> docs = new ArrayList<>();
    List<PolicyError> mine = new ArrayList<>();
    List<PolicyError> outer = errors;
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
      parser = p;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        docs.add(value(t, mine));
      }
    } catch (JacksonException e) {
      outer.add(syntaxError(e));
      return List.of();
    } catch (Unsupported e) {
      outer.add(e.error);
      return List.of();
    }
    outer.addAll(mine);
    return docs;
  }

  private PolicyError syntaxError(JacksonException e) {
    String msg = e.getOriginalMessage() == null ? "malformed YAML" : e.getOriginalMessage();
    int line = 1;
    int col = 1;
    Matcher m = MARK.matcher(msg);
    boolean found = false;
    while (m.find()) {
      line = Integer.parseInt(m.group(1));
      col = Integer.parseInt(m.group(2));
      found = true;
    }
    if (!found && e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      line = e.getLocation().getLineNr();
      col = Math.max(1, e.getLocation().getColumnNr());
    }
    // snakeyaml's messages quote the offending line after each "in reader" mark: keep the words
    List<String> words = new ArrayList<>();
    for (String l : msg.split("\n")) {
      String s = l.strip();
      if (s.isEmpty() || s.startsWith("in reader") || s.equals("^") || l.startsWith(" ")) {
        continue;
      }
      words.add(s);
    }
    String what = words.isEmpty() ? "malformed YAML" : String.join(": ", words);
    return new PolicyError(
        new Location(file, line, col),
        "YAML syntax: " + what,
        "check indentation, brackets, quotes and the ':' after each key near this position");
  }

  private Location here() {
    TokenStreamLocation l = parser.currentTokenLocation();
    return new Location(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
  }

  private YNode value(JsonToken t, List<PolicyError> out) {
    Location at = here();
    if (parser instanceof YAMLParser y && y.isCurrentAlias()) {
      throw new Unsupported(
          new PolicyError(
              at,
              "YAML alias '*" + parser.getString() + "' is not supported",
              "write the value out, or put shared values in a 'kind: List' and refer to it as \"@name\""));
    }
    return switch (t) {
      case START_OBJECT -> {
        List<YMap.Entry> entries = new ArrayList<>();
        JsonToken k;
        while ((k = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
          String key = parser.currentName();
          Location keyAt = here();
          YNode v = value(parser.nextToken(), out);
          YMap.Entry first =
              entries.stream().filter(e -> e.key().equals(key)).findFirst().orElse(null);
          if (first != null) {
            out.add(
                new PolicyError(
                    keyAt,
                    "duplicate key '"
                        + key
                        + "' (first at line "
                        + first.keyAt().line()
                        + ":"
                        + first.keyAt().column()
                        + ")",
                    "remove one of them; YAML keys must be unique in a mapping"));
          } else {
            entries.add(new YMap.Entry(key, keyAt, v));
          }
        }
        yield new YMap(at, List.copyOf(entries));
      }
      case START_ARRAY -> {
        List<YNode> items = new ArrayList<>();
        JsonToken i;
        while ((i = parser.nextToken()) != JsonToken.END_ARRAY) {
          items.add(value(i, out));
        }
        yield new YSeq(at, List.copyOf(items));
      }
      case VALUE_STRING -> new YScalar(at, YScalar.Type.STRING, parser.getString());
      case VALUE_NUMBER_INT -> new YScalar(at, YScalar.Type.INT, parser.getString());
      case VALUE_NUMBER_FLOAT -> new YScalar(at, YScalar.Type.FLOAT, parser.getString());
      case VALUE_TRUE, VALUE_FALSE -> new YScalar(at, YScalar.Type.BOOL, parser.getString());
      case VALUE_NULL -> new YScalar(at, YScalar.Type.NULL, "");
      default -> new YScalar(at, YScalar.Type.STRING, parser.getString());
    };
  }
}
