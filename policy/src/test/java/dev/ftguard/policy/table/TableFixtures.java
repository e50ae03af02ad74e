package dev.ftguard.policy.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.policy.LoadResult;
import dev.ftguard.policy.Location;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.PolicyLoader;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.PolicySource;
import dev.ftguard.policy.Rule;
import dev.ftguard.testing.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/** Policy sets for the table tests. */
final class TableFixtures {
  private TableFixtures() {}

  static final Location AT = new Location("t.yaml", 1, 1);

  static PolicySet load(String yaml) {
    LoadResult r = PolicyLoader.load(new PolicySource("t.yaml", yaml));
    return switch (r) {
      case LoadResult.Loaded(var set) -> set;
      case LoadResult.Invalid(var errors) ->
          throw new AssertionError("invalid test policy: " + errors + "\n" + yaml);
    };
  }

  static PolicySet examples() throws IOException {
    Path dir = Repository.root().resolve("docs/examples");
    List<Path> files;
    try (var s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    LoadResult r = PolicyLoader.loadFiles(files);
    if (r instanceof LoadResult.Invalid(var errors)) {
      throw new AssertionError("examples are invalid: " + errors);
    }
    return ((LoadResult.Loaded) r).policySet();
  }

  static PolicySet of(Policy... policies) {
    return new PolicySet(List.of(policies), new LinkedHashMap<>());
  }

  /** Every selector of every kind, every action, both modes, lists, IPv4 and IPv6, negations. */
  static final String EVERYTHING =
      """
      apiVersion: ftguard.dev/v1
      kind: List
      metadata: {name: shells}
      spec: {items: [/bin/sh, /bin/bash, /usr/bin/dash]}
      ---
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: exec-all}
      spec:
        priority: 50
        rules:
          - name: every-exec-selector
            event: exec
            match:
              binary: {exact: ["@shells", /usr/bin/zsh], prefix: [/tmp/, /dev/shm/], glob: ["/home/*/bin/?sh", "/x[0-9a-f]*"]}
              parentBinary: {exact: [/usr/sbin/sshd]}
              ancestorBinary: {prefix: [/usr/sbin/], glob: ["/opt/*/bin/*"]}
              uid: {notIn: [0, "1000-1999"]}
              euid: {in: [0, 4294967294]}
              argvContains: [-c, "--eval", "é"]
              sha256: [e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"]
              fileless: false
              fromTempDir: true
            action: deny
            errno: EACCES
          - name: fileless
            event: exec
            match: {fileless: true}
            action: deny+kill
            errno: ETXTBSY
          - name: any-exec
            event: exec
            action: audit
          - name: allow-root
            event: exec
            match: {uid: {in: [0]}}
            action: allow
      ---
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: files-and-net}
      spec:
        mode: monitor
        priority: -3
        rules:
          - name: shadow
            event: open
            match:
              path: {exact: [/etc/shadow], glob: ["/etc/shadow*"]}
              access: [write, truncate, create, read]
              binary: {prefix: [/usr/]}
            action: deny
          - name: open-any
            event: open
            match: {access: [read]}
            action: kill
          - name: metadata
            event: connect
            match:
              address: [169.254.169.254, "10.0.0.0/8", "0.0.0.0/0", "fd00:ec2::/32", "::/0", "2001:db8::1"]
              port: {notIn: ["1-1023", 8080]}
              binary: {glob: ["/usr/bin/*"]}
            action: deny
            errno: ECONNREFUSED
          - name: dns
            event: connect
            match: {port: {in: [53, "5353-5354"]}}
            action: allow
          - name: nf
            event: module_load
            match: {name: {exact: [nf_tables], glob: ["nf_*", "xt_?"]}, binary: {exact: [/usr/sbin/modprobe]}}
            action: audit
          - name: any-module
            event: module_load
            action: deny
          - name: debuggers
            event: ptrace
            match: {target: {prefix: [/usr/sbin/]}, binary: {exact: [/usr/bin/gdb, /usr/bin/strace]}}
            action: kill
          - name: setuid
            event: privilege
            match: {binary: {prefix: [/home/]}, gains: [uid0, capabilities]}
            action: deny+kill
          - name: caps
            event: privilege
            match: {gains: [capabilities]}
            action: audit
      """;

  static PolicySet everything() {
    return load(EVERYTHING);
  }

  /** Name, mode, priority and the rules' name, event, action, errno and match of every policy. */
  static void assertSamePolicies(List<CompiledPolicy> read, List<Policy> expected) {
    assertThat(read).hasSameSizeAs(expected);
    int index = 0;
    for (int i = 0; i < expected.size(); i++) {
      Policy e = expected.get(i);
      CompiledPolicy r = read.get(i);
      assertThat(r.name()).isEqualTo(e.name());
      assertThat(r.mode()).isEqualTo(e.mode());
      assertThat(r.priority()).isEqualTo(e.priority());
      assertThat(r.rules()).hasSameSizeAs(e.rules());
      for (int j = 0; j < e.rules().size(); j++) {
        Rule er = e.rules().get(j);
        CompiledRule rr = r.rules().get(j);
        assertThat(rr.index()).isEqualTo(index++);
        assertThat(rr.name()).isEqualTo(er.name());
        assertThat(rr.kind()).isEqualTo(er.event());
        assertThat(rr.action()).isEqualTo(er.action());
        assertThat(rr.errno()).isEqualTo(er.errno());
        assertThat(rr.match()).as("match of %s/%s", e.name(), er.name()).isEqualTo(er.match());
      }
    }
  }
}
