package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code ftguard policy validate}: exit codes and output; never touches the kernel. */
class PolicyCommandTest extends CommandLineTest {
  static final String LIST =
      """
      apiVersion: ftguard.dev/v1
      kind: List
      metadata: {name: shells}
      spec: {items: [/bin/sh, /bin/bash]}
      """;

  static final String POLICY =
      """
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: no-shells}
      spec:
        rules:
          - name: shells
            event: exec
            match:
              binary: {exact: ["@shells"]}
            action: deny
      """;

  @AfterEach
  void neverTouchesTheKernel() {
    assertThat(calls).isEmpty();
  }

  @Test
  void validFilesPrintASummary() throws Exception {
    Path lists = Files.writeString(tmp.resolve("lists.yaml"), LIST);
    Path policy =
        Files.writeString(
            tmp.resolve("policy.yaml"), POLICY + "---\n" + POLICY.replace("no-shells", "other"));
    assertThat(run("policy", "validate", policy.toString(), lists.toString())).isZero();
    assertThat(out()).isEqualTo("2 policies, 2 rules, 1 list: OK\n");
    assertThat(err()).isEmpty();
  }

  @Test
  void anEnforcingDenyOfEveryEventIsAWarningNotAnError() throws Exception {
    Path p =
        Files.writeString(
            tmp.resolve("wide.yaml"),
            POLICY.replace("binary: {exact: [\"@shells\"]}", "uid: {in: [\"0-4294967294\"]}"));
    assertThat(run("policy", "validate", p.toString())).isZero();
    assertThat(out()).isEqualTo("1 policy, 1 rule, 0 lists: OK\n");
    assertThat(err())
        .isEqualTo(
            p
                + ":6:7: warning: rule 'shells' of policy 'no-shells' denies every exec event: no"
                + " selector of it can exclude one (hint: add a selector that narrows it, or run"
                + " the policy with mode: monitor to see what it would deny)\n");
    // the same rule in monitor mode is what the hint suggests: no warning
    Path m =
        Files.writeString(
            tmp.resolve("monitor.yaml"),
            Files.readString(p).replace("spec:\n", "spec:\n  mode: monitor\n"));
    clear();
    assertThat(run("policy", "validate", m.toString())).isZero();
    assertThat(err()).isEmpty();
  }

  @Test
  void invalidFilesPrintEveryErrorAndExit9() throws Exception {
    Path bad =
        Files.writeString(
            tmp.resolve("bad.yaml"),
            POLICY.replace("binary:", "binnary:").replace("deny", "deny\n      errno: EPREM"));
    assertThat(run("policy", "validate", bad.toString()))
        .isEqualTo(ExitCode.INVALID_POLICY.code())
        .isEqualTo(9);
    assertThat(out()).isEmpty();
    assertThat(err().lines().toList())
        .containsExactly(
            bad
                + ":9:9: error: unknown selector 'binnary' for event 'exec' (hint: did you mean 'binary'? allowed:"
                + " binary, parentBinary, ancestorBinary, uid, euid, argvContains, sha256, fileless, fromTempDir)",
            bad
                + ":11:14: error: unknown errno 'EPREM' (hint: did you mean 'EPERM'? e.g. EPERM, ENOENT, ESRCH, EINTR, EIO,"
                + " ENXIO, E2BIG, ENOEXEC, EBADF, EAGAIN, ENOMEM, EACCES, ...)",
            "ftguard: 2 errors in 1 policy file: nothing is valid until all are fixed");
  }

  @Test
  void oneBadFileFailsTheWholeSet() throws Exception {
    Path good = Files.writeString(tmp.resolve("good.yaml"), LIST + "---\n" + POLICY);
    Path bad =
        Files.writeString(
            tmp.resolve("bad.yaml"),
            "apiVersion: ftguard.dev/v1\nkind: List\nmetadata: {name: x}\nspec: {items: [a\n");
    assertThat(run("policy", "validate", good.toString(), bad.toString())).isEqualTo(9);
    assertThat(out()).isEmpty();
    assertThat(err())
        .startsWith(bad + ":5:1: error: YAML syntax: ")
        .endsWith("ftguard: 1 error in 2 policy files: nothing is valid until all are fixed\n");
  }

  @Test
  void missingFileIsBadInput() {
    Path missing = tmp.resolve("missing.yaml");
    assertThat(run("policy", "validate", missing.toString())).isEqualTo(ExitCode.USAGE.code());
    assertThat(err())
        .isEqualTo("ftguard: policy file " + missing + " does not exist: check the path\n");
  }

  @Test
  void aDirectoryWithoutPolicyFilesIsBadInput() {
    assertThat(run("policy", "validate", tmp.toString())).isEqualTo(2);
    assertThat(err()).startsWith("ftguard: policy directory " + tmp + " has no *.yaml");
  }

  @Test
  void notUtf8IsBadInput() throws Exception {
    Path bin = Files.write(tmp.resolve("bin.yaml"), new byte[] {(byte) 0xc3, (byte) 0x28});
    assertThat(run("policy", "validate", bin.toString())).isEqualTo(2);
    assertThat(err())
        .isEqualTo("ftguard: policy file " + bin + " is not UTF-8 text: save it as UTF-8\n");
  }

  @Test
  void usageErrors() {
    assertThat(run("policy", "validate")).isEqualTo(2);
    assertThat(err())
        .contains("Missing required parameter")
        .contains("Usage: ftguard policy validate");
    errText.getBuffer().setLength(0);
    assertThat(run("policy")).isEqualTo(2);
    assertThat(err()).contains("missing COMMAND").contains("Usage: ftguard policy");
  }

  @Test
  void help() {
    assertThat(run("policy", "validate", "--help")).isZero();
    assertThat(out()).contains("Usage: ftguard policy validate").contains("FILE...");
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("policy");
  }
}
