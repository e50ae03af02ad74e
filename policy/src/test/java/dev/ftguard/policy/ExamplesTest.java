package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Kind;
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

  static PolicySet load() throws IOException {
    List<Path> files;
    try (var s = Files.list(examples())) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("baseline.yaml", "hooks.yaml", "lists.yaml", "network.yaml");
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
        .containsExactly("egress", "no-tmp-exec", "net-watch", "watch-dirs", "web-no-shell");
    assertThat(set.ruleCount()).isEqualTo(14);
    assertThat(set.policies())
        .flatExtracting(Policy::hooks)
        .extracting(HookDecl::function)
        .containsExactly("inet_bind", "commit_creds", "__x64_sys_mkdirat", "vfs_mkdir");
    assertThat(set.lists()).containsOnlyKeys("shells", "temp-dirs");
    assertThat(set.lists().get("temp-dirs")).containsExactly("/tmp/", "/dev/shm/", "/var/tmp/");
  }

  @Test
  void baseline() throws IOException {
    Policy p = policy(load(), "no-tmp-exec");
    assertThat(p.mode()).isEqualTo(Mode.ENFORCE);
    assertThat(p.priority()).isEqualTo(10);
    assertThat(p.rules())
        .extracting(Rule::name)
        .containsExactly("root-may", "exec-from-tmp", "fileless");
    PathMatcher tmp =
        new PathMatcher(List.of(), List.of("/tmp/", "/dev/shm/", "/var/tmp/"), List.of());
    Rule deny = p.rules().get(1);
    assertThat(deny.event()).isEqualTo(Kind.EXEC);
    assertThat(deny.action()).isEqualTo(Action.DENY);
    assertThat(deny.errno()).hasValue(Errno.EACCES);
    assertThat(deny.location().line()).isEqualTo(16);
    assertThat(deny.match())
        .isEqualTo(
            new Match.Exec(
                Optional.of(tmp),
                Optional.empty(),
                Optional.empty(),
                Optional.of(new RangeMatcher(true, List.of(new Range(0, 0)))),
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.empty()));
    var m = (Match.Exec) deny.match();
    assertThat(m.binary()).contains(tmp);
    assertThat(m.uid()).contains(new RangeMatcher(true, List.of(new Range(0, 0))));
    assertThat(m.parentBinary()).isEmpty();
    Rule audit = p.rules().getFirst();
    assertThat(audit.action()).isEqualTo(Action.AUDIT);
    assertThat(audit.errno()).isEmpty();
    Rule fileless = p.rules().get(2);
    assertThat(fileless.action()).isEqualTo(Action.DENY_KILL);
    assertThat(fileless.errno()).hasValue(Errno.EPERM);
    assertThat(((Match.Exec) fileless.match()).fileless()).contains(true);
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
