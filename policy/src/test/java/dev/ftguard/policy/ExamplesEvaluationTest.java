package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.abi.Errno;
import dev.ftguard.policy.Facts.ConnectFacts;
import dev.ftguard.policy.Facts.ExecFacts;
import dev.ftguard.policy.Facts.ModuleLoadFacts;
import dev.ftguard.policy.Facts.OpenFacts;
import dev.ftguard.policy.Facts.PrivilegeFacts;
import dev.ftguard.policy.Facts.PtraceFacts;
import dev.ftguard.policy.Verdict.Decision;
import dev.ftguard.policy.Verdict.Finding;
import dev.ftguard.policy.Verdict.RuleRef;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/examples/*.yaml evaluated on concrete events. */
class ExamplesEvaluationTest {
  /** The examples but the baseline, together; the baseline alone, as the README applies it. */
  static PolicySet set;

  static PolicySet baseline;

  @BeforeAll
  static void load() throws IOException {
    ExamplesTest.load();
    set = ExamplesTest.load("hooks.yaml", "lists.yaml", "network.yaml", "web.yaml");
    baseline = ExamplesTest.load("baseline.yaml");
  }

  static Verdict eval(Facts f) {
    return PolicyEvaluator.evaluate(set, f);
  }

  static Verdict base(Facts f) {
    return PolicyEvaluator.evaluate(baseline, f);
  }

  static ExecFacts exec(
      String binary, String parent, List<String> ancestors, long uid, boolean fileless) {
    return exec(binary, parent, ancestors, uid, fileless, binary.startsWith("/tmp/"));
  }

  static ExecFacts exec(
      String binary,
      String parent,
      List<String> ancestors,
      long uid,
      boolean fileless,
      boolean fromTempDir) {
    return new ExecFacts(
        binary,
        parent,
        ancestors,
        uid,
        uid,
        List.of(binary),
        fileless,
        fromTempDir,
        Optional.empty());
  }

  static Decision block(String policy, String rule, Action action, Integer errno) {
    return new Decision.Block(
        new RuleRef(policy, rule),
        action,
        errno == null ? OptionalInt.empty() : OptionalInt.of(errno));
  }

