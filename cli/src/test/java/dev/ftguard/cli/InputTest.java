package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.policy.Limits;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the user gives ftguard to read: policy directories, the same file twice, and input that is
 * not what it should be (a device, a FIFO, a huge file, a corrupted module), each refused with one
 * line that says what, where and how to fix it, and the exit code of {@link ExitCode}.
 */
class InputTest extends CommandLineTest {
  static final String LIST = PolicyCommandTest.LIST;
  static final String POLICY = PolicyCommandTest.POLICY;

  static Path fifo(Path at) throws Exception {
    assertThat(new ProcessBuilder("mkfifo", at.toString()).start().waitFor()).isZero();
    return at;
  }

  @Test
  void aDirectoryIsItsYamlFilesSortedByName() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policies.d"));
    // the policy refers to the list of a file that comes later in name order: loaded together
    Files.writeString(dir.resolve("10-policy.yaml"), POLICY);
    Files.writeString(dir.resolve("20-lists.yml"), LIST);
    Files.writeString(dir.resolve("README"), "not a policy");
    Files.writeString(dir.resolve(".30-editor.yaml"), "{{{ not yaml");
    Files.createDirectories(dir.resolve("sub.yaml")).resolve("x.yaml");
    Files.writeString(
        Files.createDirectories(dir.resolve("nested")).resolve("x.yaml"), "{{{ not yaml");
    assertThat(run("policy", "validate", dir.toString())).isZero();
    assertThat(out()).isEqualTo("1 policy, 1 rule, 1 list: OK\n");
    assertThat(err()).isEmpty();

