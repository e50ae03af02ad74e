package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.policy.ConfigReader.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A flat configuration file read with the policies' reader and located errors. */
class ConfigReaderTest {
  private static final Map<String, Type> SCHEMA = new LinkedHashMap<>();

  static {
    SCHEMA.put("journal", Type.BOOLEAN);
    SCHEMA.put("rotate-keep", Type.INTEGER);
    SCHEMA.put("rate-limit", Type.NUMBER);
    SCHEMA.put("rotate-size", Type.STRING);
    SCHEMA.put("policy", Type.STRINGS);
  }

  private static Map<String, ConfigReader.Value> read(String text) {
    var r = ConfigReader.read("c.yaml", text, SCHEMA);
    assertThat(r).isInstanceOf(ConfigReader.Result.Read.class);
    return ((ConfigReader.Result.Read) r).values();
  }

  private static List<String> errors(String text) {
    var r = ConfigReader.read("c.yaml", text, SCHEMA);
    assertThat(r).isInstanceOf(ConfigReader.Result.Invalid.class);
    return ((ConfigReader.Result.Invalid) r).errors().stream().map(PolicyError::toString).toList();
  }

  @Test
  void valuesOfEveryType() {
    var v =
        read(
            "journal: true\nrotate-keep: 3\nrate-limit: 2.5\nrotate-size: 100M\n"
                + "policy:\n  - /etc/a\n  - /etc/b\n");
    assertThat(v.get("journal").value()).isEqualTo(true);
    assertThat(v.get("rotate-keep").value()).isEqualTo(3L);
    assertThat(v.get("rate-limit").value()).isEqualTo(2.5);
    assertThat(v.get("rotate-size").value()).isEqualTo("100M");
    assertThat(v.get("policy").value()).isEqualTo(List.of("/etc/a", "/etc/b"));
    assertThat(v.get("policy").at()).isEqualTo(new Location("c.yaml", 6, 3));
    // a number where a string is wanted is its text; one string is a list of one
    var w = read("rotate-size: 65536\npolicy: /etc/p.yaml\nrate-limit: 10\n");
    assertThat(w.get("rotate-size").value()).isEqualTo("65536");
    assertThat(w.get("policy").value()).isEqualTo(List.of("/etc/p.yaml"));
    assertThat(w.get("rate-limit").value()).isEqualTo(10.0);
  }

  @Test
  void emptyOrCommentsOnlySetsNothing() {
    assertThat(read("")).isEmpty();
    assertThat(read("# nothing\n")).isEmpty();
  }

  @Test
  void unknownKeysAndWrongTypesAreLocated() {
    assertThat(errors("journal: yes please\nrotate-sise: 1M\nrotate-keep: ten\n"))
        .containsExactly(
            "c.yaml:1:10: error: 'journal' must be true or false, got a string (hint: write"
                + " 'journal: true')",
            "c.yaml:2:1: error: unknown field 'rotate-sise' in the configuration (hint: did you"
                + " mean 'rotate-size'? allowed: journal, rotate-keep, rate-limit, rotate-size,"
                + " policy)",
            "c.yaml:3:14: error: 'rotate-keep' must be an integer, got a string (hint: write"
                + " 'rotate-keep: 10')");
    assertThat(errors("policy: [a, {b: c}]\nrotate-size: true\njournal:\n"))
        .containsExactly(
            "c.yaml:1:13: error: 'policy' must be a string, got a mapping (hint: write each item as"
                + " a string)",
            "c.yaml:2:14: error: 'rotate-size' must be a string, got a boolean (hint: quote the"
                + " value: write 'rotate-size: value')",
            "c.yaml:3:9: error: 'journal' must be true or false, got nothing (null) (hint: write"
                + " 'journal: true', or remove the key)");
  }

  @Test
  void syntaxDuplicatesAndShape() {
    assertThat(errors("journal: true\njournal: false\n"))
        .singleElement()
        .asString()
        .startsWith("c.yaml:2:1: error: duplicate key 'journal' (first at line 1:1)");
    assertThat(errors("journal: [true\n")).singleElement().asString().contains("YAML syntax");
    assertThat(errors("- journal\n"))
        .singleElement()
        .asString()
        .startsWith("c.yaml:1:1: error: 'the configuration' must be a mapping, got a list");
    assertThat(errors("journal: true\n---\njournal: false\n"))
        .singleElement()
        .asString()
        .startsWith("c.yaml:3:1: error: more than one YAML document");
    assertThat(errors("rotate-keep: 99999999999999999999\n"))
        .singleElement()
        .asString()
        .startsWith("c.yaml:1:14: error: 'rotate-keep' is out of range");
  }
}
