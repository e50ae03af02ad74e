package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.cli.ModuleBuildException;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.GuestSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Scenarios played by a guest payload and what came back of them: each scenario's command runs as a
 * background job of the payload shell (so its pid is known before it execs), its output goes to
 * {@code /out/PHASE/NAME.out}, its pid to {@code NAME.pid} and its exit status to {@code NAME.rc}.
 * The events of {@code ftguard events --follow} (in {@code /out/events.jsonl}) are attributed to a
 * scenario through its pid and the fork events of its descendants.
 */
final class Scenarios {

  /**
   * Shell functions for the payload. {@code sc PHASE NAME COMMAND...} runs one scenario; {@code
   * wait_for_event TEXT} waits until the event stream holds TEXT (quoted as JSON); {@code
   * apply_policy PHASE FILE} applies the policy file, its output to {@code /out/PHASE/apply.out},
   * {@code apply.err} and its exit status to {@code apply.rc}.
   */
  static final String SHELL_FUNCTIONS =
      """
            sc() {
              ph=$1; n=$2; shift 2
              mkdir -p /out/$ph
              "$@" > /out/$ph/$n.out 2>&1 &
              p=$!
              echo $p > /out/$ph/$n.pid
              wait $p
              echo $? > /out/$ph/$n.rc
            }
            wait_for_event() {
              i=0
              until grep -q "\\"$1\\"" /out/events.jsonl 2>/dev/null; do
                i=$((i + 1)); [ $i -le 1200 ] || { echo "the event stream never showed $1" >&2; return 1; }
                sleep 0.1
              done
            }
            apply_policy() {
              mkdir -p /out/$1
              $F policy apply $2 > /out/$1/apply.out 2> /out/$1/apply.err
              echo $? > /out/$1/apply.rc
            }
            """;

  /**
   * The start of a payload: {@code set -u}, {@code $F} the CLI and {@code $T} the test helper, the
   * JVM options, {@link #SHELL_FUNCTIONS}, the set-up, the policy files (see {@link #policyFile}),
   * {@code /out/payload.pid}, the module loaded and the event reader started as {@code $reader},
   * streaming to {@code /out/events.jsonl}.
   */
  static String prelude(String setup, String policyFiles) {
    return """
        set -u
        F=%s
        T=%s
        export FTGUARD_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        """
            .formatted(FtguardGuest.FTGUARD, FtguardGuest.TEST_HELPER)
        + SHELL_FUNCTIONS
        + setup.stripTrailing()
        + "\n"
        + policyFiles
        + """
        echo $$ > /out/payload.pid
        $F load --ko %s || exit 1
        # background jobs of a non-interactive shell start with SIGINT ignored: undo that
        env --default-signal=INT $F events --follow > /out/events.jsonl 2> /out/events.err &
        reader=$!
        """
            .formatted(FtguardGuest.MODULE);
  }

  /** Shell that writes this policy to {@code /tmp/NAME.yaml}. */
  static String policyFile(String name, String yaml) {
    return "cat > /tmp/" + name + ".yaml <<'POLICY'\n" + yaml.strip() + "\nPOLICY\n";
  }

  /**
   * The end of a payload, once every scenario has run: waits until the event stream holds all that
   * came before, stops the reader (its exit status to {@code /out/reader.rc}).
   */
  static final String STOP_READER =
      """
        /bin/true ftg-end
        wait_for_event ftg-end
        sleep 0.5
        kill -INT $reader
        wait $reader
        echo $? > /out/reader.rc
        """;

  /** {@link #STOP_READER}, then the policies cleared and the module unloaded. */
  static final String END = STOP_READER + "$F policy clear > /dev/null\n$F unload\n";

  /**
   * A payload that plays its scenarios in an enforce phase, then in a monitor phase (the same
   * policy with {@code mode: monitor}), with the event stream in {@code /out/events.jsonl}: the
   * {@link #prelude}, then per phase ({@code $ph}) {@code /out/$ph}, the policy applied ({@code
   * apply_policy}) and {@code scenarios}, then {@link #END}.
   */
  static String twoPhasePayload(String setup, String enforcePolicy, String scenarios) {
    return twoPhasePayload(setup, enforcePolicy, "", scenarios, END);
  }

  /**
   * The same, with {@code beforeApply} run in each phase before its policy is applied, and {@code
   * end} (which must stop the reader, e.g. {@link #STOP_READER}) after both phases.
   */
  static String twoPhasePayload(
      String setup, String enforcePolicy, String beforeApply, String scenarios, String end) {
    return prelude(setup, policyFile("enforce", enforcePolicy) + MONITOR_POLICY)
        + "scenarios() {\n"
        + scenarios.stripTrailing()
        + "\n}\n"
        + "for ph in enforce monitor; do\n"
        + "  mkdir -p /out/$ph\n"
        + (beforeApply.isBlank() ? "" : beforeApply.stripTrailing() + "\n")
        + "  apply_policy $ph /tmp/$ph.yaml\n"
        + "  scenarios $ph\n"
        + "done\n"
        + end;
  }

  /** Shell that writes {@code /tmp/monitor.yaml}: {@code /tmp/enforce.yaml} in monitor mode. */
  static final String MONITOR_POLICY =
      "sed 's/mode: enforce/mode: monitor/' /tmp/enforce.yaml > /tmp/monitor.yaml\n";

