package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.check.HookTargets;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code ftguard check} on a fake machine under {@code --root}; never touches the kernel. */
class CheckCommandTest extends CommandLineTest {
  static final String RELEASE = "6.1.0-13-amd64";

  /** Every hook target, as on a current kernel (the module's table, through HookTargets). */
  static final List<String> TARGETS =
      HookTargets.forVersion(Optional.empty()).stream().map(HookTargets.Target::symbol).toList();

  static final String CONFIG =
      """
      #
      # Linux/x86 6.1.55 Kernel Configuration
      #
      CONFIG_MODULES=y
      CONFIG_MODULE_UNLOAD=y
      CONFIG_MODULE_SIG=y
      # CONFIG_MODULE_SIG_FORCE is not set
      CONFIG_KALLSYMS=y
      CONFIG_KPROBES=y
      CONFIG_FTRACE=y
      CONFIG_FUNCTION_TRACER=y
      CONFIG_DYNAMIC_FTRACE=y
      CONFIG_DYNAMIC_FTRACE_WITH_REGS=y
      CONFIG_DYNAMIC_FTRACE_WITH_ARGS=y
      CONFIG_HAVE_FENTRY=y
      CONFIG_SECURITY=y
      CONFIG_SECURITY_NETWORK=y
      CONFIG_SECURITY_PATH=y
      CONFIG_SECURITY_LOCKDOWN_LSM=y
      CONFIG_BSD_PROCESS_ACCT=y
      # CONFIG_X86_KERNEL_IBT is not set
      """;

  Path root;