    // errors name the files in the directory, in name order
    Files.writeString(
        dir.resolve("30-bad.yaml"), POLICY.replace("no-shells", "late").replace("deny", "denny"));
    Files.writeString(
        dir.resolve("05-bad.yaml"), POLICY.replace("no-shells", "early").replace("exec", "exek"));
    clear();
    assertThat(run("policy", "validate", dir.toString())).isEqualTo(ExitCode.INVALID_POLICY.code());
    List<String> lines = err().lines().toList();
    assertThat(lines.getFirst()).startsWith(dir.resolve("05-bad.yaml") + ":");
    assertThat(lines.get(lines.size() - 2)).startsWith(dir.resolve("30-bad.yaml") + ":");
    assertThat(lines.getLast()).endsWith("in 4 policy files: nothing is valid until all are fixed");
    assertThat(calls).isEmpty();
  }

  @Test
  void applyTakesADirectoryToo() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policies.d"));
    Files.writeString(dir.resolve("a.yaml"), LIST);
    Files.writeString(dir.resolve("b.yaml"), POLICY);
    assertThat(run("policy", "apply", "--dry-run", dir.toString())).isZero();
    assertThat(out()).startsWith("1 policy, 1 rule: ").endsWith("(dry run: nothing applied)\n");
  }

  @Test
  void anEmptyDirectoryIsAnErrorForValidateAndApply() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("empty.d"));
    Files.writeString(dir.resolve("notes.txt"), "x");
    for (String cmd : List.of("validate", "apply")) {
      clear();
      assertThat(run("policy", cmd, dir.toString())).isEqualTo(ExitCode.USAGE.code());
      assertThat(err())
          .isEqualTo(
              "ftguard: policy directory "
                  + dir
                  + " has no *.yaml or *.yml file: put policy files in it, or give the files"
                  + " themselves\n");
      assertThat(calls).isEmpty();
    }
  }

  @Test
  void runTakesAnEmptyDirectoryWithAWarning() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("empty.d"));
    List<String> warnings = new ArrayList<>();
    var set = PolicyPipeline.load(List.of(dir), warnings::add);
    assertThat(set.policies()).isEmpty();
    assertThat(warnings)
        .containsExactly(
            "policy directory "
                + dir
                + " has no *.yaml or *.yml file: no rules from it until one is added there");
    // what is in the other paths still loads
    Path p = Files.writeString(tmp.resolve("p.yaml"), LIST + "---\n" + POLICY);
    assertThat(PolicyPipeline.load(List.of(dir, p), w -> {}).policies()).hasSize(1);
  }

  @Test
  void runWarnsAboutAnEmptyDirectoryInJsonToo() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("empty.d"));
    // no module: run stops right after loading the policies
    openError =
        new dev.ftguard.nativeio.ErrnoException(
            "open", paths.device().toString(), dev.ftguard.abi.Errno.ENOENT, "x");
    int code =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30), () -> run("run", "--json-errors", "-p", dir.toString()));
    assertThat(code).isEqualTo(ExitCode.NOT_LOADED.code());
    JsonNode w = json(err().lines().toList().getFirst());
    assertThat(w.get("type").asString()).isEqualTo("warning");
    assertThat(w.get("message").asString())
        .isEqualTo(
            "policy directory "
                + dir
                + " has no *.yaml or *.yml file: no rules from it until one is added there");
    clear();
    assertThat(
            assertTimeoutPreemptively(
                Duration.ofSeconds(30), () -> run("run", "-p", dir.toString())))
        .isEqualTo(ExitCode.NOT_LOADED.code());
    assertThat(err().lines().toList().getFirst())
        .isEqualTo(
            "ftguard: warning: policy directory "
                + dir
                + " has no *.yaml or *.yml file: no rules from it until one is added there");
  }

  @Test
  void theSameFileTwiceIsReadOnce() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policies.d"));
    Path p = Files.writeString(dir.resolve("p.yaml"), LIST + "---\n" + POLICY);
    Path link = Files.createSymbolicLink(tmp.resolve("link.yaml"), p);
    Path dirLink = Files.createSymbolicLink(tmp.resolve("dir-link"), dir);
    Path hard = Files.createLink(tmp.resolve("hard.yaml"), p);
    String dotted = dir.resolve(".").resolve("p.yaml").toString();
    assertThat(
            run(
                "policy",
                "validate",
                p.toString(),
                p.toString(),
                dir.toString(),
                link.toString(),
                dirLink.toString(),
                hard.toString(),
                dotted))
        .isZero();
    assertThat(out()).isEqualTo("1 policy, 1 rule, 1 list: OK\n");
    assertThat(err()).isEmpty();
  }

  @Test
  void aDeviceIsRefusedWithoutReadingIt() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> assertThat(run("policy", "validate", "/dev/zero")).isEqualTo(2));
    assertThat(err())
        .isEqualTo(
            "ftguard: policy file /dev/zero is a character device, not a regular file: give a"
                + " regular file\n");
  }

  @Test
  void aFifoIsRefusedWithoutOpeningIt() throws Exception {
    Path f = fifo(tmp.resolve("p.yaml"));
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> assertThat(run("policy", "apply", f.toString())).isEqualTo(2));
    assertThat(err())
        .isEqualTo(
            "ftguard: policy file "
                + f
                + " is a FIFO (named pipe), not a regular file: give a regular file\n");
    // also inside a directory
    clear();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> assertThat(run("policy", "validate", tmp.toString())).isEqualTo(2));
    assertThat(err()).contains(" is a FIFO (named pipe)");
    assertThat(calls).isEmpty();
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeReading() throws Exception {
    Path big = tmp.resolve("big.yaml");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(Limits.POLICY_FILE_BYTES + 1L); // sparse: nothing is written or read
    }
    assertThat(run("policy", "validate", big.toString())).isEqualTo(2);
    assertThat(err())
        .isEqualTo(
            "ftguard: policy file "
                + big
                + " is 4194305 bytes, more than the limit of 4194304 bytes (4 MiB): split it into"
                + " several files (a directory of them is loaded as one set)\n");
  }

  @Test
  void aFileAtTheLimitIsRead() throws Exception {
    String text = LIST + "---\n" + POLICY;
    Path f = tmp.resolve("padded.yaml");
    Files.writeString(f, text + "#".repeat(Limits.POLICY_FILE_BYTES - text.length() - 1) + "\n");
    assertThat(Files.size(f)).isEqualTo(Limits.POLICY_FILE_BYTES);
    assertThat(run("policy", "validate", f.toString())).isZero();
  }

  @Test
  void missingAndNotUtf8() throws Exception {
    Path missing = tmp.resolve("nope.yaml");
    assertThat(run("policy", "validate", missing.toString())).isEqualTo(2);
    assertThat(err())
        .isEqualTo("ftguard: policy file " + missing + " does not exist: check the path\n");
    Path bin = Files.write(tmp.resolve("bin.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    clear();
    assertThat(run("policy", "validate", bin.toString())).isEqualTo(2);
    assertThat(err())
        .isEqualTo("ftguard: policy file " + bin + " is not UTF-8 text: save it as UTF-8\n");
  }

  @Test
  void checkPolicyTakesTheSamePaths() throws Exception {
    assertThat(run("check", "--policy", "/dev/zero")).isEqualTo(2);
    assertThat(err()).contains("policy file /dev/zero is a character device");
  }

  @Test
  void checkRefusesSpecialFilesGivenAsOptions() throws Exception {
    Path f = fifo(tmp.resolve("kallsyms"));
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> assertThat(run("check", "--kallsyms", f.toString())).isEqualTo(2));
    assertThat(err())
        .isEqualTo(
            "ftguard: --kallsyms "
                + f
                + " is a FIFO (named pipe), not a regular file: give a regular file\n");
    clear();
    assertThat(run("check", "--config", tmp.toString())).isEqualTo(2);
    assertThat(err())
        .isEqualTo("ftguard: --config " + tmp + " is a directory: give a file in it\n");
  }

  static JsonNode json(String line) {
    return EventJson.MAPPER.readTree(line);
  }

  @Test
  void jsonErrorsCoverUsageErrors() {
    assertThat(run("run", "--bogus", "--json-errors", "-p", "a.yaml")).isEqualTo(2);
    List<String> lines = err().lines().toList();
    assertThat(lines).hasSize(1);
    JsonNode o = json(lines.getFirst());
    assertThat(o.get("type").asString()).isEqualTo("error");
    assertThat(o.get("exit_code").asInt()).isEqualTo(2);
    assertThat(o.get("message").asString())
        .isEqualTo("Unknown option: '--bogus': see 'ftguard run --help'");

    clear();
    assertThat(run("run", "--json-errors")).isEqualTo(2);
    lines = err().lines().toList();
    assertThat(lines).hasSize(1);
    o = json(lines.getFirst());
    assertThat(o.get("exit_code").asInt()).isEqualTo(2);
    // (run's policies may come from its configuration, so run checks for them itself)
    assertThat(o.get("message").asString())
        .startsWith("Missing required option: '--policy=FILE' (or 'policy:' in the configuration, ")
        .endsWith("/etc/ftguard/ftguard.yaml): see 'ftguard run --help'");

    clear();
    assertThat(run("run", "--json-errors", "-p")).isEqualTo(2);
    o = json(err().lines().toList().getFirst());
    assertThat(o.get("message").asString()).startsWith("Missing required parameter");

    // without the option: picocli's text and usage, as before
    clear();
    assertThat(run("run", "--bogus", "-p", "a.yaml")).isEqualTo(2);
    assertThat(err()).startsWith("Unknown option: '--bogus'").contains("Usage: ftguard run");
    assertThat(calls).isEmpty();
  }

  @Test
  void jsonErrorsCoverUnreadablePolicies() {
    assertThat(run("run", "--json-errors", "-p", "/dev/zero")).isEqualTo(2);
    JsonNode o = json(err().strip());
    assertThat(o.get("message").asString())
        .isEqualTo(
            "policy file /dev/zero is a character device, not a regular file: give a regular file");
    assertThat(calls).isEmpty();
  }

  @Test
  void loadOnAKernelWithoutModuleSupportSaysSoBeforeBuilding() throws Exception {
    modulesSupported = false;
    Files.writeString(paths.osRelease(), "6.18.0-nomod\n");
    assertThat(run("load")).isEqualTo(ExitCode.INCOMPATIBLE.code());
    assertThat(err())
        .isEqualTo(
            "ftguard: the running kernel (6.18.0-nomod) cannot load modules at all: it was built"
                + " without CONFIG_MODULES (no /proc/modules), so no kernel headers or build can"
                + " help; run ftguard on a kernel built with CONFIG_MODULES=y (another host or a"
                + " VM; `ftguard load --build-only --kernel-release R` still builds for one)\n");
    assertThat(calls).isEmpty();

    Path ko = Files.writeString(tmp.resolve("ftguard.ko"), "elf");
    clear();
    assertThat(run("load", "--ko", ko.toString())).isEqualTo(ExitCode.INCOMPATIBLE.code());
    assertThat(err()).startsWith("ftguard: the running kernel cannot load modules at all");
    assertThat(calls).isEmpty();
  }

  @Test
  void loadKoMustBeARegularFile() throws Exception {
    Path f = fifo(tmp.resolve("fifo.ko"));
    assertTimeoutPreemptively(
        Duration.ofSeconds(10), () -> assertThat(run("load", "--ko", f.toString())).isEqualTo(2));
    assertThat(err())
        .isEqualTo(
            "ftguard: module file "
                + f
                + " is a FIFO (named pipe), not a regular file: give a regular file (--ko)\n");
    clear();
    assertThat(run("load", "--ko", tmp.toString())).isEqualTo(2);
    assertThat(err())
        .isEqualTo(
            "ftguard: module file "
                + tmp
                + " is a directory: give the built ftguard.ko with --ko\n");
    assertThat(calls).isEmpty();
  }

  @Test
  void loadKdirMustBeADirectory() throws Exception {
    Path f = Files.writeString(tmp.resolve("build"), "x");
    assertThat(run("load", "--kdir", f.toString(), "--build-only")).isEqualTo(2);
    assertThat(err())
        .isEqualTo(
            "ftguard: --kdir "
                + f
                + " is not a directory: give the kernel build directory (where the headers are,"
                + " e.g. /lib/modules/<release>/build)\n");
    assertThat(calls).isEmpty();
  }

  @Test
  void verifyOnBrokenModulesIsOneLocatedLine() throws Exception {
    Path empty = Files.write(tmp.resolve("empty.ko"), new byte[0]);
    Path text = Files.writeString(tmp.resolve("text.ko"), "hello\n");
    byte[] header = new byte[64];
    header[0] = 0x7f;
    header[1] = 'E';
    header[2] = 'L';
    header[3] = 'F';
    header[4] = 2;
    header[5] = 1;
    header[0x28] = (byte) 0x80; // section headers at 0x1000..., past the end
    header[0x3a] = 64;
    header[0x3c] = 10;
    Path cut = Files.write(tmp.resolve("cut.ko"), header);
    Path f = fifo(tmp.resolve("fifo.ko"));
    record Case(Path file, String message) {}
    for (Case c :
        List.of(
            new Case(empty, empty + " is empty: give the built module, e.g. ftguard.ko"),
            new Case(
                text,
                text
                    + " is not an ELF file (no \\x7fELF magic): give the built module, e.g. ftguard.ko"),
            new Case(
                cut,
                cut
                    + " is truncated: its section headers end at byte 768 but the file has 64"
                    + " bytes; rebuild it (ftguard load --build-only) or copy it again"),
            new Case(
                tmp,
                tmp + " is a directory, not a module file: give the built module, e.g. ftguard.ko"),
            new Case(
                f,
                f
                    + " is not a regular file (a FIFO, socket or device): give the built module,"
                    + " e.g. ftguard.ko"),
            new Case(
                Path.of("/dev/zero"),
                "/dev/zero is not a regular file (a FIFO, socket or device): give the built"
                    + " module, e.g. ftguard.ko"))) {
      clear();
      assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () -> assertThat(run("verify", c.file().toString())).isEqualTo(2));
      assertThat(err()).as(c.file().toString()).isEqualTo("ftguard: " + c.message() + "\n");
    }
  }
}