  @Test
  void baselineDeniesExecFromTemporaryDirectoriesWithEaccesForNonRoot() {
    Decision deny = block("baseline-exec", "temp-exec", Action.DENY, Errno.EACCES);
    // fromTempDir is the kernel's fact: the path does not matter (a bind mount, a tmpfs anywhere)
    Verdict v = base(exec("/opt/bound/x", "/bin/bash", List.of(), 1000, false, true));
    assertThat(v.decision()).isEqualTo(deny);
    assertThat(v.findings()).isEmpty();
    assertThat(base(exec("/tmp/x", "/bin/bash", List.of(), 1000, false, false)).decision())
        .isEqualTo(new Decision.NoMatch());
    Verdict root = base(exec("/tmp/x", "/bin/bash", List.of(), 0, false, true));
    assertThat(root.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(root.findings())
        .containsExactly(
            new Finding("baseline-exec", "root-temp-exec", Action.AUDIT, Mode.ENFORCE));
  }

  @Test
  void baselineDeniesExecFromItsDropDirectoriesForNonRoot() {
    assertThat(
            base(exec("/var/www/up/sh", "/usr/sbin/nginx", List.of(), 33, false, false)).decision())
        .isEqualTo(block("baseline-exec", "drop-dir-exec", Action.DENY, Errno.EACCES));
    assertThat(
            base(exec("/var/www/up/sh", "/usr/sbin/nginx", List.of(), 0, false, false)).decision())
        .isEqualTo(new Decision.NoMatch());
    Verdict ls = base(exec("/usr/bin/ls", "/bin/bash", List.of(), 1000, false, false));
    assertThat(ls.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(ls.findings()).isEmpty();
  }

  @Test
  void baselineDeniesAndKillsFilelessExecForNonRootAndAuditsRoot() {
    Verdict v = base(exec("/memfd:payload (deleted)", "/bin/bash", List.of(), 1000, true, false));
    assertThat(v.decision())
        .isEqualTo(block("baseline-exec", "fileless", Action.DENY_KILL, Errno.EPERM));
    assertThat(v.kills()).isTrue();
    Verdict runc = base(exec("/memfd:runc (deleted)", "/usr/bin/runc", List.of(), 0, true, false));
    assertThat(runc.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(runc.findings())
        .containsExactly(new Finding("baseline-exec", "root-fileless", Action.AUDIT, Mode.ENFORCE));
  }

  @Test
  void baselineProtectsAccountDatabasesAndSystemBinariesFromWrites() {
    Decision accounts = block("baseline-files", "account-files", Action.DENY, Errno.EPERM);
    Decision binaries = block("baseline-files", "system-binaries", Action.DENY, Errno.EPERM);
    assertThat(base(new OpenFacts("/etc/shadow", Set.of(Access.WRITE), "/usr/bin/vi")).decision())
        .isEqualTo(accounts);
    assertThat(
            base(new OpenFacts(
                    "/etc/sudoers.d/x", Set.of(Access.CREATE, Access.WRITE), "/usr/bin/tee"))
                .decision())
        .isEqualTo(accounts);
    assertThat(
            base(new OpenFacts(
                    "/etc/passwd+", Set.of(Access.CREATE, Access.WRITE), "/usr/sbin/useradd"))
                .decision())
        .isEqualTo(new Decision.Allow(new RuleRef("baseline-files", "account-tools")));
    assertThat(base(new OpenFacts("/etc/shadow", Set.of(Access.READ), "/usr/bin/vi")).decision())
        .isEqualTo(new Decision.NoMatch());
    assertThat(
            base(new OpenFacts("/usr/bin/ls", Set.of(Access.TRUNCATE, Access.WRITE), "/usr/bin/cp"))
                .decision())
        .isEqualTo(binaries);
    assertThat(
            base(new OpenFacts(
                    "/usr/sbin/sshd.dpkg-new",
                    Set.of(Access.CREATE, Access.WRITE),
                    "/usr/bin/dpkg"))
                .decision())
        .isEqualTo(new Decision.Allow(new RuleRef("baseline-files", "package-managers")));
    assertThat(base(new OpenFacts("/usr/bin/ls", Set.of(Access.READ), "/usr/bin/cp")).decision())
        .isEqualTo(new Decision.NoMatch());
  }

  @Test
  void baselineRecordsModulesPrivilegeAndWouldDenyPtraceOfDaemons() {
    assertThat(base(new ModuleLoadFacts(Optional.empty(), "/usr/bin/kmod")).findings())
        .containsExactly(new Finding("baseline-audit", "module-loads", Action.AUDIT, Mode.ENFORCE));
    assertThat(base(new PrivilegeFacts("/usr/bin/sudo", Set.of(Gain.UID0))).findings())
        .containsExactly(new Finding("baseline-audit", "becomes-root", Action.AUDIT, Mode.ENFORCE));
    Verdict p = base(new PtraceFacts("/usr/sbin/sshd", "/usr/bin/gdb"));
    assertThat(p.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(p.findings())
        .containsExactly(new Finding("baseline-ptrace", "daemons", Action.DENY, Mode.MONITOR));
    assertThat(base(new PtraceFacts("/usr/bin/vim", "/usr/bin/gdb")).findings()).isEmpty();
  }

  @Test
  void shellUnderNginxWouldBeKilledButIsNot() {
    Verdict v =
        eval(
            exec(
                "/bin/sh",
                "/usr/bin/php-fpm",
                List.of("/usr/sbin/nginx", "/sbin/init"),
                33,
                false));
    assertThat(v.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(v.kills()).isFalse();
    assertThat(v.findings())
        .containsExactly(new Finding("web-no-shell", "nginx-shell", Action.KILL, Mode.MONITOR));
    assertThat(v.findings().getFirst().label()).isEqualTo("would kill");
    // direct child of nginx, uid in 1000-1999
    assertThat(eval(exec("/usr/bin/dash", "/usr/sbin/nginx", List.of(), 1500, false)).findings())
        .containsExactly(new Finding("web-no-shell", "nginx-shell", Action.KILL, Mode.MONITOR));
    // uid 0, not under nginx, not a shell
    assertThat(eval(exec("/bin/sh", "/usr/sbin/nginx", List.of(), 0, false)).findings()).isEmpty();
    assertThat(eval(exec("/bin/sh", "/usr/sbin/sshd", List.of("/sbin/init"), 33, false)).findings())
        .isEmpty();
    assertThat(eval(exec("/usr/bin/python3", "/usr/sbin/nginx", List.of(), 33, false)).findings())
        .isEmpty();
  }

  @Test
  void shadowWritesWouldBeDenied() {
    Verdict w = eval(new OpenFacts("/etc/shadow", Set.of(Access.WRITE), "/usr/bin/vi"));
    assertThat(w.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(w.operationProceeds()).isTrue();
    assertThat(w.findings())
        .containsExactly(new Finding("web-no-shell", "shadow-writes", Action.DENY, Mode.MONITOR));
    assertThat(w.findings().getFirst().label()).isEqualTo("would deny");
    assertThat(
            eval(new OpenFacts("/etc/shadow-", Set.of(Access.TRUNCATE, Access.READ), "/x"))
                .findings())
        .extracting(Finding::rule)
        .containsExactly("shadow-writes");
    assertThat(eval(new OpenFacts("/etc/shadow", Set.of(Access.READ), "/x")).findings()).isEmpty();
    assertThat(eval(new OpenFacts("/etc/shadow.d/x", Set.of(Access.WRITE), "/x")).findings())
        .isEmpty();
  }

  @Test
  void netfilterModulesAreAudited() {
    assertThat(eval(new ModuleLoadFacts(Optional.of("nf_tables"), "/usr/sbin/modprobe")).findings())
        .containsExactly(new Finding("web-no-shell", "modules", Action.AUDIT, Mode.MONITOR));
    assertThat(eval(new ModuleLoadFacts(Optional.of("ext4"), "/usr/sbin/modprobe")).findings())
        .isEmpty();
    assertThat(eval(new ModuleLoadFacts(Optional.empty(), "/usr/sbin/modprobe")).findings())
        .isEmpty();
  }

  @Test
  void ptraceOfSystemDaemonsIsAudited() {
    Verdict v = eval(new PtraceFacts("/usr/sbin/sshd", "/usr/bin/gdb"));
    assertThat(v.findings())
        .containsExactly(new Finding("web-no-shell", "debuggers", Action.AUDIT, Mode.MONITOR));
    assertThat(v.decision()).isEqualTo(new Decision.NoMatch());
    assertThat(eval(new PtraceFacts("/usr/bin/vim", "/usr/bin/gdb")).findings()).isEmpty();
  }

  @Test
  void resolverIsAllowedFirst() {
    var f = new ConnectFacts(InetAddress.ofLiteral("127.0.0.53"), 53, "/usr/bin/curl");
    assertThat(eval(f).decision()).isEqualTo(new Decision.Allow(new RuleRef("egress", "resolver")));
    assertThat(
            eval(new ConnectFacts(InetAddress.ofLiteral("127.0.0.53"), 54, "/usr/bin/curl"))
                .decision())
        .isEqualTo(new Decision.NoMatch());
  }

  @Test
  void metadataEndpointOnUnprivilegedPortsIsDenied() {
    Decision deny = block("egress", "metadata", Action.DENY, Errno.EPERM);
    assertThat(
            eval(new ConnectFacts(InetAddress.ofLiteral("169.254.169.254"), 8080, "/usr/bin/curl"))
                .decision())
        .isEqualTo(deny);
    assertThat(
            eval(new ConnectFacts(InetAddress.ofLiteral("169.254.169.254"), 0, "/usr/bin/curl"))
                .decision())
        .isEqualTo(deny);
    assertThat(
            eval(new ConnectFacts(InetAddress.ofLiteral("fd00:ec2::254"), 1024, "/usr/bin/wget"))
                .decision())
        .isEqualTo(deny);
    // privileged port, other binary, other host
    assertThat(
            eval(new ConnectFacts(InetAddress.ofLiteral("169.254.169.254"), 80, "/usr/bin/curl"))
                .decision())
        .isEqualTo(new Decision.NoMatch());
    assertThat(
            eval(new ConnectFacts(
                    InetAddress.ofLiteral("169.254.169.254"), 8080, "/usr/local/bin/curl"))
                .decision())
        .isEqualTo(new Decision.NoMatch());
    assertThat(
            eval(new ConnectFacts(InetAddress.ofLiteral("169.254.169.253"), 8080, "/usr/bin/curl"))
                .decision())
        .isEqualTo(new Decision.NoMatch());
    assertThat(
            eval(new ConnectFacts(InetAddress.ofLiteral("fd00:ec3::"), 8080, "/usr/bin/curl"))
                .decision())
        .isEqualTo(new Decision.NoMatch());
  }

  @Test
  void setuidRootFromHomeIsAudited() {
    assertThat(eval(new PrivilegeFacts("/home/eve/a.out", Set.of(Gain.UID0))).findings())
        .containsExactly(new Finding("egress", "setuid-root", Action.AUDIT, Mode.ENFORCE));
    assertThat(eval(new PrivilegeFacts("/home/eve/a.out", Set.of(Gain.CAPABILITIES))).findings())
        .isEmpty();
    assertThat(eval(new PrivilegeFacts("/usr/bin/sudo", Set.of(Gain.UID0))).findings()).isEmpty();
  }
}