  @BeforeEach
  void healthyHost() throws IOException {
    root = tmp.resolve("root");
    write("proc/sys/kernel/osrelease", RELEASE + "\n");
    write("proc/sys/kernel/arch", "x86_64\n");
    write("proc/cmdline", "root=/dev/sda1 ro quiet\n");
    config(CONFIG);
    StringBuilder syms = new StringBuilder();
    StringBuilder funcs = new StringBuilder();
    for (String t : TARGETS) {
      syms.append("0000000000000000 T ").append(t).append('\n');
      funcs.append(t).append('\n');
    }
    write("proc/kallsyms", syms.toString());
    write("sys/kernel/tracing/available_filter_functions", funcs.toString());
    write("sys/kernel/tracing/enabled_functions", "");
    write("proc/sys/kernel/ftrace_enabled", "1\n");
    write("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
    write("sys/module/module/parameters/sig_enforce", "N\n");
    write("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu lm\n");
    write("lib/modules/" + RELEASE + "/build/Makefile", "");
  }

  @AfterEach
  void neverTouchesTheKernel() {
    assertThat(calls).isEmpty();
  }

  Path write(String rel, String text) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text);
  }

  /** How many rows a report of the fixture's root has (one per rule). */
  private int rows() {
    return dev.ftguard.check.Report.of(
            dev.ftguard.check.KernelReadings.gather(new dev.ftguard.check.LiveSystem(root)))
        .checks()
        .size();
  }

  void config(String text) throws IOException {
    Path p = root.resolve("proc/config.gz");
    Files.createDirectories(p.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void aHealthyHostPassesWithExitStatus0() {
    assertThat(run("check", "--root", root.toString())).isZero();
    List<String> lines = out().lines().toList();
    assertThat(lines.getFirst()).isEqualTo("ftguard check: kernel " + RELEASE + ", x86_64");
    assertThat(lines.get(2)).matches("STATUS  CHECK +DETAIL");
    assertThat(lines).filteredOn(l -> l.startsWith("PASS    ")).hasSize(rows());
    assertThat(lines.getLast())
        .isEqualTo(rows() + " pass, 0 warn, 0 fail: this kernel can host ftguard's hooks");
    assertThat(err()).isEmpty();
  }

  @Test
  void aWarningIsExitStatus1() throws IOException {
    Files.delete(root.resolve("sys/kernel/tracing/available_filter_functions"));
    Files.delete(root.resolve("sys/kernel/tracing/enabled_functions"));
    env.put("COLUMNS", "400"); // one line per detail
    assertThat(run("check", "--root", root.toString())).isEqualTo(1);
    assertThat(out())
        .contains("WARN    hook targets traceable")
        .contains("fix: mount tracefs as root (mount -t tracefs nodev /sys/kernel/tracing)");
  }

  @Test
  void aFailureIsExitStatus2WithTheFixUnderIt() throws IOException {
    config(CONFIG.replace("CONFIG_MODULES=y", "# CONFIG_MODULES is not set"));
    assertThat(run("check", "--root", root.toString())).isEqualTo(2);
    List<String> lines = out().lines().toList();
    int i =
        lines.indexOf(
            lines.stream()
                .filter(l -> l.startsWith("FAIL    CONFIG_MODULES "))
                .findFirst()
                .orElseThrow());
    int col = lines.get(2).indexOf("DETAIL");
    assertThat(lines.get(i).substring(col))
        .startsWith("not set: this kernel cannot load modules at all");
    assertThat(lines.subList(i + 1, lines.size()))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        " ".repeat(col) + "fix: boot a kernel built with CONFIG_MODULES=y"));
    assertThat(lines.getLast())
        .startsWith(
            (rows() - 1)
                + " pass, 0 warn, 1 fail: ftguard cannot run on this kernel as it is"
                + " (CONFIG_MODULES;");
  }

  @Test
  void json() throws IOException {
    write("sys/module/module/parameters/sig_enforce", "Y\n");
    assertThat(run("check", "--json", "--root", root.toString())).isEqualTo(2);
    assertThat(out().lines().count()).isEqualTo(1);
    JsonNode j = EventJson.MAPPER.readTree(out());
    assertThat(j.propertyNames()).containsExactly("kernel_release", "arch", "checks", "summary");
    assertThat(j.get("kernel_release").asString()).isEqualTo(RELEASE);
    assertThat(j.get("arch").asString()).isEqualTo("x86_64");
    JsonNode sig = null;
    for (JsonNode c : j.get("checks")) {
      assertThat(c.propertyNames()).containsExactly("id", "status", "title", "detail", "fix");
      if (c.get("id").asString().equals("module.signature")) {
        sig = c;
      }
    }
    assertThat(sig).isNotNull();
    assertThat(sig.get("status").asString()).isEqualTo("fail");
    assertThat(sig.get("fix").asString()).contains("mokutil --import");
    assertThat(j.get("summary").toString())
        .isEqualTo(
            "{\"status\":\"fail\",\"exit_code\":2,\"pass\":"
                + (rows() - 1)
                + ",\"warn\":0,\"fail\":1}");
  }

  @Test
  void offlineFilesForAnotherMachine() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path config =
        Files.writeString(tmp.resolve("config-3.18"), CONFIG.replace("6.1.55", "3.18.140"));
    Path kallsyms = Files.writeString(tmp.resolve("System.map"), "ffffffff81000000 T sys_execve\n");
    Path tracefs = Files.createDirectories(tmp.resolve("tracing"));
    Files.writeString(tracefs.resolve("available_filter_functions"), "sys_execve\n");
    Files.writeString(tracefs.resolve("enabled_functions"), "");
    int code =
        run(
            "check",
            "--json",
            "--root",
            empty.toString(),
            "--config",
            config.toString(),
            "--kallsyms",
            kallsyms.toString(),
            "--tracefs",
            tracefs.toString(),
            "--release",
            "3.18.140",
            "--machine",
            "i686");
    assertThat(code).isEqualTo(2);
    JsonNode j = EventJson.MAPPER.readTree(out());
    assertThat(j.get("kernel_release").asString()).isEqualTo("3.18.140");
    assertThat(j.get("arch").asString()).isEqualTo("i686");
    assertThat(status(j, "arch")).isEqualTo("fail");
    assertThat(status(j, "kernel.version")).isEqualTo("fail");
    assertThat(status(j, "config")).isEqualTo("pass");
    assertThat(status(j, "config.kprobes")).isEqualTo("pass"); // not needed before 5.7
    assertThat(status(j, "hooks.kallsyms")).isEqualTo("fail"); // only sys_execve in the file
    assertThat(status(j, "hooks.traceable")).isEqualTo("pass");
  }

  static String status(JsonNode report, String id) {
    for (JsonNode c : report.get("checks")) {
      if (c.get("id").asString().equals(id)) {
        return c.get("status").asString();
      }
    }
    throw new AssertionError("no check " + id);
  }

  @Test
  void aMissingGivenFileIsBadInput() {
    Path missing = tmp.resolve("nope");
    assertThat(run("check", "--config", missing.toString())).isEqualTo(ExitCode.USAGE.code());
    assertThat(out()).isEmpty();
    assertThat(err())
        .isEqualTo("ftguard: --config " + missing + " does not exist: check the path\n");
    clear();
    assertThat(run("check", "--tracefs", root.resolve("proc/kallsyms").toString())).isEqualTo(2);
    assertThat(err())
        .isEqualTo(
            "ftguard: --tracefs "
                + root.resolve("proc/kallsyms")
                + " is not a directory: check the path\n");
  }

  @Test
  void helpListsTheExitStatus() {
    assertThat(run("check", "--help")).isZero();
    assertThat(out())
        .contains("Usage: ftguard check")
        .contains("--config=FILE")
        .contains("--kallsyms=FILE")
        .contains("--tracefs=DIR")
        .contains("--release=R")
        .contains("--machine=M")
        .contains("--root=DIR")
        .contains("--json")
        .contains("Exit status:")
        .contains("0   every check passes")
        .contains("1   warnings, no failure")
        .contains("2   at least one check fails");
  }

  @Test
  void theRunningSystemGivesAReport() {
    // whatever this machine is: a complete report and a matching exit status
    int code = run("check", "--json");
    JsonNode j = EventJson.MAPPER.readTree(out());
    assertThat(j.get("checks").size())
        .as("every rule has its row")
        .isEqualTo(
            dev.ftguard.check.Report.of(
                    dev.ftguard.check.KernelReadings.gather(
                        new dev.ftguard.check.LiveSystem(java.nio.file.Path.of("/"))))
                .checks()
                .size());
    assertThat(j.get("summary").get("exit_code").asInt()).isEqualTo(code);
  }
}
