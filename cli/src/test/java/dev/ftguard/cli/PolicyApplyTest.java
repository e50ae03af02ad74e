package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.TableRejectedException;
import dev.ftguard.testing.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code ftguard policy apply|show|clear} and {@code ftguard run}'s refusals, on a fake device. */
class PolicyApplyTest extends CommandLineTest {
  static final String POLICY =
      """
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: no-tmp-exec}
      spec:
        priority: 10
        rules:
          - name: exec-from-tmp
            event: exec
            match:
              binary: {prefix: [/tmp/, /dev/shm/]}
              uid: {notIn: [0]}
            action: deny
            errno: EACCES
          - name: audit-shadow
            event: open
            match:
              path: {exact: [/etc/shadow]}
              access: [write]
            action: audit
      """;

  static final String MONITOR =
      """
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: observe}
      spec:
        mode: monitor
        rules:
          - name: curl-out
            event: connect
            match:
              address: [10.0.0.0/8, "fd00::/8"]
              port: {in: [443, "8000-8999"]}
            action: kill
      """;

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(paths.sysModule());
  }

  @AfterEach
  void neverLoadsOrUnloadsTheModule() {
    assertThat(calls).allMatch(c -> c.startsWith("open"));
  }

  Path file(String name, String text) throws Exception {
    return Files.writeString(tmp.resolve(name), text);
  }

  /** Applies {@link #POLICY} and {@link #MONITOR}, then clears; returns the table's size. */
  int applyPolicyAndMonitor() throws Exception {
    Path a = file("a.yaml", POLICY);
    Path b = file("b.yaml", MONITOR);
    assertThat(run("policy", "apply", a.toString(), b.toString())).as(err()).isZero();
    clear();
    return device.table.length;
  }

  @Test
  void applyWritesTheCompiledTableAndPrintsOneLine() throws Exception {
    Path a = file("a.yaml", POLICY);
    Path b = file("b.yaml", MONITOR);
    assertThat(run("policy", "apply", a.toString(), b.toString())).isZero();
    assertThat(calls).containsExactly("open-rw ftguard");
    assertThat(device.written).hasSize(1);
    byte[] expected = PolicyPipeline.compile(List.of(a, b)).table();
    assertThat(device.table).isEqualTo(expected);
    assertThat(out())
        .isEqualTo("applied generation 1: 2 policies, 3 rules, " + expected.length + " bytes\n");
    assertThat(err()).isEmpty();
    assertThat(device.closed).isTrue();
  }

  @Test
  void aLockedModuleRefusesEveryTableChangeWithExit13() throws Exception {
    Path a = file("a.yaml", POLICY);
    Path locking =
        file("lock.yaml", MONITOR.replace("mode: monitor", "mode: monitor\n  lock: true"));
    assertThat(run("policy", "apply", a.toString(), locking.toString())).as(err()).isZero();
    assertThat(device.locked).as("lock: true sets FTG_TABLE_F_LOCK").isTrue();
    byte[] inForce = device.table.clone();
    clear();
    assertThat(run("policy", "apply", a.toString())).isEqualTo(13);
    assertThat(err())
        .startsWith(
            "ftguard: the ftguard module is locked until reboot: the rule table in force cannot"
                + " change;");
    clear();
    assertThat(run("policy", "clear")).isEqualTo(13);
    assertThat(device.table).isEqualTo(inForce);
    clear();
    assertThat(run("status")).isZero();
    assertThat(out()).contains("locked     yes, until reboot");
  }

  @Test
  void lockCommandLocksAndSaysWhatIsFinal() throws Exception {
    assertThat(run("lock")).as(err()).isZero();
    assertThat(device.locked).isTrue();
    assertThat(out()).contains("no rules are in force yet; the next rule table written is final");
    clear();
    Path a = file("a.yaml", POLICY);
    assertThat(run("policy", "apply", a.toString())).as(err()).isZero(); // the first is accepted
    clear();
    assertThat(run("policy", "apply", a.toString())).isEqualTo(13);
    clear();
    assertThat(run("lock", "--json")).isZero();
    JsonNode j = EventJson.MAPPER.readTree(out());
    assertThat(j.get("locked").asBoolean()).isTrue();
    assertThat(j.get("table_rules").asInt()).isEqualTo(2);
  }

  @Test
  void applyJson() throws Exception {
    Path a = file("a.yaml", POLICY);
    device.generation = 41;
    assertThat(run("policy", "apply", "--json", a.toString())).isZero();
    JsonNode j = EventJson.MAPPER.readTree(out());
    assertThat(j.get("generation").asLong()).isEqualTo(42);
    assertThat(j.get("policies").asInt()).isEqualTo(1);
    assertThat(j.get("rules").asInt()).isEqualTo(2);
    assertThat(j.get("bytes").asInt()).isEqualTo(device.table.length);
    assertThat(out().lines()).hasSize(1);
  }

  @Test
  void invalidPolicyChangesNothingAndExits9WithLocatedErrors() throws Exception {
    device.table = new byte[] {1, 2, 3};
    device.generation = 5;
    Path bad = file("bad.yaml", POLICY.replace("binary:", "binnary:"));
    assertThat(run("policy", "apply", bad.toString())).isEqualTo(9);
    assertThat(calls).isEmpty(); // the device was never opened
    assertThat(device.written).isEmpty();
    assertThat(device.table).containsExactly(1, 2, 3);
    assertThat(out()).isEmpty();
    assertThat(err().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .startsWith(bad + ":10:9: error: unknown selector 'binnary' for event 'exec'");
    assertThat(err())
        .endsWith("ftguard: 1 error in 1 policy file: nothing is valid until all are fixed\n");
  }

  @Test
  void applyPrintsTheWarningsAndAppliesAnyway() throws Exception {
    Path wide =
        file(
            "wide.yaml",
            """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: wide}
            spec:
              rules:
                - name: every-ptrace
                  event: ptrace
                  match: {}
                  action: kill
            """);
    assertThat(run("policy", "apply", wide.toString())).isZero();
    assertThat(device.written).hasSize(1);
    assertThat(err())
        .startsWith(
            wide + ":6:7: warning: rule 'every-ptrace' of policy 'wide' kills every ptrace");
    assertThat(out()).startsWith("applied generation 1: 1 policy, 1 rule, ");
  }

  @Test
  void dryRunCompilesWithoutTouchingTheDevice() throws Exception {
    Path a = file("a.yaml", POLICY);
    int size = PolicyPipeline.compile(List.of(a)).bytes();
    assertThat(run("policy", "apply", "--dry-run", a.toString())).isZero();
    assertThat(calls).isEmpty();
    assertThat(out())
        .isEqualTo("1 policy, 2 rules: " + size + " bytes (dry run: nothing applied)\n");
    clear();
    assertThat(run("policy", "apply", "--dry-run", "--json", a.toString())).isZero();
    assertThat(out().trim())
        .isEqualTo("{\"policies\":1,\"rules\":2,\"bytes\":" + size + ",\"dry_run\":true}");
    assertThat(calls).isEmpty();
  }

  @Test
  void kernelRejectionNamesReasonAndOffsetAndExits10() throws Exception {
    Path a = file("a.yaml", POLICY);
    device.setError =
        new TableRejectedException(paths.device().toString(), Errno.EINVAL, Abi.TERR_GLOB, 0x230);
    assertThat(run("policy", "apply", a.toString()))
        .isEqualTo(ExitCode.TABLE_REJECTED.code())
        .isEqualTo(10);
    assertThat(device.table).isNull();
    assertThat(err().lines()).hasSize(1);
    assertThat(err())
        .startsWith(
            "ftguard: the kernel rejected the rule table: a glob has too many '*' or an unclosed"
                + " class (FTG_TERR_GLOB) at byte offset 560; the previous table stays in force.");
  }

  @Test
  void kernelOutOfMemoryIsAFailure() throws Exception {
    Path a = file("a.yaml", POLICY);
    device.setError = new TableRejectedException("dev", Errno.ENOMEM, Abi.TERR_NOMEM, 0);
    assertThat(run("policy", "apply", a.toString())).isEqualTo(1);
    assertThat(err()).contains("out of memory");
  }

  @Test
  void deviceErrorsMapToExitCodes() throws Exception {
    Path a = file("a.yaml", POLICY);
    record Case(ErrnoException open, ErrnoException set, long abi, int exit, String text) {}
    for (Case c :
        List.of(
            new Case(
                new ErrnoException("open", "d", Errno.ENOENT, "x"),
                null,
                Abi.ABI_VERSION,
                3,
                "module is loaded but"),
            new Case(
                new ErrnoException("open", "d", Errno.EACCES, "x"),
                null,
                Abi.ABI_VERSION,
                4,
                "needs root"),
            new Case(
                null,
                new ErrnoException("ioctl(FTG_IOC_SET_TABLE)", "d", Errno.EPERM, "x"),
                Abi.ABI_VERSION,
                4,
                "CAP_SYS_ADMIN"),
            new Case(
                null,
                new ErrnoException("ioctl(FTG_IOC_SET_TABLE)", "d", Errno.ENOTTY, "x"),
                Abi.ABI_VERSION,
                8,
                "another version"),
            new Case(null, null, 1, 8, "speaks ABI version 1"))) {
      clear();
      openError = c.open();
      device.setError = c.set();
      device.abiVersion = c.abi();
      assertThat(run("policy", "apply", a.toString())).as(c.text()).isEqualTo(c.exit());
      assertThat(err()).as(c.text()).startsWith("ftguard: ").contains(c.text());
      assertThat(device.written).isEmpty();
    }
  }

  @Test
  void tableTooLargeIsAnInvalidPolicyAndNothingIsApplied() throws Exception {
    // 1000 rules each matching a list of 1024 paths: over a million values, above FTG_TABLE_MAX
    StringBuilder sb =
        new StringBuilder(
            "apiVersion: ftguard.dev/v1\nkind: List\nmetadata: {name: big}\nspec:\n  items:\n");
    for (int v = 0; v < 1024; v++) {
      sb.append("    - /usr/lib/big/").append(v).append('\n');
    }
    sb.append(
        "---\napiVersion: ftguard.dev/v1\nkind: Policy\nmetadata: {name: huge}\nspec:\n  rules:\n");
    for (int r = 0; r < 1000; r++) {
      sb.append("    - {name: r")
          .append(r)
          .append(", event: exec, action: deny, match: {binary: {exact: [\"@big\"]}}}\n");
    }
    Path big = file("big.yaml", sb.toString());
    assertThat(run("policy", "apply", big.toString())).isEqualTo(9);
    assertThat(calls).isEmpty();
    assertThat(err()).startsWith("ftguard: the policies are valid but too large for the kernel: ");
    assertThat(err().lines()).hasSize(1);
  }

  @Test
  void clearAppliesAnEmptyTable() throws Exception {
    device.table = new byte[] {1};
    device.generation = 3;
    assertThat(run("policy", "clear")).as(err()).isZero();
    assertThat(calls).containsExactly("open-rw ftguard");
    assertThat(device.table).isEqualTo(PolicyPipeline.compile(PolicyPipeline.emptySet()).table());
    assertThat(out()).isEqualTo("cleared: generation 4 has no rules\n");
    clear();
    assertThat(run("policy", "clear", "--json")).isZero();
    JsonNode j = EventJson.MAPPER.readTree(out());
    assertThat(j.get("generation").asLong()).isEqualTo(5);
    assertThat(j.get("rules").asInt()).isZero();
  }

  @Test
  void showWithoutATable() throws Exception {
    assertThat(run("policy", "show")).isZero();
    assertThat(out()).isEqualTo("no policy loaded\n");
    assertThat(calls).containsExactly("open ftguard");
    clear();
    assertThat(run("policy", "show", "--json")).isZero();
    assertThat(out().trim()).isEqualTo("{\"loaded\":false,\"generation\":0,\"policies\":[]}");
  }

  @Test
  void showNotLoaded() throws Exception {
    Files.delete(paths.sysModule());
    openError = new ErrnoException("open", "d", Errno.ENOENT, "x");
    assertThat(run("policy", "show")).isEqualTo(3);
    assertThat(err()).isEqualTo("ftguard: ftguard module is not loaded: run `ftguard load`\n");
  }

  @Test
  void runRefusesToStartWithInvalidPolicies() throws Exception {
    Path bad = file("bad.yaml", POLICY.replace("deny", "denny"));
    assertThat(run("run", "--policy", bad.toString())).isEqualTo(9);
    assertThat(calls).isEmpty();
    assertThat(err().lines().toList().getFirst())
        .startsWith(bad + ":12:15: error: unknown action 'denny'");
    assertThat(err())
        .endsWith("ftguard: 1 error in 1 policy file: nothing is valid until all are fixed\n");
    assertThat(stdout.size()).isZero();
  }

  @Test
  void runWithJsonErrorsWritesStderrAsJsonLines() throws Exception {
    Path bad = file("bad.yaml", POLICY.replace("deny", "denny"));
    assertThat(run("run", "--json-errors", "--policy", bad.toString())).isEqualTo(9);
    List<JsonNode> lines = err().lines().map(l -> EventJson.MAPPER.readTree(l)).toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("type").asString()).isEqualTo("policy_error");
    assertThat(lines.get(0).get("file").asString()).isEqualTo(bad.toString());
    assertThat(lines.get(0).get("line").asInt()).isEqualTo(12);
    assertThat(lines.get(0).get("column").asInt()).isEqualTo(15);
    assertThat(lines.get(0).get("message").asString()).startsWith("unknown action 'denny'");
    assertThat(lines.get(0).get("text").asString()).startsWith(bad + ":12:15: error: ");
    assertThat(lines.get(1).get("type").asString()).isEqualTo("error");
    assertThat(lines.get(1).get("exit_code").asInt()).isEqualTo(9);
  }

  @Test
  void runWhenTheKernelRejectsExits10() throws Exception {
    Path a = file("a.yaml", POLICY);
    device.setError = new TableRejectedException("d", Errno.EINVAL, Abi.TERR_SECTION, 8);
    assertThat(run("run", "--policy", a.toString())).isEqualTo(10);
    assertThat(stdout.size()).isZero();
    assertThat(device.closed).isTrue();
  }

  @Test
  void runNeedsPolicies() {
    assertThat(run("run")).isEqualTo(2);
    assertThat(err())
        .contains("Missing required option: '--policy=FILE'")
        .contains("Usage: ftguard run");
  }

  @Test
  void helpOnEveryNewCommand() {
    for (String[] cmd :
        List.of(
            new String[] {"policy", "apply"},
            new String[] {"policy", "show"},
            new String[] {"policy", "clear"},
            new String[] {"run"})) {
      clear();
      String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
      args[cmd.length] = "--help";
      assertThat(run(args)).isZero();
      assertThat(out()).contains("Usage: ftguard " + String.join(" ", cmd));
    }
    clear();
    assertThat(run("policy", "--help")).isZero();
    assertThat(out()).contains("validate").contains("apply").contains("show").contains("clear");
  }

  @Test
  void showPrintsTheTableTheKernelHolds() throws Exception {
    int bytes = applyPolicyAndMonitor();
    assertThat(run("policy", "show")).as(err()).isZero();
    assertThat(calls).containsExactly("open ftguard");
    assertThat(out())
        .isEqualTo(
            """
            generation 1: 2 policies, 3 rules, %d bytes

            policy no-tmp-exec (enforce, priority 10)
              [0] exec-from-tmp: exec -> deny EACCES
                  binary  prefix /tmp/, /dev/shm/
                  uid     notIn 0
              [1] audit-shadow: open -> audit
                  path    exact /etc/shadow
                  access  write

            policy observe (monitor, priority 0)
              [2] curl-out: connect -> kill
                  address  10.0.0.0/8, fd00::/8
                  port     in 443, 8000-8999
            """
                .formatted(bytes));
  }

  @Test
  void showJson() throws Exception {
    int bytes = applyPolicyAndMonitor();
    assertThat(run("policy", "show", "--json")).isZero();
    assertThat(out().lines()).hasSize(1);
    assertThat(out().trim())
        .isEqualTo(
            "{\"loaded\":true,\"generation\":1,\"bytes\":"
                + bytes
                + ",\"policy_count\":2,\"rule_count\":3,"
                + "\"policies\":[{\"name\":\"no-tmp-exec\",\"mode\":\"enforce\",\"priority\":10,\"rules\":["
                + "{\"index\":0,\"name\":\"exec-from-tmp\",\"event\":\"exec\",\"action\":\"deny\",\"errno\":\"EACCES\","
                + "\"match\":{\"binary\":{\"prefix\":[\"/tmp/\",\"/dev/shm/\"]},\"uid\":{\"notIn\":[0]}}},"
                + "{\"index\":1,\"name\":\"audit-shadow\",\"event\":\"open\",\"action\":\"audit\","
                + "\"match\":{\"path\":{\"exact\":[\"/etc/shadow\"]},\"access\":[\"write\"]}}]},"
                + "{\"name\":\"observe\",\"mode\":\"monitor\",\"priority\":0,\"rules\":["
                + "{\"index\":2,\"name\":\"curl-out\",\"event\":\"connect\",\"action\":\"kill\","
                + "\"match\":{\"address\":[\"10.0.0.0/8\",\"fd00::/8\"],\"port\":{\"in\":[443,\"8000-8999\"]}}}]}]}");
  }

  @Test
  void showAfterClear() throws Exception {
    assertThat(run("policy", "clear")).isZero();
    clear();
    assertThat(run("policy", "show")).isZero();
    assertThat(out()).isEqualTo("no policy loaded (generation 1 is an empty table)\n");
    clear();
    assertThat(run("policy", "show", "--json")).isZero();
    assertThat(EventJson.MAPPER.readTree(out()).get("loaded").asBoolean()).isFalse();
  }

  @Test
  void showTheDocumentationExamplesRoundTrip() throws Exception {
    Path examples = Repository.resolve("docs/examples");
    List<String> files;
    try (var s = Files.list(examples)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().map(Path::toString).toList();
    }
    List<String> args = new ArrayList<>(List.of("policy", "apply"));
    args.addAll(files);
    assertThat(run(args.toArray(String[]::new))).as(err()).isZero();
    var set = PolicyPipeline.load(files.stream().map(Path::of).toList());
    clear();
    assertThat(run("policy", "show", "--json")).as(err()).isZero();
    JsonNode j = EventJson.MAPPER.readTree(out());
    assertThat(j.get("rule_count").asInt()).isEqualTo(set.ruleCount());
    assertThat(j.get("policies"))
        .extracting(p -> p.get("name").asString())
        .containsExactlyElementsOf(
            set.policies().stream().map(dev.ftguard.policy.Policy::name).toList());
    clear();
    assertThat(run("policy", "show")).isZero();
    assertThat(out()).contains("policy ").doesNotContain("null");
  }

  @Test
  void showOfATableThisFtguardCannotReadIsIncompatible() throws Exception {
    device.table = new byte[] {'n', 'o', 'p', 'e', 0, 0, 0, 0};
    device.generation = 2;
    assertThat(run("policy", "show")).isEqualTo(8);
    assertThat(err())
        .startsWith(
            "ftguard: the kernel holds a rule table (generation 2, 8 bytes) this ftguard cannot read: ");
  }

  static final String HOOKS =
      """
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: watch}
      spec:
        hooks:
          - syscall: mkdirat
            args: [{name: dfd, type: s32}, {name: path, type: ustring}]
          - function: vfs_mkdir
            args: [{name: dentry, type: dentry, position: 2}]
        rules:
          - {name: locked, event: call, syscall: mkdirat, match: {args: {path: {prefix: [/srv/]}}}, action: deny, errno: EACCES}
          - {name: any, event: call, function: vfs_mkdir, action: audit}
      """;

  @Test
  void applyReportsEveryHookedFunctionAndExits12WhenOneDidNotAttach() throws Exception {
    Path f = file("h.yaml", HOOKS);
    device.callHooks =
        List.of(
            new dev.ftguard.abi.CallHookInfo(
                0,
                Abi.CALL_HOOK_ATTACHED | Abi.CALL_HOOK_IPMODIFY,
                0,
                1,
                0,
                0,
                "__x64_sys_mkdirat"),
            new dev.ftguard.abi.CallHookInfo(1, 0, -Errno.EINVAL, 1, 0, 0, "vfs_mkdir"));
    assertThat(run("policy", "apply", f.toString()))
        .as(err())
        .isEqualTo(ExitCode.HOOKS_NOT_ATTACHED.code());
    assertThat(out())
        .contains(
            "hooked 1 of 2 functions; not hooked (their rules do nothing): vfs_mkdir (EINVAL: not traceable");
    assertThat(err()).contains("warning: hooked 1 of 2 functions");
    // the table is in force all the same
    assertThat(device.table).isNotNull();

    clear();
    device.callHooks =
        List.of(
            new dev.ftguard.abi.CallHookInfo(
                0,
                Abi.CALL_HOOK_ATTACHED | Abi.CALL_HOOK_IPMODIFY,
                0,
                2,
                0,
                0,
                "__x64_sys_mkdirat"),
            new dev.ftguard.abi.CallHookInfo(1, Abi.CALL_HOOK_ATTACHED, 0, 2, 0, 7, "vfs_mkdir"));
    assertThat(run("policy", "apply", "--json", f.toString())).as(err()).isZero();
    JsonNode j = EventJson.MAPPER.readTree(out().strip());
    assertThat(j.get("hooks")).hasSize(2);
    assertThat(j.get("hooks").get(0).get("may_deny").asBoolean()).isTrue();
    assertThat(j.get("hooks").get(1).get("hits").asLong()).isEqualTo(7);
  }

  @Test
  void aDenyTheKernelRefusesNamesTheRuleAndTheFunction() throws Exception {
    Path f = file("h.yaml", HOOKS);
    byte[] table = dev.ftguard.policy.table.TableCompiler.compile(PolicyPipeline.load(List.of(f)));
    long rulesAt =
        java.lang.foreign.MemorySegment.ofArray(table)
            .get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, Abi.Table.RULES);
    device.setError =
        new TableRejectedException(
            "d", Errno.EINVAL, Abi.TERR_NOT_INJECTABLE, (int) (rulesAt + Abi.Rul.ACTION));
    assertThat(run("policy", "apply", f.toString())).isEqualTo(ExitCode.TABLE_REJECTED.code());
    assertThat(err())
        .contains(
            "policy 'watch', rule 'locked': deny on __x64_sys_mkdirat is refused: the running kernel does not mark the function as safe to fail");
  }
}
