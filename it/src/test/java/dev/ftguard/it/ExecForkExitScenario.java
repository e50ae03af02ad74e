package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.nativeio.PathCalls;
import dev.ftguard.vm.GuestResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * A known sequence of process activity and the exact exec, fork and exit events it must give: a
 * shell ({@code /bin/sh /tmp/scenario.sh}) runs six children one after the other (two execs with
 * arguments, a failed exec, a shell that exits 7, a subshell that exits 5, a last exec that marks
 * the end). {@link #SCRIPT} plays it in a payload; {@link #of} reads what came back.
 */
final class ExecForkExitScenario {

  /** Payload lines that play the scenario; its last exec has the argument {@code ftg-end}. */
  static final String SCRIPT =
      """
            cat > /tmp/scenario.sh <<'SCENARIO'
            echo $$ > /out/scenario.pid
            cd /tmp
            /bin/echo ftg-one alpha "two words" > /dev/null
            /usr/bin/printf 'ftg-%s\\n' two > /dev/null
            /nonexistent/ftg-missing arg1 2> /dev/null
            /bin/sh -c 'echo $$ > /out/child.pid; exit 7'
            ( exit 5 )
            /bin/true ftg-end
            exit 0
            SCENARIO
            for b in /bin/echo /usr/bin/printf /bin/sh /bin/true; do
              stat -L -c "$b %d %i %s %Z" $b
            done > /out/exe.stat
            /bin/sh /tmp/scenario.sh
            """;

  private final GuestResult result;
  private final long scenarioPid;
  private final List<JsonNode> mine;

  private ExecForkExitScenario(GuestResult result, long scenarioPid, List<JsonNode> mine) {
    this.result = result;
    this.scenarioPid = scenarioPid;
    this.mine = mine;
  }

  /** The scenario's events out of a whole stream: the shell's forks and its children's events. */
  static ExecForkExitScenario of(GuestResult result, List<JsonNode> stream) {
    long pid = Long.parseLong(result.readOutFile("scenario.pid").strip());
    Set<Long> children = new HashSet<>();
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : stream) {
      if (type(e, "fork") && e.get("pid").asLong() == pid) {
        children.add(e.get("child_pid").asLong());
        out.add(e);
      } else if (!type(e, "drop") && e.has("pid") && children.contains(e.get("pid").asLong())) {
        out.add(e);
      }
    }
    return new ExecForkExitScenario(result, pid, out);
  }

  long scenarioPid() {
    return scenarioPid;
  }

  /** The scenario's events, in stream order. */
  List<JsonNode> events() {
    return mine;
  }

  /** The one event of the scenario that matches. */
  JsonNode only(Predicate<JsonNode> p) {
    List<JsonNode> matches = mine.stream().filter(p).toList();
    assertThat(matches).hasSize(1);
    return matches.getFirst();
  }

  /** Exactly these events, in this order, with these pids, files, arguments and results. */
  void assertExactEvents() {
    List<String> kinds =
        mine.stream()
            .filter(e -> type(e, "fork") || type(e, "exec") || type(e, "exit"))
            .map(ExecForkExitScenario::describe)
            .toList();
    long child7 = Long.parseLong(result.readOutFile("child.pid").strip());
    List<Long> children =
        mine.stream().filter(e -> type(e, "fork")).map(e -> e.get("child_pid").asLong()).toList();
    assertThat(children)
        .as(String.join("\n", kinds))
        .hasSize(6)
        .contains(child7)
        .doesNotHaveDuplicates();

    long c1 = children.get(0),
        c2 = children.get(1),
        c3 = children.get(2),
        c4 = children.get(3),
        c5 = children.get(4),
        c6 = children.get(5);
    assertThat(c4).isEqualTo(child7);
    assertThat(kinds)
        .as("scenario events in order")
        .containsExactly(
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

  /**
   * Each successful exec's record says what ran and where as the kernel held them: the working
   * directory ({@code /tmp}, where the shell went) and the statx identity of the binary, as {@code
   * stat -L} in the guest gives it; a failed exec says neither.
   */
  void assertImages() {
    Map<String, String[]> stats = new HashMap<>();
    for (String line : result.readOutFile("exe.stat").strip().split("\n")) {
      String[] f = line.split(" ");
      stats.put(f[0], f);
    }
    List<JsonNode> execs = mine.stream().filter(e -> type(e, "exec")).toList();
    assertThat(execs).hasSize(5);
    for (JsonNode e : execs) {
      String file = e.get("filename").asString();
      if (e.get("result").asInt() != 0) {
        assertThat(e.has("image")).as("failed exec %s", e).isFalse();
        continue;
      }
      JsonNode image = e.get("image");
      assertThat(image).as("exec of %s: %s", file, e).isNotNull();
      assertThat(image.get("cwd").asString()).as("cwd of %s", file).isEqualTo("/tmp");
      String[] st = stats.get(file);
      assertThat(st).as("guest stat of %s", file).isNotNull();
      long dev = Long.parseLong(st[1]);
      JsonNode exe = image.get("exe");
      assertThat(exe.get("dev").asString())
          .as("device of %s", file)
          .isEqualTo(PathCalls.major(dev) + ":" + PathCalls.minor(dev));
      assertThat(exe.get("ino").asLong()).as("inode of %s", file).isEqualTo(Long.parseLong(st[2]));
      assertThat(exe.get("size").asLong()).as("size of %s", file).isEqualTo(Long.parseLong(st[3]));
      assertThat(exe.get("ctime_sec").asLong())
          .as("ctime of %s", file)
          .isEqualTo(Long.parseLong(st[4]));
      assertThat(exe.get("ctime_nsec").asLong()).isBetween(0L, 999_999_999L);
    }
  }

  static boolean type(JsonNode e, String type) {
    return e.get("type").asString().equals(type);
  }

  private static String describe(JsonNode e) {
    return switch (e.get("type").asString()) {
      case "fork" -> "fork " + e.get("pid").asLong() + "->" + e.get("child_pid").asLong();
      case "exec" -> {
        List<String> argv = new ArrayList<>();
        e.get("argv").forEach(a -> argv.add(a.asString()));
        yield "exec "
            + e.get("pid").asLong()
            + " "
            + e.get("filename").asString()
            + " "
            + argv
            + " "
            + e.get("result").asInt();
      }
      case "exit" ->
          "exit "
              + e.get("pid").asLong()
              + " "
              + (e.has("exit_status")
                  ? "status=" + e.get("exit_status").asInt()
                  : "signal=" + e.get("signal"))
              + " group_dead="
              + e.get("group_dead").asBoolean();
      default -> e.toString();
    };
  }
}
