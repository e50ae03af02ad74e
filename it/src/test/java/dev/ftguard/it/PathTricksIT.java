package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.Scenarios.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * What an exec rule on a binary's path catches and what it does not (docs/enforcement.md, "Path
 * tricks"). Phase {@code base}: exec rules deny {@code /opt/pt/bin/denied-echo} (a copy of the
 * dynamically linked {@code echo}), the interpreter {@code /opt/pt/bin/denied-sh} (a copy of dash)
 * and the script {@code /opt/pt/scripts/denied.sh}; then every trick is tried. Phase {@code
 * mitigated} adds the rules the documentation recommends and tries the tricks that got through
 * again (the loader is caught in both: the exec rule is decided where ld.so maps the program
 * executable, ExecMappingIT). One guest boot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathTricksIT {

  private static final String T = FtguardGuest.TEST_HELPER;
  private static final String DENIED = "/opt/pt/bin/denied-echo";
  private static final String INTERP = "/opt/pt/bin/denied-sh";
  private static final String SCRIPT = "/opt/pt/scripts/denied.sh";

  /** /lib64/ld-linux-x86-64.so.2 with the symlinks resolved, as the kernel reports it. */
  private static final String LOADER = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";

  private static final String BASE_RULES =
      """
                - name: deny-echo
                  event: exec
                  match: {binary: {exact: [/opt/pt/bin/denied-echo]}}
                  action: deny
                - name: deny-interp
                  event: exec
                  match: {binary: {exact: [/opt/pt/bin/denied-sh]}}
                  action: deny
                - name: deny-script
                  event: exec
                  match: {binary: {exact: [/opt/pt/scripts/denied.sh]}}
                  action: deny
            """;

  private static final String BASE =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: tricks}
            spec:
              rules:
            """
          + BASE_RULES;

  private static final String MITIGATED =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: tricks}
            spec:
              rules:
            """
          + BASE_RULES
          + """
                - name: loader-argv
                  event: exec
                  match:
                    binary: {glob: ["/usr/lib/*/ld-linux-*.so.*"]}
                    argvContains: [/opt/pt/bin/denied-echo]
                  action: deny
                - name: no-temp-exec
                  event: exec
                  match: {fromTempDir: true}
                  action: deny
                - name: allowlisted
                  event: exec
                  match: {binary: {prefix: [/opt/pt/ok/]}}
                  action: allow
                - name: outside-allowlist
                  event: exec
                  match: {binary: {prefix: [/opt/pt/]}}
                  action: deny
                - name: read-denied-binary
                  event: open
                  match:
                    path: {exact: [/opt/pt/bin/denied-echo]}
                    access: [read]
                  action: deny
                - name: read-denied-script
                  event: open
                  match:
                    path: {exact: [/opt/pt/scripts/denied.sh]}
                    access: [read]
                  action: deny
            """;

  private static final String SETUP =
      """
            mkdir -p /opt/pt/bin /opt/pt/scripts /opt/pt/other /opt/pt/ok
            cp /usr/bin/echo /opt/pt/bin/denied-echo
            cp /usr/bin/dash /opt/pt/bin/denied-sh
            cp /usr/bin/echo /opt/pt/ok/echo
            printf '#!/opt/pt/bin/denied-sh\\necho ok\\n' > /opt/pt/scripts/via-denied-interp
            printf '#!/bin/sh\\necho ok\\n' > /opt/pt/scripts/denied.sh
            chmod 755 /opt/pt/scripts/via-denied-interp /opt/pt/scripts/denied.sh
            ln -s /opt/pt/bin/denied-echo /opt/pt/other/link-echo
            ln -s ../bin/denied-echo /opt/pt/other/rel-link-echo
            ln /opt/pt/bin/denied-echo /opt/pt/other/hard-echo
            cp /opt/pt/bin/denied-echo /opt/pt/other/copy-echo
            cp /opt/pt/bin/denied-echo /tmp/copy-echo
            """;

  /** Phase {@code base}, then phase {@code mitigated}, each with its policy. */
  private static final String PHASES =
      """
            apply_policy base /tmp/base.yaml
            ph=base
            sc $ph direct $T exec /opt/pt/bin/denied-echo ok
            sc $ph symlink $T exec /opt/pt/other/link-echo ok
            sc $ph relative-symlink $T exec /opt/pt/other/rel-link-echo ok
            cd /opt/pt/bin
            sc $ph relative $T exec ./denied-echo ok
            cd /opt/pt/other
            sc $ph relative-dotdot $T exec ../bin/denied-echo ok
            cd /root
            sc $ph fexecve $T fd-exec /opt/pt/bin/denied-echo ok
            sc $ph shebang-interpreter $T exec /opt/pt/scripts/via-denied-interp
            sc $ph script $T exec /opt/pt/scripts/denied.sh
            sc $ph loader $T exec /lib64/ld-linux-x86-64.so.2 /opt/pt/bin/denied-echo ok
            sc $ph sh-script $T exec /bin/sh /opt/pt/scripts/denied.sh
            sc $ph copy $T exec /opt/pt/other/copy-echo ok
            sc $ph hardlink $T exec /opt/pt/other/hard-echo ok
            sc $ph tmp-copy $T exec /tmp/copy-echo ok

            apply_policy mitigated /tmp/mitigated.yaml
            ph=mitigated
            sc $ph loader $T exec /lib64/ld-linux-x86-64.so.2 /opt/pt/bin/denied-echo ok
            cd /opt/pt/other
            sc $ph loader-relative $T exec /lib64/ld-linux-x86-64.so.2 ../bin/denied-echo ok
            cd /root
            sc $ph sh-script $T exec /bin/sh /opt/pt/scripts/denied.sh
            sc $ph copy $T exec /opt/pt/other/copy-echo ok
            sc $ph hardlink $T exec /opt/pt/other/hard-echo ok
            sc $ph tmp-copy $T exec /tmp/copy-echo ok
            sc $ph new-copy $T exec /bin/cp /opt/pt/bin/denied-echo /opt/pt/other/new-copy
            sc $ph allowlisted $T exec /opt/pt/ok/echo ok
            """;

  private Scenarios run;

  @BeforeAll
  void tryEveryTrick() throws Exception {
    String policies =
        Scenarios.policyFile("base", BASE) + Scenarios.policyFile("mitigated", MITIGATED);
    run =
        Scenarios.play(
            "path-tricks",
            Duration.ofMinutes(8),
            Scenarios.prelude(SETUP, policies) + PHASES + Scenarios.END);
    run.assertApplied("base", "mitigated");
  }

  // ---- caught: the kernel checks the file it executes, symlinks and relative paths resolved ----

  @Test
  void theBinaryItselfIsDenied() {
    assertDenied("base", "direct", "deny-echo", DENIED);
  }

  @Test
  void aSymlinkIsResolved() {
    assertDenied("base", "symlink", "deny-echo", DENIED);
    assertDenied("base", "relative-symlink", "deny-echo", DENIED);
  }

  @Test
  void aRelativePathIsResolved() {
    assertDenied("base", "relative", "deny-echo", DENIED);
    assertDenied("base", "relative-dotdot", "deny-echo", DENIED);
  }

  @Test
  void fexecveOfTheFileIsTheSameFile() {
    assertDenied("base", "fexecve", "deny-echo", DENIED);
  }

  @Test
  void aScriptsInterpreterIsCheckedToo() {
    assertDenied("base", "shebang-interpreter", "deny-interp", INTERP);
  }

  @Test
  void aDeniedScriptRunByPathIsDenied() {
    assertDenied("base", "script", "deny-script", SCRIPT);
  }

  @Test
  void theDynamicLoaderCannotMapTheBinaryExecutable() {
    Outcome o = run.outcome("base", "loader");
    assertThat(o.rc()).as("ld.so fails to map the program: %s", o).isNotZero();
    assertThat(o.lines()).as("%s", o).noneMatch(l -> l.strip().equals("ok"));
    assertDecision("base", "loader", "exec", "deny-echo", DENIED);
    assertThat(Scenarios.text(run.decisions("base", "loader").getFirst(), "via")).isEqualTo("mmap");
  }

  // ---- not caught by an exec rule on the path ----

  @Test
  void aScriptGivenToTheShellIsOnlyRead() {
    assertPasses("base", "sh-script");
  }

  @Test
  void aCopyIsAnotherPath() {
    assertPasses("base", "copy");
    assertPasses("base", "tmp-copy");
  }

  // ---- caught by the file's identity (FileIdentityIT has every route) ----

  @Test
  void aHardLinkIsTheSameFile() {
    assertDenied("base", "hardlink", "deny-echo", "/opt/pt/other/hard-echo");
    assertThat(run.decisions("base", "hardlink").getFirst().path("by_identity").asBoolean())
        .isTrue();
  }

  // ---- the mitigations of docs/enforcement.md ----

  @Test
  void theLoaderWithTheBinaryInItsArgumentsIsDenied() {
    assertDenied("mitigated", "loader", "loader-argv", LOADER);
  }

  @Test
  void anOpenRuleStopsTheLoaderWhateverItsArguments() {
    Outcome o = run.outcome("mitigated", "loader-relative");
    assertThat(o.rc()).as("ld.so cannot open the binary: %s", o).isNotZero();
    assertThat(o.lines()).as("%s", o).noneMatch(l -> l.strip().equals("ok"));
    assertDecision("mitigated", "loader-relative", "open", "read-denied-binary", DENIED);
  }

  @Test
  void anOpenRuleStopsTheShellReadingTheScript() {
    Outcome o = run.outcome("mitigated", "sh-script");
    assertThat(o.rc()).as("sh cannot read the script: %s", o).isNotZero();
    assertThat(o.lines()).as("%s", o).noneMatch(l -> l.strip().equals("ok"));
    assertDecision("mitigated", "sh-script", "open", "read-denied-script", SCRIPT);
  }

  @Test
  void anOpenRuleStopsNewCopies() {
    Outcome o = run.outcome("mitigated", "new-copy");
    assertThat(o.rc()).as("cp cannot read the binary: %s", o).isNotZero();
    assertDecision("mitigated", "new-copy", "open", "read-denied-binary", DENIED);
  }

  @Test
  void anAllowlistCatchesCopies() {
    assertDenied("mitigated", "copy", "outside-allowlist", "/opt/pt/other/copy-echo");
    assertPasses("mitigated", "allowlisted");
  }

  @Test
  void theOpenRuleOnTheBinaryStopsExecThroughAHardLink() {
    // exec opens the file for reading before it checks it: the open rule on the binary's path
    // matches the hard link by identity first
    Outcome o = run.outcome("mitigated", "hardlink");
    assertThat(o.summary()).as("%s", o).isEqualTo("errno=EPERM");
    assertDecision(
        "mitigated", "hardlink", "open", "read-denied-binary", "/opt/pt/other/hard-echo");
  }

  @Test
  void fromTempDirCatchesCopiesInTmp() {
    assertDenied("mitigated", "tmp-copy", "no-temp-exec", "/tmp/copy-echo");
  }

  // ---- helpers ----

  private void assertDenied(String phase, String name, String rule, String executed) {
    Outcome o = run.outcome(phase, name);
    assertThat(o.summary()).as("%s/%s: %s", phase, name, o).isEqualTo("errno=EPERM");
    assertDecision(phase, name, "exec", rule, executed);
  }

  /** The single decision of the scenario: this rule denied, the event names this file. */
  private void assertDecision(String phase, String name, String event, String rule, String file) {
    List<JsonNode> d = run.decisions(phase, name);
    assertThat(d).as("%s/%s decisions: %s", phase, name, Scenarios.describe(d)).hasSize(1);
    JsonNode e = d.getFirst();
    assertThat(Scenarios.text(e, "policy")).isEqualTo("tricks");
    assertThat(Scenarios.text(e, "rule")).as("%s", e).isEqualTo(rule);
    assertThat(Scenarios.text(e, "event")).as("%s", e).isEqualTo(event);
    assertThat(Scenarios.text(e, "action")).as("%s", e).isEqualTo("deny");
    assertThat(Scenarios.text(e, "errno")).as("%s", e).isEqualTo("EPERM");
    // exec: the executed file is the event's binary; open: the opened path is its object
    assertThat(Scenarios.text(e, event.equals("exec") ? "binary" : "object"))
        .as("%s", e)
        .isEqualTo(file);
  }

  private void assertPasses(String phase, String name) {
    Outcome o = run.outcome(phase, name);
    assertThat(o.summary()).as("%s/%s ran: %s", phase, name, o).isEqualTo("ok");
    assertThat(o.rc()).as("%s/%s: %s", phase, name, o).isZero();
    assertThat(run.decisions(phase, name)).as("%s/%s", phase, name).isEmpty();
  }
}
