package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.abi.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {
  @TempDir Path tmp;

  static final String LIST =
      """
      apiVersion: ftguard.dev/v1
      kind: List
      metadata: {name: shells}
      spec: {items: [/bin/sh, /bin/bash]}
      """;

  static String policy(String name, String rules) {
    return """
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: %s}
        spec:
          rules:
        %s"""
        .formatted(name, rules.indent(4));
  }

  static PolicySet loaded(LoadResult r) {
    assertThat(r).isInstanceOf(LoadResult.Loaded.class);
    return ((LoadResult.Loaded) r).policySet();
  }

  static List<String> errors(LoadResult r) {
    assertThat(r).isInstanceOf(LoadResult.Invalid.class);
    return ((LoadResult.Invalid) r).errors().stream().map(PolicyError::toString).toList();
  }

  @Test
  void listsResolveAcrossFiles() {
    var set =
        loaded(
            PolicyLoader.load(
                new PolicySource(
                    "a.yaml",
                    policy(
                        "p",
                        "- {name: r, event: exec, match: {binary: {exact: ['@shells']}}, action: deny}")),
                new PolicySource("b.yaml", LIST)));
    Rule r = set.policies().getFirst().rules().getFirst();
    assertThat(((Match.Exec) r.match()).binary().orElseThrow().exact())
        .containsExactly("/bin/sh", "/bin/bash");
    assertThat(r.errno()).hasValue(Errno.EPERM);
    assertThat(set.policies().getFirst().mode()).isEqualTo(Mode.ENFORCE);
    assertThat(set.lists()).containsOnlyKeys("shells");
  }

  @Test
  void allOrNothingWithAllErrorsSortedByFileThenLine() {
    var r =
        PolicyLoader.load(
            new PolicySource("ok.yaml", policy("good", "- {name: r, event: exec, action: allow}")),
            new PolicySource(
                "z.yaml",
                policy(
                    "bad",
                    "- {name: r, event: exec, action: nope}\n- {name: s, event: opn, action: deny}")),
            new PolicySource(
                "a.yaml", policy("bad2", "- {name: r, event: exec, action: allow, errno: EPERM}")));
    assertThat(errors(r))
        .containsExactly(
            "z.yaml:6:38: error: unknown action 'nope' (hint: allowed: allow, audit, deny, kill, deny+kill)",
            "z.yaml:7:24: error: unknown event 'opn' (hint: did you mean 'open'? allowed: exec, open, connect, module_load, ptrace, privilege, call)",
            "a.yaml:6:45: error: errno is only valid with action deny or deny+kill, not 'allow' (hint: remove errno, or use action: deny)");
  }

  @Test
  void duplicatePolicyAcrossFiles() {
    var r =
        PolicyLoader.load(
            new PolicySource("a.yaml", policy("p", "- {name: r, event: exec, action: allow}")),
            new PolicySource("b.yaml", policy("p", "- {name: r, event: exec, action: allow}")));
    assertThat(errors(r))
        .singleElement()
        .asString()
        .startsWith("b.yaml:3:18: error: duplicate policy name 'p' (first defined at a.yaml:3:18)");
  }

  @Test
  void evaluationOrderIsPriorityThenName() {
    var set =
        loaded(
            PolicyLoader.load(
                new PolicySource(
                    "x.yaml",
                    policy("b", "- {name: r, event: exec, action: allow}")
                        + "---\n"
                        + policy("a", "- {name: r, event: exec, action: allow}")
                        + "---\n"
                        + policy("c", "- {name: r, event: exec, action: allow}")
                            .replace("spec:\n", "spec:\n  priority: 5\n"))));
    assertThat(set.policies()).extracting(Policy::name).containsExactly("c", "a", "b");
    assertThat(set.rulesFor(Kind.EXEC)).hasSize(3);
    assertThat(set.rulesFor(Kind.OPEN)).isEmpty();
  }

  @Test
  void tooManyRules() {
    String rules =
        IntStream.rangeClosed(1, Limits.RULES + 1)
            .mapToObj(i -> "- {name: r" + i + ", event: exec, action: audit}")
            .collect(Collectors.joining("\n"));
    assertThat(errors(PolicyLoader.load(new PolicySource("big.yaml", policy("p", rules)))))
        .containsExactly(
            "big.yaml:10006:7: error: too many rules: at most 10000 in all loaded files"
                + " (hint: merge rules with lists or globs, or load fewer policies)");
    String exact =
        IntStream.rangeClosed(1, Limits.RULES)
            .mapToObj(i -> "- {name: r" + i + ", event: exec, action: audit}")
            .collect(Collectors.joining("\n"));
    assertThat(
            loaded(PolicyLoader.load(new PolicySource("max.yaml", policy("p", exact)))).ruleCount())
        .isEqualTo(Limits.RULES);
  }

  @Test
  void tooManyLists() {
    String lists =
        IntStream.rangeClosed(1, Limits.LISTS + 1)
            .mapToObj(i -> LIST.replace("shells", "l" + i))
            .collect(Collectors.joining("---\n"));
    assertThat(errors(PolicyLoader.load(new PolicySource("lists.yaml", lists))))
        .singleElement()
        .asString()
        .startsWith("lists.yaml:1283:18: error: too many lists: at most 256");
  }

  @Test
  void cidrsAndRangesAreNormalized() {
    var set =
        loaded(
            PolicyLoader.load(
                new PolicySource(
                    "n.yaml",
                    policy(
                        "p",
                        "- {name: r, event: connect, match: {address: ['10.0.0.0/8', '::1', '2001:DB8::/32'], port: {notIn: [22, '8000-8999']}}, action: deny, errno: ECONNREFUSED}"))));
    Rule r = set.policies().getFirst().rules().getFirst();
    var m = (Match.Connect) r.match();
    assertThat(m.address())
        .extracting(Cidr::toString)
        .containsExactly("10.0.0.0/8", "0:0:0:0:0:0:0:1/128", "2001:db8:0:0:0:0:0:0/32");
    assertThat(m.port().orElseThrow())
        .isEqualTo(new RangeMatcher(true, List.of(new Range(22, 22), new Range(8000, 8999))));
    assertThat(m.port().orElseThrow().matches(22)).isFalse();
    assertThat(m.port().orElseThrow().matches(443)).isTrue();
    assertThat(r.errno()).hasValue(Errno.ECONNREFUSED);
  }

  @Test
  void severalErrorsInOneFileAreAllReported() {
    var r =
        PolicyLoader.load(
            new PolicySource(
                "m.yaml",
                policy(
                    "P",
                    """
        - name: r
          event: exec
          match: {binnary: {exact: [/x]}, uid: {in: ["9-1"]}}
          action: deny
          errno: ENOPE""")));
    assertThat(errors(r)).hasSize(4).allMatch(e -> e.startsWith("m.yaml:"));
  }

  @Test
  void directoriesExpandToTheirPolicyFilesOnceEach() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Path b = Files.writeString(dir.resolve("b.yml"), LIST);
    Path a = Files.writeString(dir.resolve("a.yaml"), LIST.replace("shells", "other"));
    Files.writeString(dir.resolve("c.json"), "{}");
    Files.writeString(dir.resolve(".hidden.yaml"), "x");
    Files.createDirectories(dir.resolve("sub.yaml"));
    Path empty = Files.createDirectories(tmp.resolve("e"));
    Path alone = Files.writeString(tmp.resolve("alone.yaml"), LIST);
    Path link = Files.createSymbolicLink(tmp.resolve("link.yaml"), a);
    PolicyFiles.Expansion x =
        PolicyFiles.expand(List.of(b, dir, empty, link, alone, dir, empty, alone));
    assertThat(x.files()).containsExactly(b, a, alone);
    assertThat(x.emptyDirectories()).containsExactly(empty);
    assertThatThrownBy(() -> PolicyLoader.loadFiles(List.of(dir, empty)))
        .isInstanceOf(InputFile.Refused.class)
        .hasMessage(PolicyFiles.emptyDirectory(empty));
  }

  @Test
  void readsFilesAndReportsMissingOnes() throws IOException {
    Path f = Files.writeString(tmp.resolve("p.yaml"), LIST);
    assertThat(loaded(PolicyLoader.loadFiles(List.of(f))).lists()).containsKey("shells");
    assertThatThrownBy(() -> PolicyLoader.loadFiles(List.of(tmp.resolve("missing.yaml"))))
        .isInstanceOf(InputFile.Refused.class)
        .hasMessage(
            "policy file " + tmp.resolve("missing.yaml") + " does not exist: check the path");
    Path bin = Files.write(tmp.resolve("bin.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    assertThatThrownBy(() -> PolicyLoader.loadFiles(List.of(bin)))
        .hasMessageContaining("is not UTF-8 text");
  }

  @Test
  void didYouMean() {
    assertThat(Suggestions.didYouMean("binnary", Selector.names(Kind.EXEC))).isEqualTo("binary");
    assertThat(Suggestions.didYouMean("zzz", Selector.names(Kind.EXEC))).isNull();
  }
}
