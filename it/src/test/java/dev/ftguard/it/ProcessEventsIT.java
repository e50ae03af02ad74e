package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Loads the module in the VM, runs {@code ftguard events --follow}, plays a known scenario and
 * checks the exact events it produced, field by field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessEventsIT {

  private static final String PAYLOAD =
      """
            set -u
            %s load --ko %s
            # background jobs of a non-interactive shell start with SIGINT ignored: undo that
            env --default-signal=INT %s events --follow > /out/events.jsonl 2> /out/events.err &
            reader=$!
            %s
            # the reader has seen everything once the last exec of the scenario is out
            # (quoted, so that this grep's own exec, whose argv is escaped in JSON, does not count)
            i=0
            until grep -q '"ftg-end"' /out/events.jsonl 2>/dev/null; do
              i=$((i + 1)); [ $i -le 600 ] || { echo "reader saw no ftg-end" >&2; exit 1; }
              sleep 0.1
            done
            sleep 0.5
            kill -INT $reader
            wait $reader
            echo $? > /out/reader.rc
            %s status --json > /out/status.json
            %s unload
            """;

  private GuestResult result;
  private List<JsonNode> events;
  private ExecForkExitScenario scenario;

  @BeforeAll
  void runScenario() throws Exception {
    String f = FtguardGuest.FTGUARD;
    result =
        FtguardGuest.runClean(
            FtguardGuest.guest("process-events", Duration.ofMinutes(5))
                .payload(
                    PAYLOAD.formatted(
                        f, FtguardGuest.MODULE, f, ExecForkExitScenario.SCRIPT, f, f)));
    events = FtguardGuest.readJsonLines(result, "events.jsonl");
    scenario = ExecForkExitScenario.of(result, events);
  }

  @Test
  void readerStopsCleanlyOnSigint() throws Exception {
    assertThat(result.readOutFile("reader.rc").strip()).isEqualTo("0");
    assertThat(events)
        .allSatisfy(e -> assertThat(e.get("type").asString()).isIn("exec", "fork", "exit", "drop"));
    assertThat(result.readOutFile("events.err")).doesNotContain("malformed", "unknown record");
  }

  @Test
  void scenarioProducesExactlyTheExpectedEvents() {
    scenario.assertExactEvents();
  }

  @Test
  void execRecordsSayWhatRanAndWhere() {
    scenario.assertImages();
  }

  @Test
  void everyEventCarriesTheProcessContext() {
    Instant now = Instant.now();
    for (JsonNode e : scenario.events()) {
      assertThat(e.get("uid").asLong()).as("uid of %s", e).isZero();
      assertThat(e.get("gid").asLong()).as("gid of %s", e).isZero();
      assertThat(e.get("euid").asLong()).as("euid of %s", e).isZero();
      assertThat(e.get("tgid").asLong())
          .as("single-threaded: tgid of %s", e)
          .isEqualTo(e.get("pid").asLong());
      assertThat(e.get("cgroup_id").asLong()).as("cgroup id of %s", e).isPositive();
      assertThat(e.get("mono_ns").asLong()).isPositive();
      Instant t = Instant.parse(e.get("time").asString());
      assertThat(t).isBetween(now.minus(Duration.ofHours(1)), now.plus(Duration.ofMinutes(1)));
    }
    long scenarioPid = scenario.scenarioPid();
    JsonNode echo =
        scenario.only(e -> type(e, "exec") && e.get("filename").asString().equals("/bin/echo"));
    assertThat(echo.get("comm").asString()).isEqualTo("echo");
    assertThat(echo.get("ppid").asLong()).isEqualTo(scenarioPid);
    assertThat(echo.get("argc").asInt()).isEqualTo(4);
    assertThat(echo.get("syscall").asString()).isEqualTo("execve");
    assertThat(echo.get("truncated").get("argv").asBoolean()).isFalse();

    JsonNode missing = scenario.only(e -> type(e, "exec") && e.get("result").asInt() < 0);
    assertThat(missing.get("errno").asString()).isEqualTo("ENOENT");

    JsonNode fork =
        scenario.events().stream().filter(e -> type(e, "fork")).findFirst().orElseThrow();
    assertThat(fork.get("pid").asLong()).isEqualTo(scenarioPid);
    assertThat(fork.get("thread").asBoolean()).isFalse();
    assertThat(fork.get("comm").asString()).isEqualTo("sh");
  }

  @Test
  void statusCountsWhatWasDelivered() throws Exception {
    JsonNode status = FtguardGuest.readJson(result, "status.json");
    String text = status.toString();
    assertThat(text)
        .contains("__x64_sys_execve", "__x64_sys_execveat", "wake_up_new_task", "acct_collect");
    long delivered = findLong(status, "delivered");
    long produced = findLong(status, "produced");
    assertThat(delivered)
        .as(text)
        .isGreaterThanOrEqualTo(events.stream().filter(e -> !type(e, "drop")).count());
    assertThat(produced).as(text).isGreaterThanOrEqualTo(delivered);
    for (String reason : List.of("buffer_full", "nomem", "reader_fault")) {
      assertThat(findLong(status, reason)).as("%s in %s", reason, text).isZero();
    }
  }

  private static boolean type(JsonNode e, String type) {
    return ExecForkExitScenario.type(e, type);
  }

  /** The first numeric field of that name anywhere in the document. */
  private static long findLong(JsonNode node, String name) {
    JsonNode found = node.findValue(name);
    assertThat(found).as("field %s in %s", name, node).isNotNull();
    return found.asLong();
  }
}
