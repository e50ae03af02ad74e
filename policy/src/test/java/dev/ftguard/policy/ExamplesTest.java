package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.abi.Errno;
import dev.ftguard.testing.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/examples/*.yaml load together into the model they describe. */
class ExamplesTest {
  static Path examples() {
    return Repository.root().resolve("docs/examples");
  }

  /** Every example file, loaded together. */
  static PolicySet load() throws IOException {
    List<Path> files;
    try (var s = Files.list(examples())) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("baseline.yaml", "hooks.yaml", "lists.yaml", "network.yaml", "web.yaml");
    return load(files);
  }

  /** Some example files, loaded together. */
  static PolicySet load(String... names) throws IOException {
    return load(java.util.Arrays.stream(names).map(n -> examples().resolve(n)).toList());
  }

  private static PolicySet load(List<Path> files) throws IOException {
    LoadResult r = PolicyLoader.loadFiles(files);
    if (r instanceof LoadResult.Invalid(var errors)) {
      throw new AssertionError("examples are invalid: " + errors);
    }
    return ((LoadResult.Loaded) r).policySet();
  }

  static Policy policy(PolicySet set, String name) {
    return set.policies().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void summary() throws IOException {
    PolicySet set = load();
    assertThat(set.policies())
        .extracting(Policy::name)
        .containsExactly(
            "egress",
            "net-watch",
            "watch-dirs",
            "web-no-shell",
            "baseline-audit",
            "baseline-exec",
            "baseline-files",
            "baseline-ptrace");
    assertThat(set.ruleCount()).isEqualTo(23);
    assertThat(set.policies())
        .flatExtracting(Policy::hooks)
        .extracting(HookDecl::function)
        .containsExactly("inet_bind", "commit_creds", "__x64_sys_mkdirat", "vfs_mkdir");
    assertThat(set.lists()).containsOnlyKeys("shells", "temp-dirs", "baseline-drop-dirs");
    assertThat(set.lists().get("temp-dirs")).containsExactly("/tmp/", "/dev/shm/", "/var/tmp/");
  }

  /** The baseline loads on its own: the README's first command applies it alone. */
  @Test
  void baselineStandsAlone() throws IOException {
    PolicySet set = load("baseline.yaml");
    assertThat(set.policies())
        .extracting(Policy::name, Policy::mode, Policy::priority)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("baseline-audit", Mode.ENFORCE, -100),
            org.assertj.core.groups.Tuple.tuple("baseline-exec", Mode.ENFORCE, -100),
            org.assertj.core.groups.Tuple.tuple("baseline-files", Mode.ENFORCE, -100),
            org.assertj.core.groups.Tuple.tuple("baseline-ptrace", Mode.MONITOR, -100));
    assertThat(set.lists()).containsOnlyKeys("baseline-drop-dirs");
    Policy exec = policy(set, "baseline-exec");
    assertThat(exec.rules())
        .extracting(Rule::name)
        .containsExactly(
            "root-fileless", "fileless", "root-temp-exec", "temp-exec", "drop-dir-exec");
    Rule temp = exec.rules().get(3);
    assertThat(temp.action()).isEqualTo(Action.DENY);
    assertThat(temp.errno()).hasValue(Errno.EACCES);
    assertThat(temp.match())
        .isEqualTo(
            new Match.Exec(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(new RangeMatcher(true, List.of(new Range(0, 0)))),
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.of(true),
                List.of()));
    var drop = (Match.Exec) exec.rules().get(4).match();
    assertThat(drop.binary().orElseThrow().prefix())
        .containsExactly("/var/www/", "/var/mail/", "/var/spool/", "/var/lib/php/");
    assertThat(exec.rules().get(1).action()).isEqualTo(Action.DENY_KILL);
    assertThat(policy(set, "baseline-files").rules())
        .extracting(Rule::name, Rule::action)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("account-tools", Action.ALLOW),
            org.assertj.core.groups.Tuple.tuple("account-files", Action.DENY),
            org.assertj.core.groups.Tuple.tuple("package-managers", Action.ALLOW),
            org.assertj.core.groups.Tuple.tuple("system-binaries", Action.DENY));
    // no enforcing deny or kill of a whole kind: the baseline validates without a warning
    assertThat(PolicyWarning.of(set)).isEmpty();
  }

  @Test
  void monitorPolicy() throws IOException {
    Policy p = policy(load(), "web-no-shell");
    assertThat(p.mode()).isEqualTo(Mode.MONITOR);
    assertThat(p.priority()).isZero();
    var shell = (Match.Exec) p.rules().getFirst().match();
    assertThat(shell.binary().orElseThrow().exact())
        .containsExactly("/bin/sh", "/bin/bash", "/usr/bin/dash");
    assertThat(shell.ancestorBinary().orElseThrow().exact()).containsExactly("/usr/sbin/nginx");
    assertThat(shell.uid().orElseThrow().ranges())
        .containsExactly(new Range(33, 33), new Range(1000, 1999));
    assertThat(p.rules().getFirst().action()).isEqualTo(Action.KILL);
    var open = (Match.Open) p.rules().get(1).match();
    assertThat(open.path().orElseThrow())
        .isEqualTo(new PathMatcher(List.of("/etc/shadow"), List.of(), List.of("/etc/shadow*")));
    assertThat(open.access()).isEqualTo(Set.of(Access.WRITE, Access.TRUNCATE));
    var mod = (Match.ModuleLoad) p.rules().get(2).match();
    assertThat(mod.name().orElseThrow().glob()).containsExactly("nf_*");
    var ptrace = (Match.Ptrace) p.rules().get(3).match();
    assertThat(ptrace.target().orElseThrow().prefix()).containsExactly("/usr/sbin/");
  }

  @Test
  void network() throws IOException {
    Policy p = policy(load(), "egress");
    assertThat(p.priority()).isEqualTo(100);
    Rule resolver = p.rules().getFirst();
    assertThat(resolver.action()).isEqualTo(Action.ALLOW);
    var rm = (Match.Connect) resolver.match();
    assertThat(rm.address()).extracting(Cidr::toString).containsExactly("127.0.0.53/32");
    assertThat(rm.port()).contains(new RangeMatcher(false, List.of(new Range(53, 53))));
    var meta = (Match.Connect) p.rules().get(1).match();
    assertThat(meta.address())
        .extracting(Cidr::toString)
        .containsExactly("169.254.169.254/32", "fd00:ec2:0:0:0:0:0:0/32");
    assertThat(meta.port()).contains(new RangeMatcher(true, List.of(new Range(1, 1023))));
    assertThat(meta.binary().orElseThrow().glob()).containsExactly("/usr/bin/*");
    var priv = (Match.Privilege) p.rules().get(2).match();
    assertThat(priv.gains()).containsExactly(Gain.UID0);
  }
}
