package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.Errno;
import dev.ftguard.abi.HookInfo;
import dev.ftguard.abi.RecordEncoder;
import dev.ftguard.abi.Samples;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.nativeio.ErrnoException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** Whole command lines against a fake host: parsing, error mapping, exit codes, output. */
class CliTest extends CommandLineTest {
  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(paths.osRelease(), "6.1.0-test\n");
    env.put("HOME", tmp.resolve("home").toString());
  }

  void markLoaded() throws Exception {
    Files.createDirectories(paths.sysModule().resolve("parameters"));
    Files.writeString(paths.sysModule().resolve("parameters/buffer_kb"), "512\n");
  }

  @Test
  void versionAndHelpOnEveryCommand() {
    assertThat(run("--version")).isZero();
    assertThat(outText.toString())
        .contains("ftguard ")
        .contains("kernel ABI version " + dev.ftguard.abi.Abi.ABI_VERSION);
    for (String cmd : List.of("load", "unload", "status", "events", "run")) {
      assertThat(run(cmd, "--help")).isZero();
      assertThat(outText.toString()).contains("Usage: ftguard " + cmd);
    }
  }

  @Test
  void unknownOptionIsAUsageErrorWithUsage() {
    assertThat(run("events", "--bogus")).isEqualTo(2);
    assertThat(err()).contains("Unknown option: '--bogus'").contains("Usage: ftguard events");
  }

  @Test
  void theDemoIsNotPartOfTheCli() {
    // `ftguard demo` comes from the demo module's jar (CommandProvider), absent here
    assertThat(run("demo")).isEqualTo(2);
    assertThat(err()).contains("Unmatched argument at index 0: 'demo'");
  }

  @Test
  void noCommandIsAUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("missing COMMAND").contains("Usage: ftguard");
  }

  @Test
  void badDurationIsAUsageError() {
    assertThat(run("events", "--timeout", "soon")).isEqualTo(2);
    assertThat(err()).contains("'soon' is not a duration");
  }

  @Test
  void durations() {
    var c = new EventsCommand.DurationConverter();
    assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(c.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.convert("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.convert("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> c.convert("0s"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
  }

  @Test
  void statusWhenNotLoaded() {
    assertThat(run("status")).isEqualTo(3);
    assertThat(err())
        .isEqualTo(
            "ftguard: ftguard module is not loaded (no "
                + paths.sysModule()
                + "): run `ftguard load`\n");
    assertThat(calls).isEmpty();
  }

  @Test
  void statusJsonWhenNotLoaded() {
    assertThat(run("status", "--json")).isEqualTo(3);
    assertThat(outText.toString().trim()).isEqualTo("{\"loaded\":false}");
  }

  @Test
  void statusJsonWhenLoaded() throws Exception {
    markLoaded();
    device.hooks = List.of(new HookInfo(0, 3, 0xffffffff81000000L, 42, "__x64_sys_execve"));
    device.dropped = new long[] {2, 0, 1};
    assertThat(run("status", "--json")).isZero();
    JsonNode j = EventJson.MAPPER.readTree(outText.toString());
    assertThat(j.get("loaded").asBoolean()).isTrue();
    assertThat(j.get("parameters").get("buffer_kb").asString()).isEqualTo("512");
    assertThat(j.get("hooks").get(0).get("name").asString()).isEqualTo("__x64_sys_execve");
    assertThat(j.get("hooks").get(0).get("attached").asBoolean()).isTrue();
    assertThat(j.get("hooks").get(0).get("hits").asLong()).isEqualTo(42);
    assertThat(j.get("counters").get("dropped").get("buffer_full").asLong()).isEqualTo(2);
    assertThat(j.get("counters").get("dropped_total").asLong()).isEqualTo(3);
    assertThat(j.get("table").toString())
        .isEqualTo("{\"loaded\":false,\"generation\":0,\"rules\":0,\"bytes\":0}");
    assertThat(device.closed).isTrue();
  }

  @Test
  void statusShowsTheRuleTableAndDecisions() throws Exception {
    markLoaded();
    device.table = new byte[4096];
    device.generation = 7;
    device.tableRules = 10;
    device.decisions = new long[] {0, 12, 3, 1, 2};
    device.blocked = 5;
    device.killed = 3;
    assertThat(run("status", "--json")).isZero();
    JsonNode j = EventJson.MAPPER.readTree(outText.toString());
    assertThat(j.get("table").toString())
        .isEqualTo("{\"loaded\":true,\"generation\":7,\"rules\":10,\"bytes\":4096}");
    assertThat(j.get("counters").get("decisions").toString())
        .isEqualTo("{\"allow\":0,\"audit\":12,\"deny\":3,\"kill\":1,\"deny+kill\":2}");
    assertThat(j.get("counters").get("blocked").asLong()).isEqualTo(5);
    assertThat(j.get("counters").get("killed").asLong()).isEqualTo(3);

    outText.getBuffer().setLength(0);
    assertThat(run("status")).isZero();
    assertThat(outText.toString())
        .contains("rules      generation 7: 10 rules, 4096 bytes\n")
        .contains("decisions  allow 0, audit 12, deny 3, kill 1, deny+kill 2")
        .contains("blocked    5\n")
        .contains("killed     3\n");
  }

  @Test
  void statusWithoutRules() throws Exception {
    markLoaded();
    assertThat(run("status")).isZero();
    assertThat(outText.toString())
        .contains("rules      none loaded (ftguard policy apply FILE...)")
        .contains("blocked    0\n");
  }

  @Test
  void statusText() throws Exception {
    markLoaded();
    device.hooks = List.of(new HookInfo(0, 1, 0, 7, "do_exit"));
    assertThat(run("status")).isZero();
    assertThat(outText.toString())
        .contains("hooks      1 of 1 attached")
        .contains("do_exit")
        .contains("parameters buffer_kb=512")
        .contains("dropped    0 (buffer_full 0, nomem 0, reader_fault 0)");
  }

  @Test
  void eventsWithoutDeviceSaysLoadIt() {
    openError =
        new ErrnoException(
            "open", paths.device().toString(), Errno.ENOENT, "No such file or directory");
    assertThat(run("events")).isEqualTo(3);
    assertThat(err()).isEqualTo("ftguard: ftguard module is not loaded: run `ftguard load`\n");
  }

  @Test
  void eventsWithoutPermissionNeedsRoot() throws Exception {
    markLoaded();
    openError =
        new ErrnoException("open", paths.device().toString(), Errno.EACCES, "Permission denied");
    assertThat(run("events")).isEqualTo(4);
    assertThat(err()).contains("needs root").contains("EACCES");
  }

  @Test
  void eventsDrainsAsJsonLines() throws Exception {
    markLoaded();
    device.batches.add(RecordEncoder.encodeAll(List.of(Samples.exec(1), Samples.exited(2))));
    assertThat(run("events")).isZero();
    List<String> lines = stdout.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("{\"type\":\"exec\",\"schema_version\":1,\"seq\":1,");
    assertThat(err()).isEmpty();
    assertThat(device.closed).isTrue();
  }

  @Test
  void eventsFollowWithCountEnds() throws Exception {
    markLoaded();
    device.batches.add(
        RecordEncoder.encodeAll(List.of(Samples.exec(1), Samples.exited(2), Samples.exec(3))));
    assertThat(run("events", "--follow", "--count", "2")).isZero();
    assertThat(stdout.toString(StandardCharsets.UTF_8).lines()).hasSize(2);
    assertThat(err()).contains("ftguard: 2 events (exec 1, fork 0, exit 1); no records dropped");
  }

  @Test
  void loadGivenKoPassesBufferParameter() throws Exception {
    Path ko = Files.writeString(tmp.resolve("ftguard.ko"), "elf");
    assertThat(run("load", "--ko", ko.toString(), "--buffer-kb", "2048")).isZero();
    assertThat(calls).containsExactly("load " + ko + " [buffer_kb=2048]");
    assertThat(outText.toString()).contains("ftguard loaded from " + ko + " (buffer_kb=2048)");
  }

  @Test
  void loadErrorsMapToExitCodesAndFixes() throws Exception {
    Path ko = Files.writeString(tmp.resolve("ftguard.ko"), "elf");
    record Case(int errno, int exit, String text) {}
    for (Case c :
        List.of(
            new Case(Errno.EEXIST, 5, "already loaded"),
            new Case(Errno.EPERM, 4, "needs root"),
            new Case(Errno.ENOEXEC, 8, "not built for it"),
            new Case(Errno.EKEYREJECTED, 8, "signed modules"),
            new Case(Errno.ENOSYS, 8, "cannot load modules"),
            new Case(Errno.EINVAL, 2, "module parameters"),
            new Case(Errno.EBUSY, 6, "another ftrace user"),
            new Case(Errno.EOPNOTSUPP, 8, "indirect branch tracking"),
            new Case(Errno.EIO, 1, "loading " + ko + " failed"))) {
      errText.getBuffer().setLength(0);
      loadError = new ErrnoException("finit_module", ko.toString(), c.errno(), "x");
      assertThat(run("load", "--ko", ko.toString())).as(Errno.name(c.errno())).isEqualTo(c.exit());
      assertThat(err()).as(Errno.name(c.errno())).startsWith("ftguard: ").contains(c.text());
      assertThat(err().lines()).hasSize(1);
    }
  }

  @Test
  void loadMissingKoIsBadInput() {
    assertThat(run("load", "--ko", tmp.resolve("nope.ko").toString())).isEqualTo(2);
    assertThat(err()).contains("does not exist").contains("--ko");
    assertThat(calls).isEmpty();
  }

  @Test
  void loadRejectsSillyBufferSizes() {
    assertThat(run("load", "--buffer-kb", "0")).isEqualTo(2);
    assertThat(err()).contains("--buffer-kb 0 is out of range: give 64 to 65536");
    errText.getBuffer().setLength(0);
    assertThat(run("load", "--buffer-kb", "65537")).isEqualTo(2);
    assertThat(err()).contains("--buffer-kb 65537 is out of range");
    assertThat(calls).isEmpty();
  }

  @Test
  void loadPassesTheCallMode() throws Exception {
    Path ko = Files.writeString(tmp.resolve("ftguard.ko"), "elf");
    assertThat(run("load", "--ko", ko.toString(), "--buffer-kb", "128", "--call-mode", "skip"))
        .isZero();
    assertThat(calls).containsExactly("load " + ko + " [buffer_kb=128 call_mode=skip]");
    errText.getBuffer().setLength(0);
    assertThat(run("load", "--ko", ko.toString(), "--call-mode", "fast")).isEqualTo(2);
    assertThat(err()).contains("--call-mode").contains("guard, skip");
  }

  @Test
  void loadWithoutHomeSaysWhereSourcesAre() {
    assertThat(run("load")).isEqualTo(2);
    assertThat(err()).contains("FTGUARD_HOME");
  }

  @Test
  void loadWithoutHeadersNamesThePackage() throws Exception {
    Path home = tmp.resolve("home-ftguard");
    Files.createDirectories(home.resolve("kmod"));
    Files.writeString(home.resolve("kmod/Makefile"), "obj-m := ftguard.o\n");
    env.put("FTGUARD_HOME", home.toString());
    assertThat(run("load")).isEqualTo(7);
    assertThat(err()).contains("apt-get install linux-headers-6.1.0-test");
    assertThat(calls).isEmpty();
  }

  @Test
  void unloadErrors() {
    unloadError = new ErrnoException("delete_module", "ftguard", Errno.EAGAIN, "busy");
    assertThat(run("unload")).isEqualTo(6);
    assertThat(err()).contains("a reader still has /dev/ftguard open");

    errText.getBuffer().setLength(0);
    unloadError = new ErrnoException("delete_module", "ftguard", Errno.EBUSY, "busy");
    assertThat(run("unload")).isEqualTo(6);

    errText.getBuffer().setLength(0);
    unloadError = new ErrnoException("delete_module", "ftguard", Errno.ENOENT, "x");
    assertThat(run("unload")).isEqualTo(3);
    assertThat(err()).contains("not loaded");

    errText.getBuffer().setLength(0);
    unloadError = new ErrnoException("delete_module", "ftguard", Errno.EPERM, "x");
    assertThat(run("unload")).isEqualTo(4);

    unloadError = null;
    assertThat(run("unload")).isZero();
    assertThat(calls).endsWith("unload ftguard");
  }
}
