package dev.ftguard.policy;

import dev.ftguard.policy.Facts.ConnectFacts;
import dev.ftguard.policy.Facts.ExecFacts;
import dev.ftguard.policy.Facts.ModuleLoadFacts;
import dev.ftguard.policy.Facts.OpenFacts;
import dev.ftguard.policy.Facts.PrivilegeFacts;
import dev.ftguard.policy.Facts.PtraceFacts;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Builds policy sets from YAML text and facts with defaults, for the evaluator tests. */
final class EvalFixtures {
  private EvalFixtures() {}

  static final String LISTS =
      """
      apiVersion: ftguard.dev/v1
      kind: List
      metadata: {name: shells}
      spec: {items: [/bin/sh, /bin/bash]}
      """;

  static PolicySet load(String... docs) {
    String text = String.join("---\n", docs);
    LoadResult r = PolicyLoader.load(new PolicySource("t.yaml", LISTS + "---\n" + text));
    return switch (r) {
      case LoadResult.Loaded(var set) -> set;
      case LoadResult.Invalid(var errors) ->
          throw new AssertionError("invalid test policy: " + errors + "\n" + text);
    };
  }

  /** A policy document; {@code rules} is the indented YAML of the rule list items. */
  static String policy(String name, String mode, int priority, String rules) {
    return """
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: %s}
        spec:
          mode: %s
          priority: %d
          rules:
        %s"""
        .formatted(name, mode, priority, rules.indent(4));
  }

  static String rule(String name, String event, String match, String action) {
    return "- {name: "
        + name
        + ", event: "
        + event
        + ", match: "
        + match
        + ", action: "
        + action
        + "}\n";
  }

  /** The match of a one-rule policy. */
  static Match match(String event, String match) {
    PolicySet set = load(policy("p", "enforce", 0, rule("r", event, match, "audit")));
    return set.policies().getFirst().rules().getFirst().match();
  }

  static ExecFacts exec(String binary) {
    return new ExecFacts(
        binary,
        "/usr/bin/bash",
        List.of("/usr/sbin/sshd", "/sbin/init"),
        1000,
        1000,
        List.of(binary, "-c", "true"),
        false,
        false,
        Optional.empty());
  }

  static ExecFacts exec(String binary, long uid) {
    return new ExecFacts(
        binary,
        "/usr/bin/bash",
        List.of("/sbin/init"),
        uid,
        uid,
        List.of(binary),
        false,
        false,
        Optional.empty());
  }

  static OpenFacts open(String path, Access... access) {
    return new OpenFacts(path, Set.of(access), "/usr/bin/cat");
  }

  static ConnectFacts connect(String address, int port) {
    return new ConnectFacts(InetAddress.ofLiteral(address), port, "/usr/bin/curl");
  }

  static ModuleLoadFacts module(String name) {
    return new ModuleLoadFacts(Optional.ofNullable(name), "/usr/sbin/modprobe");
  }

  static PtraceFacts ptrace(String target) {
    return new PtraceFacts(target, "/usr/bin/gdb");
  }

  static PrivilegeFacts privilege(String binary, Gain... gains) {
    return new PrivilegeFacts(binary, Set.of(gains));
  }
}
