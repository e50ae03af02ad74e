package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import dev.ftguard.abi.Samples;
import dev.ftguard.agent.export.ExportRecord;
import dev.ftguard.agent.export.Exporter;
import dev.ftguard.nativeio.TableRejectedException;
import dev.ftguard.policy.ConfigReader;
import dev.ftguard.policy.InputFile;
import dev.ftguard.policy.Limits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code ftguard run}'s configuration file: keys from the option model, located errors, flags win.
 */
class RunConfigTest extends CommandLineTest {
  /** The file shipped as /etc/ftguard/ftguard.yaml. */
  static final Path SHIPPED = Path.of("src/main/config/ftguard.yaml");

  private static final Pattern KEY = Pattern.compile("^(?:# )?([a-z][-a-z]*):", Pattern.MULTILINE);

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(paths.sysModule());
    Files.createDirectories(paths.config().getParent());
  }

  private static CommandLine runCommand() {
    return Ftguard.commandLine(Context.system()).getSubcommands().get("run");
  }

  private static Path write(Path p, String text) throws Exception {
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text);
  }

  @Test
  void everyOptionOfRunIsAKeyAndEveryKeyAnOption() throws Exception {
    CommandSpec run = runCommand().getCommandSpec();
    Set<String> options =
        run.options().stream()
            .map(OptionSpec::longestName)
            .filter(n -> !RunConfig.NOT_CONFIGURABLE.contains(n))
            .map(n -> n.substring(2))
            .collect(Collectors.toCollection(TreeSet::new));
    // a type the configuration cannot express fails here (RunConfig.type throws)
    assertThat(RunConfig.schema(run).keySet()).containsExactlyInAnyOrderElementsOf(options);
    assertThat(RunConfig.schema(run))
        .containsEntry("policy", ConfigReader.Type.STRINGS)
        .containsEntry("journal", ConfigReader.Type.BOOLEAN)
        .containsEntry("rotate-keep", ConfigReader.Type.INTEGER)
        .containsEntry("rate-limit", ConfigReader.Type.NUMBER)
        .containsEntry("output", ConfigReader.Type.STRING);
    // the shipped file shows every key (set or commented out), and no other
    Set<String> shown = new TreeSet<>();
    Matcher m = KEY.matcher(Files.readString(SHIPPED));
    while (m.find()) {
      shown.add(m.group(1));
    }
    assertThat(shown).isEqualTo(options);
  }

  @Test
  void theShippedFileIsValidAsItIsAndWithEveryCommentedKeySet() throws Exception {
    CommandSpec run = runCommand().getCommandSpec();
    String text = Files.readString(SHIPPED);
    var as = ConfigReader.read(SHIPPED.toString(), text, RunConfig.schema(run));
    assertThat(as).isInstanceOf(ConfigReader.Result.Read.class);
    var values = ((ConfigReader.Result.Read) as).values();
    assertThat(values.get("policy").value()).isEqualTo(List.of("/etc/ftguard/policies.d"));
    assertThat(values.get("journal").value()).isEqualTo(true);
    assertThat(values.get("output").value()).isEqualTo("/var/log/ftguard/events.jsonl");
    String all = text.replaceAll("(?m)^# ([a-z][-a-z]*:)", "$1");
    var r = ConfigReader.read(SHIPPED.toString(), all, RunConfig.schema(run));
    assertThat(r).as(r.toString()).isInstanceOf(ConfigReader.Result.Read.class);
    assertThat(((ConfigReader.Result.Read) r).values()).hasSize(RunConfig.schema(run).size());
  }

  @Test
  void theDefaultFileGivesThePoliciesAndFlagsWin() throws Exception {
    Path good = write(tmp.resolve("good.yaml"), PolicyApplyTest.POLICY);
    Path bad = write(tmp.resolve("bad.yaml"), PolicyApplyTest.POLICY.replace("deny", "denny"));
    write(paths.config(), "policy: [" + bad + "]\n");
    assertThat(run("run")).isEqualTo(9);
    assertThat(err()).startsWith(bad + ":12:15: error: unknown action 'denny'");
    assertThat(calls).isEmpty();
    clear();
    device.setError = new TableRejectedException("d", Errno.EINVAL, Abi.TERR_SECTION, 8);
    assertThat(run("run", "-p", good.toString())).isEqualTo(10);
    assertThat(err()).doesNotContain("bad.yaml");
    assertThat(calls).containsExactly("open-rw ftguard");
    // json-errors from the file applies to what follows the file
    clear();
    write(paths.config(), "policy: [" + bad + "]\njson-errors: true\n");
    assertThat(run("run")).isEqualTo(9);
    assertThat(err().lines().toList())
        .allMatch(l -> l.startsWith("{\"type\":"))
        .anyMatch(l -> l.contains("unknown action 'denny'"));
    // journal: stderr's lines carry their priority too (errors <3>)
    clear();
    write(paths.config(), "policy: [" + bad + "]\njournal: true\n");
    assertThat(run("run")).isEqualTo(9);
    assertThat(err().lines().toList())
        .startsWith(
            "<3>"
                + bad
                + ":12:15: error: unknown action 'denny' (hint: did you mean 'deny'?"
                + " allowed: allow, audit, deny, kill, deny+kill)")
        .endsWith("<3>ftguard: 1 error in 1 policy file: nothing is valid until all are fixed");
  }

  @Test
  void valuesFromTheFileUnlessGivenOnTheCommandLine() throws Exception {
    Path events = tmp.resolve("events.jsonl");
    Path cfg =
        write(
            tmp.resolve("c.yaml"),
            "policy: /etc/ftguard/policies.d\njournal: true\noutput: "
                + events
                + "\nrotate-keep: 4\ntype: [exec, decision]\nrate-limit: 1000\nancestors: 3\n");
    CommandLine root = Ftguard.commandLine(Context.system());
    root.parseArgs("run", "--rotate-keep", "7", "-p", "x.yaml", "--ancestors", "5");
    CommandLine run = root.getSubcommands().get("run");
    RunCommand cmd = run.getCommand();
    assertThat(RunConfig.apply(run.getCommandSpec(), cfg, paths.config())).isEqualTo(cfg);
    assertThat(cmd.files).containsExactly(Path.of("x.yaml"));
    assertThat(cmd.output.rotateKeep).isEqualTo(7);
    assertThat(cmd.lineageOptions.ancestors).isEqualTo(5);
    assertThat(cmd.output.journal).isTrue();
    assertThat(cmd.output.file).isEqualTo(events);
    assertThat(cmd.output.types).containsExactly("exec", "decision");
    assertThat(cmd.output.rateLimit).isEqualTo(1000.0);
    // the journal and the file at once
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Exporter e = cmd.output.exporter(Optional.empty(), out)) {
      e.export(ExportRecord.of(Samples.execDenied(1)));
      e.export(ExportRecord.of(Samples.thread(2))); // filtered out by type
      e.export(ExportRecord.of(Samples.exec(3)));
    }
    String denied = ExportRecord.of(Samples.execDenied(1)).line();
    String exec = ExportRecord.of(Samples.exec(3)).line();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("<4>" + denied + "\n<6>" + exec + "\n");
    assertThat(Files.readAllLines(events)).containsExactly(denied, exec);
  }

  @Test
  void errorsAreLocatedAndNothingStarts() throws Exception {
    Path cfg = write(tmp.resolve("c.yaml"), "journal: yes\nrotate-sise: 1M\n");
    assertThat(run("run", "--config", cfg.toString())).isEqualTo(2);
    assertThat(err())
        .isEqualTo(
            cfg
                + ":1:10: error: 'journal' must be true or false, got a string (hint: write"
                + " 'journal: true')\n"
                + cfg
                + ":2:1: error: unknown field 'rotate-sise' in the configuration (hint: did you"
                + " mean 'rotate-size'? allowed: "
                + String.join(", ", RunConfig.schema(runCommand().getCommandSpec()).keySet())
                + ")\n"
                + "ftguard: the configuration "
                + cfg
                + " is invalid (2 errors): fix it, or give another with --config FILE\n");
    assertThat(calls).isEmpty();
    clear();
    write(paths.config(), "ancestors: 99999999999\n");
    assertThat(run("run", "--json-errors")).isEqualTo(2);
    assertThat(err()).contains("\"line\":1,\"column\":12").contains("is out of range");
  }

  @Test
  void anExplicitFileMustExistTheDefaultOneMayNot() throws Exception {
    Path missing = tmp.resolve("nope.yaml");
    assertThat(run("run", "--config", missing.toString(), "-p", "x.yaml")).isEqualTo(2);
    assertThat(err())
        .isEqualTo(
            "ftguard: the configuration "
                + missing
                + " does not exist: give a YAML file to --config\n");
    clear();
    assertThat(run("run", "--config", tmp.toString(), "-p", "x.yaml")).isEqualTo(2);
    assertThat(err()).contains(tmp + " is a directory: give a regular file in it");
    clear();
    // no default file, no -p: the usage error names both ways
    assertThat(run("run")).isEqualTo(2);
    assertThat(err())
        .contains(
            "Missing required option: '--policy=FILE' (or 'policy:' in the configuration, "
                + paths.config()
                + ")");
    clear();
    write(paths.config(), "x".repeat(Limits.CONFIG_FILE_BYTES + 1));
    assertThat(run("run")).isEqualTo(2);
    assertThat(err())
        .contains(
            "more than the limit of "
                + InputFile.bytes(Limits.CONFIG_FILE_BYTES)
                + ": is it the right file?");
  }
}
