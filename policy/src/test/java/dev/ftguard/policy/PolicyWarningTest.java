package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PolicyWarning}: enforcing deny/kill rules that match every event of their kind. */
class PolicyWarningTest {

  static PolicySet load(String mode, String rules) {
    String yaml =
        """
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: p}
        spec:
          mode: %s
          rules:
        %s"""
            .formatted(mode, rules.indent(4));
    LoadResult r = PolicyLoader.load(new PolicySource("p.yaml", yaml));
    return switch (r) {
      case LoadResult.Loaded(var set) -> set;
      case LoadResult.Invalid(var errors) -> throw new AssertionError(errors + "\n" + yaml);
    };
  }

  static List<String> warned(String mode, String rules) {
    return PolicyWarning.of(load(mode, rules)).stream().map(PolicyWarning::toString).toList();
  }

  static String rule(String event, String match, String action) {
    return """
        - name: r
          event: %s
          match: %s
          action: %s
        """
        .formatted(event, match, action);
  }

  @Test
  void aDenyWithoutSelectorsIsLocatedAtItsRule() {
    assertThat(warned("enforce", rule("exec", "{}", "deny")))
        .containsExactly(
            "p.yaml:7:7: warning: rule 'r' of policy 'p' denies every exec event: no selector of"
                + " it can exclude one (hint: add a selector that narrows it, or run the policy"
                + " with mode: monitor to see what it would deny)");
    assertThat(warned("enforce", rule("ptrace", "{}", "kill")))
        .singleElement()
        .asString()
        .contains("kills every ptrace event");
    assertThat(warned("enforce", rule("open", "{}", "deny+kill")))
        .singleElement()
        .asString()
        .contains("denies and kills every open event");
  }

  @Test
  void selectorsThatExcludeNothingWarnToo() {
    for (String[] c :
        List.of(
            new String[] {"exec", "{binary: {prefix: [/]}}"},
            new String[] {"exec", "{uid: {in: [\"0-100\", \"50-4294967294\"]}}"},
            new String[] {"open", "{access: [read, write]}"},
            new String[] {"open", "{path: {prefix: [/, /tmp/]}, access: [write, read, create]}"},
            new String[] {"connect", "{address: [0.0.0.0/0, \"::/0\"], port: {in: [\"0-65535\"]}}"},
            new String[] {"module_load", "{name: {glob: [\"*\"]}}"},
            new String[] {"privilege", "{gains: [uid0, capabilities]}"})) {
      assertThat(warned("enforce", rule(c[0], c[1], "deny"))).as(c[1]).hasSize(1);
    }
  }

  @Test
  void aSelectorThatCanExcludeSomethingIsNotReported() {
    for (String[] c :
        List.of(
            new String[] {"exec", "{binary: {prefix: [/tmp/]}}"},
            new String[] {"exec", "{uid: {in: [\"0-4294967293\"]}}"},
            new String[] {"exec", "{uid: {in: [\"1-4294967294\"]}}"},
            new String[] {"exec", "{uid: {notIn: [0]}}"},
            new String[] {"exec", "{fromTempDir: true}"},
            new String[] {"exec", "{fileless: false}"},
            new String[] {"exec", "{argvContains: [-x]}"},
            new String[] {"open", "{access: [write, create, truncate]}"},
            new String[] {"connect", "{address: [0.0.0.0/0]}"},
            new String[] {"connect", "{port: {in: [\"1-65535\"]}}"},
            new String[] {"module_load", "{name: {glob: [\"nf_*\"]}}"},
            new String[] {"ptrace", "{target: {prefix: [/usr/sbin/]}}"},
            new String[] {"privilege", "{gains: [uid0]}"})) {
      assertThat(warned("enforce", rule(c[0], c[1], "deny"))).as(c[1]).isEmpty();
    }
  }

  @Test
  void onlyEnforcingDenialsAndKillsAreReported() {
    assertThat(warned("monitor", rule("exec", "{}", "deny"))).isEmpty();
    assertThat(warned("enforce", rule("exec", "{}", "audit"))).isEmpty();
    assertThat(warned("enforce", rule("exec", "{}", "allow"))).isEmpty();
  }
}
