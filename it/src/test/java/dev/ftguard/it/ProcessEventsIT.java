package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import java.util.Set;
import java.util.function.Predicate;
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

    /** Every process of the scenario is a child of this shell, run as /bin/sh /scenario.sh. */
    private static final String SCENARIO = """
            echo $$ > /out/scenario.pid
            /bin/echo ftg-one alpha "two words" > /dev/null
            /usr/bin/printf 'ftg-%s\\n' two > /dev/null
            /nonexistent/ftg-missing arg1 2> /dev/null
            /bin/sh -c 'echo $$ > /out/child.pid; exit 7'
            ( exit 5 )
            /bin/true ftg-end
            exit 0
            """;

    private static final String PAYLOAD = """
            set -u
            cat > /tmp/scenario.sh <<'SCENARIO'
            %s
            SCENARIO
            %s load --ko %s
            # background jobs of a non-interactive shell start with SIGINT ignored: undo that
            env --default-signal=INT %s events --follow > /out/events.jsonl 2> /out/events.err &
            reader=$!
            /bin/sh /tmp/scenario.sh
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
    private long scenarioPid;

    @BeforeAll
    void runScenario() throws Exception {
        String f = FtguardGuest.FTGUARD;
        result = dev.ftguard.vm.Vm.run(FtguardGuest.guest("process-events", Duration.ofMinutes(3))
                .payload(PAYLOAD.formatted(SCENARIO.strip(), f, FtguardGuest.MODULE, f, f, f))
                .build());
        FtguardGuest.assertCleanRun(result);
        events = FtguardGuest.readJsonLines(result, "events.jsonl");
        scenarioPid = Long.parseLong(result.readOutFile("scenario.pid").strip());
    }

    @Test
    void readerStopsCleanlyOnSigint() throws Exception {
        assertThat(result.readOutFile("reader.rc").strip()).isEqualTo("0");
        assertThat(events).allSatisfy(e -> assertThat(e.get("type").asString())
                .isIn("exec", "fork", "exit", "drop"));
        assertThat(result.readOutFile("events.err")).doesNotContain("malformed", "unknown record");
    }

    @Test
    void scenarioProducesExactlyTheExpectedEvents() throws Exception {
        List<JsonNode> mine = scenarioEvents();
        List<String> kinds = mine.stream().map(ProcessEventsIT::describe).toList();

        long child7 = Long.parseLong(result.readOutFile("child.pid").strip());
        List<Long> children = mine.stream()
                .filter(e -> type(e, "fork"))
                .map(e -> e.get("child_pid").asLong())
                .toList();
        assertThat(children).as(String.join("\n", kinds)).hasSize(6).contains(child7).doesNotHaveDuplicates();

        long c1 = children.get(0), c2 = children.get(1), c3 = children.get(2), c4 = children.get(3),
                c5 = children.get(4), c6 = children.get(5);
        assertThat(c4).isEqualTo(child7);
        assertThat(kinds).as("scenario events in order").containsExactly(
                "fork " + scenarioPid + "->" + c1,
                "exec " + c1 + " /bin/echo [/bin/echo, ftg-one, alpha, two words] 0",
                "exit " + c1 + " status=0 group_dead=true",
                "fork " + scenarioPid + "->" + c2,
                "exec " + c2 + " /usr/bin/printf [/usr/bin/printf, ftg-%s\\n, two] 0",
                "exit " + c2 + " status=0 group_dead=true",
                "fork " + scenarioPid + "->" + c3,
                "exec " + c3 + " /nonexistent/ftg-missing [/nonexistent/ftg-missing, arg1] -2",
                "exit " + c3 + " status=127 group_dead=true",
                "fork " + scenarioPid + "->" + c4,
                "exec " + c4 + " /bin/sh [/bin/sh, -c, echo $$ > /out/child.pid; exit 7] 0",
                "exit " + c4 + " status=7 group_dead=true",
                "fork " + scenarioPid + "->" + c5,
                "exit " + c5 + " status=5 group_dead=true",
                "fork " + scenarioPid + "->" + c6,
                "exec " + c6 + " /bin/true [/bin/true, ftg-end] 0",
                "exit " + c6 + " status=0 group_dead=true");
    }

    @Test
    void everyEventCarriesTheProcessContext() {
        Instant now = Instant.now();
        for (JsonNode e : scenarioEvents()) {
            assertThat(e.get("uid").asLong()).as("uid of %s", e).isZero();
            assertThat(e.get("gid").asLong()).as("gid of %s", e).isZero();
            assertThat(e.get("euid").asLong()).as("euid of %s", e).isZero();
            assertThat(e.get("tgid").asLong()).as("single-threaded: tgid of %s", e).isEqualTo(e.get("pid").asLong());
            assertThat(e.get("cgroup_id").asLong()).as("cgroup id of %s", e).isPositive();
            assertThat(e.get("mono_ns").asLong()).isPositive();
            Instant t = Instant.parse(e.get("time").asString());
            assertThat(t).isBetween(now.minus(Duration.ofHours(1)), now.plus(Duration.ofMinutes(1)));
        }
        JsonNode echo = only(e -> type(e, "exec") && e.get("filename").asString().equals("/bin/echo"));
        assertThat(echo.get("comm").asString()).isEqualTo("echo");
        assertThat(echo.get("ppid").asLong()).isEqualTo(scenarioPid);
        assertThat(echo.get("argc").asInt()).isEqualTo(4);
        assertThat(echo.get("syscall").asString()).isEqualTo("execve");
        assertThat(echo.get("truncated").get("argv").asBoolean()).isFalse();

        JsonNode missing = only(e -> type(e, "exec") && e.get("result").asInt() < 0);
        assertThat(missing.get("errno").asString()).isEqualTo("ENOENT");

        JsonNode fork = scenarioEvents().stream().filter(e -> type(e, "fork")).findFirst().orElseThrow();
        assertThat(fork.get("pid").asLong()).isEqualTo(scenarioPid);
        assertThat(fork.get("thread").asBoolean()).isFalse();
        assertThat(fork.get("comm").asString()).isEqualTo("sh");
    }

    @Test
    void statusCountsWhatWasDelivered() throws Exception {
        JsonNode status = FtguardGuest.readJson(result, "status.json");
        String text = status.toString();
        assertThat(text).contains("__x64_sys_execve", "__x64_sys_execveat", "wake_up_new_task", "acct_collect");
        long delivered = findLong(status, "delivered");
        long produced = findLong(status, "produced");
        assertThat(delivered).as(text).isGreaterThanOrEqualTo(events.stream().filter(e -> !type(e, "drop")).count());
        assertThat(produced).as(text).isGreaterThanOrEqualTo(delivered);
        for (String reason : List.of("buffer_full", "nomem", "reader_fault")) {
            assertThat(findLong(status, reason)).as("%s in %s", reason, text).isZero();
        }
    }

    /** Events of the scenario shell's children, and its forks, in stream order. */
    private List<JsonNode> scenarioEvents() {
        Set<Long> children = new java.util.HashSet<>();
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events) {
            if (type(e, "fork") && e.get("pid").asLong() == scenarioPid) {
                children.add(e.get("child_pid").asLong());
                out.add(e);
            } else if (!type(e, "drop") && children.contains(e.get("pid").asLong())) {
                out.add(e);
            }
        }
        return out;
    }

    private JsonNode only(Predicate<JsonNode> p) {
        List<JsonNode> matches = scenarioEvents().stream().filter(p).toList();
        assertThat(matches).hasSize(1);
        return matches.getFirst();
    }

    private static boolean type(JsonNode e, String type) {
        return e.get("type").asString().equals(type);
    }

    private static String describe(JsonNode e) {
        return switch (e.get("type").asString()) {
            case "fork" -> "fork " + e.get("pid").asLong() + "->" + e.get("child_pid").asLong();
            case "exec" -> {
                List<String> argv = new ArrayList<>();
                e.get("argv").forEach(a -> argv.add(a.asString()));
                yield "exec " + e.get("pid").asLong() + " " + e.get("filename").asString() + " " + argv
                        + " " + e.get("result").asInt();
            }
            case "exit" -> "exit " + e.get("pid").asLong() + " "
                    + (e.has("exit_status") ? "status=" + e.get("exit_status").asInt() : "signal=" + e.get("signal"))
                    + " group_dead=" + e.get("group_dead").asBoolean();
            default -> e.toString();
        };
    }

    /** The first numeric field of that name anywhere in the document. */
    private static long findLong(JsonNode node, String name) {
        JsonNode found = node.findValue(name);
        assertThat(found).as("field %s in %s", name, node).isNotNull();
        return found.asLong();
    }

}
