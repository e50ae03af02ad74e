package dev.ftguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.EventType;
import dev.ftguard.agent.export.ExportRecord;
import dev.ftguard.agent.metrics.AgentMetrics;
import dev.ftguard.testing.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The event types are declared once ({@link EventType}); the JSON Schema and the docs that list
 * them must list exactly those, in that order. A new kind, or a renamed one, fails here until the
 * schema and docs/events.md, docs/export.md and docs/metrics.md follow.
 */
class EventTypeDocsTest {
  static final Path ROOT = Repository.root();
  static final List<String> TYPES = EventType.jsonNames();

  @Test
  void theAgentsListsAreTheDeclaration() {
    assertThat(AgentMetrics.EVENT_TYPES).containsExactlyElementsOf(TYPES);
    assertThat(ExportRecord.EVENT_TYPES).containsExactlyInAnyOrderElementsOf(TYPES);
  }

  @Test
  void theSchemaListsEveryTypeAndDefinesEach() throws IOException {
    JsonNode schema =
        JsonMapper.builder()
            .build()
            .readTree(Files.readString(ROOT.resolve("docs/schema/ftguard-events.schema.json")));
    List<String> lineTypes = new ArrayList<>();
    schema.get("properties").get("type").get("enum").forEach(t -> lineTypes.add(t.asString()));
    List<String> expected = new ArrayList<>(TYPES);
    expected.addAll(List.of("drop", "policy_reload"));
    assertThat(lineTypes).as("schema properties.type.enum").containsExactlyElementsOf(expected);
    List<String> branches = new ArrayList<>();
    schema
        .get("allOf")
        .forEach(
            b -> branches.add(b.get("if").get("properties").get("type").get("const").asString()));
    assertThat(branches).as("schema allOf branches").containsExactlyElementsOf(expected);
    for (String t : expected) {
      assertThat(schema.get("$defs").has(t)).as("schema $defs/%s", t).isTrue();
    }
  }

  @Test
  void eventsMdListsAndDescribesEveryType() throws IOException {
    String doc = Files.readString(ROOT.resolve("docs/events.md"));
    assertThat(quoted(row(doc, "| `type`").split("\\|")[3]))
        .as("events.md: the type row")
        .isEqualTo(TYPES);
    assertThat(quoted(between(doc, "Lines are one of the types", "(events)")))
        .as("events.md: the line types")
        .isEqualTo(TYPES);
    List<String> sections = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^## `(\\w+)` — ").matcher(doc);
    while (m.find()) {
      sections.add(m.group(1));
    }
    assertThat(sections).as("events.md: a section per type").containsSubsequence(TYPES);
  }

  @Test
  void exportMdFiltersOnEveryType() throws IOException {
    String doc = Files.readString(ROOT.resolve("docs/export.md"));
    String row = row(doc, "| event types | `filter.types`");
    assertThat(quoted(between(row, "the record's type is in the set (", ";")))
        .as("export.md: filter.types")
        .isEqualTo(TYPES);
    assertThat(quoted(between(doc, "It covers every line type written today", "(from")))
        .as("export.md: the schema's event lines")
        .isEqualTo(TYPES);
  }

  @Test
  void metricsMdLabelsEveryType() throws IOException {
    String doc = Files.readString(ROOT.resolve("docs/metrics.md"));
    String row = row(doc, "| `ftguard_events_total`");
    assertThat(quoted(between(row, "`type`:", "|")))
        .as("metrics.md: ftguard_events_total's type label")
        .isEqualTo(TYPES);
  }

  /** The line starting with {@code start}. */
  static String row(String doc, String start) {
    return doc.lines()
        .filter(l -> l.startsWith(start))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line starts with " + start));
  }

  /** The text after {@code from} up to the next {@code to}. */
  static String between(String text, String from, String to) {
    int a = text.indexOf(from);
    assertThat(a).as("'%s' in the text", from).isNotNegative();
    a += from.length();
    int b = text.indexOf(to, a);
    assertThat(b).as("'%s' after '%s'", to, from).isPositive();
    return text.substring(a, b);
  }

  /** The {@code `names`} of a text, in order. */
  static List<String> quoted(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("`(\\w+)`").matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
