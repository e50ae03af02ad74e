package dev.ftguard.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.Samples;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.testing.Repository;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Schema of the output lines (docs/schema/ftguard-events.schema.json) against real output:
 * every sample event through EventJson, drop lines, lines read back from rotated files, and the
 * examples of docs/events.md. Also: every field EventJson writes is declared in the schema, and the
 * schema rejects broken lines.
 */
class EventSchemaTest {
  static final Path ROOT = Repository.root();
  static final Path SCHEMA_FILE = ROOT.resolve("docs/schema/ftguard-events.schema.json");

  static JsonNode schemaJson;
  static Schema schema;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws IOException {
    schemaJson = EventJson.MAPPER.readTree(Files.readString(SCHEMA_FILE));
    schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
  }

  static final Consumer<ExecutionContext> STRICT_FORMATS =
      ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true));

  /** The validation errors of one line, as text. */
  static List<String> errors(String line) {
    JsonNode node = EventJson.MAPPER.readTree(line);
    return schema.validate(node, STRICT_FORMATS).stream().map(Error::toString).toList();
  }

  /** Asserts the line is valid and that the schema declares each of its fields for its type. */
  static void assertConforms(String line) {
    assertThat(problems(line)).as(line).isEmpty();
  }

  /**
   * What is wrong with a line: its validation errors, a type the schema has no definition for, and
   * fields the schema does not declare for its type (EventJson writes a field the schema lacks).
   */
  static List<String> problems(String line) {
    List<String> problems = new ArrayList<>(errors(line));
    ObjectNode node = (ObjectNode) EventJson.MAPPER.readTree(line);
    String type = node.get("type").asString();
    if (!schemaJson.get("$defs").has(type)) {
      problems.add(
          "line type '"
              + type
              + "' has no definition in "
              + SCHEMA_FILE
              + ": add one to $defs,"
              + " to the \"type\" enum and to the top-level allOf");
      return problems;
    }
    Set<String> undeclared = new TreeSet<>(node.propertyNames());
    undeclared.removeAll(declaredFields(type));
    if (!undeclared.isEmpty()) {
      problems.add("fields of a '" + type + "' line the schema does not declare: " + undeclared);
    }
    return problems;
  }

  /** Property names the schema declares for lines of {@code type} (through $ref and allOf). */
  static Set<String> declaredFields(String type) {
    Set<String> names = new HashSet<>();
    schemaJson.get("properties").propertyNames().forEach(names::add);
    JsonNode def = schemaJson.get("$defs").get(type);
    if (def != null) {
      collect(def, names);
    }
    return names;
  }

  static void collect(JsonNode def, Set<String> names) {
    if (def.has("$ref")) {
      String ref = def.get("$ref").asString();
      collect(schemaJson.get("$defs").get(ref.substring("#/$defs/".length())), names);
    }
    if (def.has("properties")) {
      def.get("properties").propertyNames().forEach(names::add);
    }
    if (def.has("allOf")) {
      def.get("allOf").forEach(d -> collect(d, names));
    }
  }

  /**
   * Event kinds (by class name) of the abi samples whose lines the schema does not define yet, and
   * why. Their samples are left out of the conformance checks; any other new kind makes {@link
   * #everySampleEventLineConforms()} fail until the schema defines its line. An entry must be
   * removed once the schema defines the line type ({@link
   * #noKindIsPendingOnceTheSchemaDefinesIt()}).
   */
  static final Map<String, String> NOT_YET_IN_SCHEMA = Map.of();

  static boolean pending(Event e) {
    return NOT_YET_IN_SCHEMA.containsKey(e.getClass().getSimpleName());
  }

  /** The sample events whose lines the schema defines. */
  static List<Event> covered() throws ReflectiveOperationException {
    return samples().stream().filter(e -> !pending(e)).toList();
  }

  /** Every sample event of the abi module's test jar (each public static factory of an event). */
  static List<Event> samples() throws ReflectiveOperationException {
    List<Event> events = new ArrayList<>();
    long seq = 1;
    for (Method m : Samples.class.getMethods()) {
      if (!Modifier.isStatic(m.getModifiers())
          || !Event.class.isAssignableFrom(m.getReturnType())) {
        continue;
      }
      Class<?>[] p = m.getParameterTypes();
      if (p.length == 1 && p[0] == long.class) {
        events.add((Event) m.invoke(null, seq++));
      }
    }
    events.add(Samples.connectAudit(seq++, "169.254.169.254", Abi.AF_INET));
    events.add(Samples.connectAudit(seq++, "fd00:0:0:0:0:0:0:1", Abi.AF_INET6));
    events.add(new ExitEvent(Samples.hdr(-1L, 1), 0, 0)); // seq 2^64-1
    return events;
  }

  @Test
  void everySampleEventLineConforms() throws ReflectiveOperationException {
    List<Event> events = covered();
    assertThat(events).hasSizeGreaterThanOrEqualTo(15);
    Set<String> types = new TreeSet<>();
    Map<String, List<String>> failures = new java.util.LinkedHashMap<>();
    for (Event e : events) {
      String line = EventJson.line(EventJson.event(e));
      List<String> problems = problems(line);
      if (!problems.isEmpty()) {
        failures.put(line, problems);
      }
      types.add(EventJson.event(e).get("type").asString());
    }
    assertThat(failures).as("sample lines that do not conform").isEmpty();
    assertThat(types).contains("exec", "fork", "exit", "decision", "call");
  }

  @Test
  void noKindIsPendingOnceTheSchemaDefinesIt() throws ReflectiveOperationException {
    for (Event e : samples()) {
      if (!pending(e)) {
        continue;
      }
      String type;
      try {
        type = EventJson.event(e).get("type").asString();
      } catch (RuntimeException notWrittenYet) {
        continue;
      }
      assertThat(schemaJson.get("$defs").has(type))
          .as(
              "the schema defines '%s' lines: remove %s from NOT_YET_IN_SCHEMA",
              type, e.getClass().getSimpleName())
          .isFalse();
    }
  }

  @Test
  void dropLinesConform() {
    assertConforms(
        EventJson.line(
            EventJson.drop(
                Instant.parse("2025-11-26T12:00:00Z"),
                new long[] {5, 0, 1},
                new long[] {9, 0, 1})));
    assertConforms(
        EventJson.line(
            EventJson.drop(
                Instant.parse("2025-11-26T12:00:00.123456789Z"),
                new long[Abi.DROP_REASONS],
                new long[Abi.DROP_REASONS])));
  }

  @Test
  void linesReadBackFromRotatedCompressedFilesConform() throws Exception {
    List<Event> events = covered();
    FileSinkConfig config =
        FileSinkConfig.of(dir.resolve("events.jsonl")).withMaxBytes(FileSinkConfig.MIN_MAX_BYTES);
    int written = 0;
    try (RotatingFileSink sink = RotatingFileSink.open(config)) {
      for (int i = 0; i < 600; i++) {
        sink.write(EventJson.line(EventJson.event(events.get(i % events.size()))));
        written++;
      }
      sink.write(
          EventJson.line(
              EventJson.drop(
                  Instant.parse("2025-11-26T12:00:00Z"),
                  new long[] {1, 2, 3},
                  new long[] {4, 5, 6})));
      written++;
      assertThat(sink.stats().rotations()).isGreaterThanOrEqualTo(2);
    }
    assertThat(RotatedFiles.oldestFirst(config.path()))
        .anySatisfy(p -> assertThat(p.toString()).endsWith(".gz"));
    List<String> lines = ExportFixtures.readAll(config.path());
    assertThat(lines).hasSize(written);
    lines.forEach(EventSchemaTest::assertConforms);
  }

  @Test
  void theExamplesOfTheEventsDocumentConform() throws IOException {
    List<String> examples =
        Files.readAllLines(ROOT.resolve("docs/events.md")).stream()
            .filter(l -> l.startsWith("{\"type\":"))
            .toList();
    assertThat(examples).hasSizeGreaterThanOrEqualTo(9);
    examples.forEach(EventSchemaTest::assertConforms);
  }

  @Test
  void policyReloadLinesAsTheDaemonWritesThemConform() {
    // the shapes of cli's PolicyDaemon (start, reload, failed reload), see docs/cli.md
    assertConforms(
        "{\"type\":\"policy_reload\",\"schema_version\":1,\"ok\":true,\"generation\":8,\"rules\":11,\"policies\":3,"
            + "\"bytes\":4200,\"reason\":\"sighup\",\"time\":\"2025-11-26T12:00:00.123Z\"}");
    assertConforms(
        "{\"type\":\"policy_reload\",\"schema_version\":1,\"ok\":false,\"errors\":[\"a.yaml:12:15: error: unknown action"
            + " 'denny'\"],\"kept_generation\":7,\"reason\":\"file_change\","
            + "\"time\":\"2025-11-26T12:00:00Z\"}");
    assertConforms(
        "{\"type\":\"policy_reload\",\"schema_version\":1,\"ok\":false,\"errors\":[\"device busy\"],"
            + "\"reason\":\"start\",\"time\":\"2025-11-26T12:00:00Z\"}");
  }

  @Test
  void everyLineCarriesSchemaVersionOne() {
    ObjectNode exec = EventJson.event(Samples.exec(1));
    assertThat(exec.get("schema_version").asInt()).isEqualTo(EventJson.SCHEMA_VERSION).isEqualTo(1);
    assertThat(errors(EventJson.line(exec))).isEmpty();
    exec.put("schema_version", 2);
    assertThat(errors(EventJson.line(exec))).isNotEmpty();
    exec.remove("schema_version");
    assertThat(errors(EventJson.line(exec))).isNotEmpty();
    ObjectNode drop =
        EventJson.drop(Instant.EPOCH, new long[Abi.DROP_REASONS], new long[Abi.DROP_REASONS]);
    assertThat(errors(EventJson.line(drop))).isEmpty();
    drop.remove("schema_version");
    assertThat(errors(EventJson.line(drop))).isNotEmpty();
  }

  @Test
  void unknownFieldsAreAllowedForConsumersThatIgnoreThem() {
    ObjectNode exec = EventJson.event(Samples.exec(1));
    exec.put("added_later", "x");
    assertThat(errors(EventJson.line(exec))).isEmpty();
  }

  /** A valid line changed by {@code change}. */
  static String broken(Event e, Consumer<ObjectNode> change) {
    ObjectNode o = EventJson.event(e);
    change.accept(o);
    return EventJson.line(o);
  }

  @Test
  void theSchemaRejectsBrokenLines() {
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("no seq", broken(Samples.exec(1), o -> o.remove("seq"))),
            Map.entry("unknown type", broken(Samples.exec(1), o -> o.put("type", "exce"))),
            Map.entry(
                "errno without failure", broken(Samples.exec(1), o -> o.put("errno", "EPERM"))),
            Map.entry(
                "failure without errno", broken(Samples.failedExecveat(1), o -> o.remove("errno"))),
            Map.entry("dirfd on execve", broken(Samples.exec(1), o -> o.put("dirfd", -100))),
            Map.entry(
                "execveat without dirfd",
                broken(Samples.failedExecveat(1), o -> o.remove("dirfd"))),
            Map.entry("negative pid", broken(Samples.exec(1), o -> o.put("pid", -1))),
            Map.entry(
                "local time", broken(Samples.exec(1), o -> o.put("time", "2025-11-26T11:49:00"))),
            Map.entry(
                "seq past 64 bits",
                broken(
                    Samples.exec(1),
                    o -> o.put("seq", new java.math.BigInteger("18446744073709551616")))),
            Map.entry("argv not strings", broken(Samples.exec(1), o -> o.putArray("argv").add(1))),
            Map.entry("fork without child", broken(Samples.thread(1), o -> o.remove("child_pid"))),
            Map.entry(
                "exit status and signal", broken(Samples.killed(1), o -> o.put("exit_status", 0))),
            Map.entry(
                "signal without core_dumped",
                broken(Samples.killed(1), o -> o.remove("core_dumped"))),
            Map.entry(
                "open without access", broken(Samples.openWouldDeny(1), o -> o.remove("access"))),
            Map.entry(
                "access on exec",
                broken(Samples.execDenied(1), o -> o.putArray("access").add("read"))),
            Map.entry(
                "connect without port",
                broken(Samples.connectAudit(1, "10.0.0.1", Abi.AF_INET), o -> o.remove("port"))),
            Map.entry(
                "would in enforce mode",
                broken(Samples.openWouldDeny(1), o -> o.put("mode", "enforce"))),
            Map.entry(
                "would with a plain label",
                broken(Samples.openWouldDeny(1), o -> o.put("label", "deny"))),
            Map.entry(
                "unknown action", broken(Samples.execDenied(1), o -> o.put("action", "block"))),
            Map.entry(
                "truncated incomplete",
                broken(
                    Samples.execDenied(1),
                    o -> ((ObjectNode) o.get("truncated")).remove("object"))),
            Map.entry("call without args", broken(Samples.callAudit(1), o -> o.remove("args"))),
            Map.entry(
                "retval on an audited call",
                broken(Samples.callAudit(1), o -> o.put("retval", -1))),
            Map.entry(
                "denied call without retval",
                broken(Samples.callDenied(1), o -> o.remove("retval"))),
            Map.entry(
                "call argument of another type",
                broken(Samples.callAudit(1), o -> ((ObjectNode) o.get("args")).putArray("field0"))),
            Map.entry(
                "call with an empty function",
                broken(Samples.callAudit(1), o -> o.put("function", ""))),
            Map.entry(
                "drop without count",
                "{\"type\":\"drop\",\"time\":\"2025-11-26T12:00:00Z\",\"dropped\":{\"buffer_full\":1,"
                    + "\"nomem\":0,\"reader_fault\":0},\"dropped_since_load\":{\"buffer_full\":1,"
                    + "\"nomem\":0,\"reader_fault\":0}}"),
            Map.entry(
                "reload ok without generation",
                "{\"type\":\"policy_reload\",\"schema_version\":1,\"ok\":true,\"rules\":1,\"policies\":1,\"bytes\":1,"
                    + "\"reason\":\"start\",\"time\":\"2025-11-26T12:00:00Z\"}"));
    cases.forEach((what, line) -> assertThat(errors(line)).as(what + ": " + line).isNotEmpty());
  }
}