  /**
   * Boots the guest with this payload, asserts a {@linkplain FtguardGuest#runClean clean run} and
   * reads its event stream.
   */
  static Scenarios play(GuestSpec.Builder guest, String payload) throws IOException {
    GuestResult result = FtguardGuest.runClean(guest.payload(payload));
    return new Scenarios(result, FtguardGuest.readJsonLines(result, "events.jsonl"));
  }

  /** {@link #play} in a guest with {@link FtguardGuest#withTestFiles the test files}. */
  static Scenarios play(String name, Duration timeout, String payload)
      throws IOException, InterruptedException, ModuleBuildException {
    return play(FtguardGuest.withTestFiles(FtguardGuest.guest(name, timeout)), payload);
  }

  /** What a scenario's caller saw. */
  record Outcome(int rc, List<String> lines) {
    /**
     * {@code killed} (status 137, SIGKILL), else the first word of the last line: {@code ok} or
     * {@code errno=NAME}.
     */
    String summary() {
      if (rc == 137) {
        return "killed";
      }
      String last = lines.isEmpty() ? "" : lines.getLast().strip();
      int space = last.indexOf(' ');
      return space < 0 ? last : last.substring(0, space);
    }

    @Override
    public String toString() {
      return "rc=" + rc + " output=" + lines;
    }
  }

  private final GuestResult result;
  private final List<JsonNode> events;
  private final Map<Long, List<Long>> children = new HashMap<>();

  Scenarios(GuestResult result, List<JsonNode> events) {
    this.result = result;
    this.events = events;
    for (JsonNode e : events) {
      if (is(e, "fork")) {
        children
            .computeIfAbsent(e.get("pid").asLong(), k -> new ArrayList<>())
            .add(e.get("child_pid").asLong());
      }
    }
  }

  List<JsonNode> events() {
    return events;
  }

  GuestResult result() {
    return result;
  }

  /** {@code apply_policy} succeeded in each of these phases. */
  void assertApplied(String... phases) {
    for (String ph : phases) {
      assertThat(file(ph + "/apply.rc").strip())
          .as("policy apply (%s): %s%s", ph, file(ph + "/apply.out"), file(ph + "/apply.err"))
          .isEqualTo("0");
    }
  }

  /** The reader stopped with status 0 and its stream is {@linkplain #assertStreamSane sane}. */
  void assertReaderClean() {
    assertThat(file("reader.rc").strip()).isEqualTo("0");
    assertStreamSane(result, events);
  }

  private String read(String file) {
    try {
      return result.readOutFile(file);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "/out/"
              + file
              + " is missing: the payload did not get that far ("
              + e.getMessage()
              + ")\n--- payload output ---\n"
              + String.join("\n", result.payloadOutput()),
          e);
    }
  }

  Outcome outcome(String phase, String name) {
    String rc = read(phase + "/" + name + ".rc").strip();
    List<String> lines =
        read(phase + "/" + name + ".out").lines().filter(l -> !l.isBlank()).toList();
    return new Outcome(Integer.parseInt(rc), lines);
  }

  long pid(String phase, String name) {
    return Long.parseLong(read(phase + "/" + name + ".pid").strip());
  }

  String file(String path) {
    return read(path);
  }

  /** The pid and every descendant's, from the fork events. */
  Set<Long> tree(long pid) {
    Set<Long> out = new HashSet<>();
    List<Long> todo = new ArrayList<>(List.of(pid));
    while (!todo.isEmpty()) {
      long p = todo.removeLast();
      if (out.add(p)) {
        todo.addAll(children.getOrDefault(p, List.of()));
      }
    }
    return out;
  }

  /** Decision events of the scenario's processes, in stream order. */
  List<JsonNode> decisions(String phase, String name) {
    Set<Long> pids = tree(pid(phase, name));
    return events.stream()
        .filter(e -> is(e, "decision") && pids.contains(e.get("pid").asLong()))
        .toList();
  }

  /** Exec events of the scenario's processes, in stream order. */
  List<JsonNode> execs(String phase, String name) {
    Set<Long> pids = tree(pid(phase, name));
    return events.stream()
        .filter(e -> is(e, "exec") && pids.contains(e.get("pid").asLong()))
        .toList();
  }

  static boolean is(JsonNode e, String type) {
    JsonNode t = e.get("type");
    return t != null && t.asString().equals(type);
  }

  static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    return v == null || v.isNull() ? null : v.asString();
  }

  static List<String> strings(JsonNode e, String field) {
    JsonNode v = e.get(field);
    List<String> out = new ArrayList<>();
    if (v != null && v.isArray()) {
      v.forEach(a -> out.add(a.asString()));
    }
    return out;
  }

  /** One line per decision: policy/rule action label, for messages. */
  static String describe(List<JsonNode> decisions) {
    return decisions.isEmpty()
        ? "(no decision events)"
        : decisions.stream()
            .map(JsonNode::toString)
            .collect(Collectors.joining("\n  ", "\n  ", ""));
  }

  /** Every event line of the stream has a known type; the reader reported no malformed record. */
  static void assertStreamSane(GuestResult result, List<JsonNode> events) {
    assertThat(events)
        .allSatisfy(
            e -> assertThat(text(e, "type")).isIn("exec", "fork", "exit", "drop", "decision"));
    assertThat(result.readOutFile("events.err")).doesNotContain("malformed", "unknown record");
  }
}
