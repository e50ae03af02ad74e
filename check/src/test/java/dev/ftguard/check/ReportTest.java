package dev.ftguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Exit status, the JSON document and the human table. */
class ReportTest {
  @TempDir Path tmp;

  static Report report(Status... statuses) {
    List<Check> checks =
        java.util.stream.IntStream.range(0, statuses.length)
            .mapToObj(
                i ->
                    new Check(
                        "c" + i,
                        statuses[i],
                        "check " + i,
                        "detail " + i,
                        statuses[i] == Status.PASS ? "" : "fix " + i))
            .toList();
    return new Report(Optional.of("6.1.0-13-amd64"), Optional.of("x86_64"), checks);
  }

  @Test
  void exitStatusIsTheWorstStatus() {
    assertThat(report(Status.PASS, Status.PASS).exitCode()).isZero();
    assertThat(report(Status.PASS, Status.WARN, Status.PASS).exitCode()).isEqualTo(1);
    assertThat(report(Status.WARN, Status.FAIL, Status.PASS).exitCode()).isEqualTo(2);
    assertThat(report(Status.FAIL, Status.WARN).status()).isEqualTo(Status.FAIL);
    assertThat(report().exitCode()).isZero();
    assertThat(Status.PASS.exitCode()).isZero();
    assertThat(Status.WARN.exitCode()).isEqualTo(1);
    assertThat(Status.FAIL.exitCode()).isEqualTo(2);
  }

  @Test
  void jsonShape() {
    Report r =
        new Report(
            Optional.of("6.1.0-13-amd64"),
            Optional.empty(),
            List.of(
                new Check(
                    "arch", Status.WARN, "architecture", "not known", "give it with --machine"),
                new Check("headers", Status.PASS, "kernel headers", "/lib/modules/x/build", "")));
    assertThat(r.jsonText())
        .isEqualTo(
            "{\"kernel_release\":\"6.1.0-13-amd64\",\"arch\":null,\"checks\":["
                + "{\"id\":\"arch\",\"status\":\"warn\",\"title\":\"architecture\",\"detail\":\"not known\",\"fix\":\"give it with --machine\"},"
                + "{\"id\":\"headers\",\"status\":\"pass\",\"title\":\"kernel headers\",\"detail\":\"/lib/modules/x/build\",\"fix\":null}],"
                + "\"summary\":{\"status\":\"warn\",\"exit_code\":1,\"pass\":1,\"warn\":1,\"fail\":0}}");
  }

  @Test
  void jsonOfAWholeHost() {
    Host host = new Host(tmp);
    host.option("CONFIG_KPROBES", null);
    JsonNode j = JsonMapper.builder().build().readTree(host.report().jsonText());
    assertThat(j.get("kernel_release").asString()).isEqualTo(Host.RELEASE);
    assertThat(j.get("arch").asString()).isEqualTo("x86_64");
    assertThat(j.get("checks").size()).isEqualTo(host.report().checks().size());
    for (JsonNode c : j.get("checks")) {
      assertThat(c.propertyNames()).containsExactly("id", "status", "title", "detail", "fix");
      assertThat(c.get("status").asString()).isIn("pass", "warn", "fail");
    }
    JsonNode kprobes = j.get("checks").get(10);
    assertThat(kprobes.get("id").asString()).isEqualTo("config.kprobes");
    assertThat(kprobes.get("status").asString()).isEqualTo("fail");
    assertThat(kprobes.get("fix").asString())
        .isEqualTo("boot a kernel built with CONFIG_KPROBES=y");
    assertThat(j.get("summary").toString())
        .isEqualTo(
            "{\"status\":\"fail\",\"exit_code\":2,\"pass\":"
                + (j.get("checks").size() - 1)
                + ",\"warn\":0,\"fail\":1}");
  }

  @Test
  void tableHasAlignedColumnsAndFixesUnderProblems() {
    Report r =
        new Report(
            Optional.of("6.1.0-13-amd64"),
            Optional.of("x86_64"),
            List.of(
                new Check("arch", Status.PASS, "architecture", "x86_64", ""),
                new Check(
                    "config.kprobes",
                    Status.FAIL,
                    "CONFIG_KPROBES",
                    "not set: since 5.7 the module needs it",
                    "boot a kernel built with CONFIG_KPROBES=y"),
                new Check("lockdown", Status.WARN, "kernel lockdown", "undecided", "")));
    assertThat(r.table(100))
        .isEqualTo(
            """
            ftguard check: kernel 6.1.0-13-amd64, x86_64

            STATUS  CHECK            DETAIL
            PASS    architecture     x86_64
            FAIL    CONFIG_KPROBES   not set: since 5.7 the module needs it
                                     fix: boot a kernel built with CONFIG_KPROBES=y
            WARN    kernel lockdown  undecided

            1 pass, 1 warn, 1 fail: ftguard cannot run on this kernel as it is (CONFIG_KPROBES; the fixes are under the failing lines)
            """);
  }

  @Test
  void longDetailsWrapUnderTheDetailColumn() {
    Host host = new Host(tmp);
    host.write("/proc/sys/kernel/arch", "i686\n");
    String table = host.report().table(100);
    List<String> lines = table.lines().toList();
    int col = lines.get(2).indexOf("DETAIL");
    assertThat(col).isEqualTo("STATUS  ".length() + "CONFIG_DYNAMIC_FTRACE_WITH_REGS".length() + 2);
    for (String l : lines.subList(0, lines.size() - 1)) {
      // only a single word longer than the column (a long path) goes past the width
      if (l.length() <= col || l.substring(col).strip().contains(" ")) {
        assertThat(l.length()).as(l).isLessThanOrEqualTo(100);
      }
    }
    int arch =
        lines.indexOf(
            lines.stream()
                .filter(l -> l.startsWith("FAIL    architecture"))
                .findFirst()
                .orElseThrow());
    assertThat(lines.get(arch).substring(col)).startsWith("i686: 32-bit x86 cannot host ftguard.");
    // continuation lines and the fix start in the detail column
    assertThat(lines.get(arch + 1))
        .startsWith(" ".repeat(col))
        .doesNotStartWith(" ".repeat(col + 1));
    assertThat(
            lines.stream().filter(l -> l.startsWith(" ".repeat(col) + "fix: run a 64-bit")).count())
        .isEqualTo(1);
    assertThat(lines.getLast())
        .startsWith(
            (host.report().checks().size() - 1)
                + " pass, 0 warn, 1 fail: ftguard cannot run on this kernel as it is (architecture;");
  }

  @Test
  void verdicts() {
    assertThat(report(Status.PASS).verdict())
        .isEqualTo("1 pass, 0 warn, 0 fail: this kernel can host ftguard's hooks");
    assertThat(report(Status.PASS, Status.WARN).verdict())
        .isEqualTo(
            "1 pass, 1 warn, 0 fail: no check fails; the warnings say what could not be checked,"
                + " what is not tested or what may get in the way");
  }

  @Test
  void wrap() {
    assertThat(Report.wrap("aa bb cc dd", 5)).containsExactly("aa bb", "cc dd");
    assertThat(Report.wrap("a-very-long-word x", 5)).containsExactly("a-very-long-word", "x");
    assertThat(Report.wrap("", 5)).containsExactly("");
  }
}
