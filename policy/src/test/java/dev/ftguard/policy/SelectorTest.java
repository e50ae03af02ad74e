package dev.ftguard.policy;

import static dev.ftguard.policy.EvalFixtures.connect;
import static dev.ftguard.policy.EvalFixtures.exec;
import static dev.ftguard.policy.EvalFixtures.match;
import static dev.ftguard.policy.EvalFixtures.module;
import static dev.ftguard.policy.EvalFixtures.open;
import static dev.ftguard.policy.EvalFixtures.privilege;
import static dev.ftguard.policy.EvalFixtures.ptrace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.DecisionEvent.Kind;
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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every selector of every event kind, matching and not matching. */
class SelectorTest {
  static boolean m(String event, String match, Facts f) {
    return PolicyEvaluator.matches(match(event, match), f);
  }

  static ExecFacts execFacts(
      String binary,
      String parent,
      List<String> ancestors,
      long uid,
      long euid,
      List<String> argv,
      boolean fileless,
      boolean tmp) {
    return new ExecFacts(
        binary, parent, ancestors, uid, euid, argv, fileless, tmp, Optional.empty());
  }

  @Nested
  class Exec {
    final ExecFacts f =
        execFacts(
            "/bin/bash",
            "/usr/sbin/nginx",
            List.of("/usr/bin/runsv", "/sbin/init"),
            33,
            0,
            List.of("bash", "-c", "id"),
            false,
            true);

    @Test
    void emptyMatchMatchesEveryExec() {
      assertThat(m("exec", "{}", f)).isTrue();
    }

    @Test
    void binary() {
      assertThat(m("exec", "{binary: {exact: [/bin/bash]}}", f)).isTrue();
      assertThat(m("exec", "{binary: {exact: [\"@shells\"]}}", f)).isTrue();
      assertThat(m("exec", "{binary: {exact: [/bin/sh]}}", f)).isFalse();
      assertThat(m("exec", "{binary: {prefix: [/bin/]}}", f)).isTrue();
      assertThat(m("exec", "{binary: {prefix: [/usr/]}}", f)).isFalse();
      assertThat(m("exec", "{binary: {glob: [/bin/*sh]}}", f)).isTrue();
      assertThat(m("exec", "{binary: {glob: [/*sh]}}", f)).isFalse();
      assertThat(m("exec", "{binary: {exact: [/x], prefix: [/y/], glob: [/bin/b?sh]}}", f))
          .isTrue();
    }

    @Test
    void parentBinary() {
      assertThat(m("exec", "{parentBinary: {exact: [/usr/sbin/nginx]}}", f)).isTrue();
      assertThat(m("exec", "{parentBinary: {exact: [/usr/bin/runsv]}}", f)).isFalse();
    }

    @Test
    void ancestorBinaryIncludesTheParentAndEveryAncestor() {
      assertThat(m("exec", "{ancestorBinary: {exact: [/usr/sbin/nginx]}}", f)).isTrue();
      assertThat(m("exec", "{ancestorBinary: {exact: [/usr/bin/runsv]}}", f)).isTrue();
      assertThat(m("exec", "{ancestorBinary: {glob: [/sbin/in?t]}}", f)).isTrue();
      assertThat(m("exec", "{ancestorBinary: {exact: [/bin/bash]}}", f)).isFalse();
      assertThat(m("exec", "{ancestorBinary: {prefix: [/opt/]}}", f)).isFalse();
    }

    @Test
    void uidAndEuid() {
      assertThat(m("exec", "{uid: {in: [33]}}", f)).isTrue();
      assertThat(m("exec", "{uid: {in: [0]}}", f)).isFalse();
      assertThat(m("exec", "{euid: {in: [0]}}", f)).isTrue();
      assertThat(m("exec", "{euid: {notIn: [0]}}", f)).isFalse();
      assertThat(m("exec", "{uid: {in: [33]}, euid: {in: [0]}}", f)).isTrue();
      assertThat(m("exec", "{uid: {in: [33]}, euid: {in: [33]}}", f)).isFalse();
    }

    @Test
    void argvContainsEqualsAWholeArgumentIncludingArgv0() {
      assertThat(m("exec", "{argvContains: [-c]}", f)).isTrue();
      assertThat(m("exec", "{argvContains: [--x, id]}", f)).isTrue();
      assertThat(m("exec", "{argvContains: [bash]}", f)).isTrue();
      assertThat(m("exec", "{argvContains: [\"-\"]}", f)).isFalse();
      assertThat(m("exec", "{argvContains: [\"-c id\"]}", f)).isFalse();
    }

    @Test
    void filelessAndFromTempDir() {
      assertThat(m("exec", "{fileless: false}", f)).isTrue();
      assertThat(m("exec", "{fileless: true}", f)).isFalse();
      assertThat(m("exec", "{fromTempDir: true}", f)).isTrue();
      assertThat(m("exec", "{fromTempDir: false}", f)).isFalse();
    }

    @Test
    void allSelectorsMustMatch() {
      String all =
          "{binary: {exact: [/bin/bash]}, parentBinary: {exact: [/usr/sbin/nginx]}, ancestorBinary: {exact: [/sbin/init]},"
              + " uid: {in: [\"30-40\"]}, euid: {in: [0]}, argvContains: [id], fileless: false, fromTempDir: true}";
      assertThat(m("exec", all, f)).isTrue();
      assertThat(m("exec", all.replace("fromTempDir: true", "fromTempDir: false"), f)).isFalse();
      assertThat(m("exec", all.replace("\"30-40\"", "\"34-40\""), f)).isFalse();
    }
  }

  @Nested
  class Open {
    @Test
    void path() {
      assertThat(m("open", "{path: {exact: [/etc/shadow]}}", open("/etc/shadow", Access.READ)))
          .isTrue();
      assertThat(m("open", "{path: {exact: [/etc/shadow]}}", open("/etc/shadow-", Access.READ)))
          .isFalse();
      assertThat(m("open", "{path: {glob: [\"/etc/shadow*\"]}}", open("/etc/shadow-", Access.READ)))
          .isTrue();
      assertThat(
              m("open", "{path: {prefix: [/etc/ssh/]}}", open("/etc/ssh/sshd_config", Access.READ)))
          .isTrue();
      assertThat(m("open", "{path: {prefix: [/etc/ssh/]}}", open("/etc/sshd", Access.READ)))
          .isFalse();
    }

    @Test
    void accessIntersects() {
      String sel = "{access: [write, truncate]}";
      assertThat(m("open", sel, open("/f", Access.WRITE))).isTrue();
      assertThat(m("open", sel, open("/f", Access.READ, Access.TRUNCATE))).isTrue();
      assertThat(m("open", sel, open("/f", Access.READ))).isFalse();
      assertThat(m("open", sel, open("/f", Access.READ, Access.CREATE))).isFalse();
      assertThat(m("open", "{access: [create]}", open("/f", Access.CREATE, Access.WRITE))).isTrue();
      assertThat(m("open", "{access: [read]}", open("/f", Access.WRITE))).isFalse();
    }

    @Test
    void binary() {
      assertThat(m("open", "{binary: {exact: [/usr/bin/cat]}}", open("/f", Access.READ))).isTrue();
      assertThat(m("open", "{binary: {exact: [/usr/bin/vi]}}", open("/f", Access.READ))).isFalse();
      assertThat(m("open", "{}", new OpenFacts("/f", Set.of(Access.READ), "/x"))).isTrue();
    }
  }

  @Nested
  class Connect {
    @Test
    void address() {
      assertThat(m("connect", "{address: [10.0.0.0/8]}", connect("10.255.255.255", 80))).isTrue();
      assertThat(m("connect", "{address: [10.0.0.0/8]}", connect("11.0.0.0", 80))).isFalse();
      assertThat(
              m("connect", "{address: [192.168.1.0/24, 10.0.0.0/8]}", connect("192.168.1.7", 80)))
          .isTrue();
    }

    @Test
    void port() {
      assertThat(m("connect", "{port: {in: [443]}}", connect("1.1.1.1", 443))).isTrue();
      assertThat(m("connect", "{port: {in: [443]}}", connect("1.1.1.1", 80))).isFalse();
    }

    @Test
    void binary() {
      assertThat(m("connect", "{binary: {glob: [\"/usr/bin/*\"]}}", connect("1.1.1.1", 443)))
          .isTrue();
      assertThat(m("connect", "{binary: {glob: [\"/bin/*\"]}}", connect("1.1.1.1", 443))).isFalse();
    }

    @ParameterizedTest(name = "{0} in {1} -> {2}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
        10.0.0.0      | 10.0.0.0/8       | true
        9.255.255.255 | 10.0.0.0/8       | false
        10.255.255.255| 10.0.0.0/8       | true
        11.0.0.0      | 10.0.0.0/8       | false
        172.16.0.0    | 172.16.0.0/12    | true
        172.31.255.255| 172.16.0.0/12    | true
        172.32.0.0    | 172.16.0.0/12    | false
        172.15.255.255| 172.16.0.0/12    | false
        192.168.1.1   | 192.168.1.1      | true
        192.168.1.2   | 192.168.1.1      | false
        192.168.1.1   | 192.168.1.1/32   | true
        1.2.3.4       | 0.0.0.0/0        | true
        255.255.255.255| 0.0.0.0/0       | true
        10.0.0.1      | 10.0.0.0/31      | true
        10.0.0.2      | 10.0.0.0/31      | false
        ::1           | 0.0.0.0/0        | false
        10.0.0.1      | ::/0             | false
        ::            | ::/0             | true
        fd00::1       | fd00::/8         | true
        fdff:ffff::   | fd00::/8         | true
        fe00::        | fd00::/8         | false
        fc00::        | fd00::/8         | false
        fd00:ec2::254 | fd00:ec2::/32    | true
        fd00:ec3::    | fd00:ec2::/32    | false
        fd00:ec2:ffff:ffff:ffff:ffff:ffff:ffff | fd00:ec2::/32 | true
        2001:db8::1   | 2001:db8::1      | true
        2001:db8::2   | 2001:db8::1/128  | false
        2001:db8::1   | 2001:db8::/127   | true
        2001:db8::2   | 2001:db8::/127   | false
        2001:db8:0:0:8000::| 2001:db8::/65 | false
        2001:db8:0:0:7fff::| 2001:db8::/65 | true
        ::ffff:10.1.2.3 | 10.0.0.0/8     | true
        """)
    void cidrBoundaries(String address, String cidr, boolean expected) {
      assertThat(m("connect", "{address: [\"" + cidr + "\"]}", connect(address, 1)))
          .isEqualTo(expected);
    }

    @Test
    void ipv4MappedIpv6IsNormalizedToIpv4() throws Exception {
      byte[] mapped = {
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        (byte) 0xff,
        (byte) 0xff,
        (byte) 169,
        (byte) 254,
        (byte) 169,
        (byte) 254
      };
      var f =
          new ConnectFacts(
              java.net.Inet6Address.getByAddress(null, mapped, -1), 80, "/usr/bin/curl");
      assertThat(f.address()).isEqualTo(InetAddress.ofLiteral("169.254.169.254"));
      assertThat(m("connect", "{address: [169.254.169.254]}", f)).isTrue();
    }

    @ParameterizedTest(name = "port {0} {1} -> {2}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
        0     | {in: [0]}                      | true
        1     | {in: [0]}                      | false
        65535 | {in: [65535]}                  | true
        7999  | {in: [22, "8000-8999"]}        | false
        8000  | {in: [22, "8000-8999"]}        | true
        8999  | {in: [22, "8000-8999"]}        | true
        9000  | {in: [22, "8000-8999"]}        | false
        22    | {in: [22, "8000-8999"]}        | true
        22    | {notIn: [22, "8000-8999"]}     | false
        8500  | {notIn: [22, "8000-8999"]}     | false
        21    | {notIn: [22, "8000-8999"]}     | true
        9000  | {notIn: [22, "8000-8999"]}     | true
        0     | {notIn: ["1-65535"]}           | true
        65535 | {notIn: ["1-65535"]}           | false
        """)
    void portRanges(int port, String sel, boolean expected) {
      assertThat(m("connect", "{port: " + sel + "}", connect("1.1.1.1", port))).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "uid {0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      0          | {in: [0]}                   | true
      1          | {in: [0]}                   | false
      999        | {in: [0, "1000-1999"]}      | false
      1000       | {in: [0, "1000-1999"]}      | true
      1999       | {in: [0, "1000-1999"]}      | true
      2000       | {in: [0, "1000-1999"]}      | false
      0          | {notIn: [0]}                | false
      1          | {notIn: [0]}                | true
      4294967294 | {in: [4294967294]}          | true
      4294967294 | {notIn: ["0-4294967293"]}   | true
      4294967293 | {notIn: ["0-4294967293"]}   | false
      65534      | {notIn: [0, "1000-1999"]}   | true
      """)
  void idRanges(long uid, String sel, boolean expected) {
    assertThat(m("exec", "{uid: " + sel + "}", exec("/bin/x", uid))).isEqualTo(expected);
  }

  @Nested
  class ModuleLoad {
    @Test
    void name() {
      assertThat(m("module_load", "{name: {exact: [nf_tables]}}", module("nf_tables"))).isTrue();
      assertThat(m("module_load", "{name: {exact: [nf_tables]}}", module("nf_tables_x"))).isFalse();
      assertThat(m("module_load", "{name: {glob: [nf_*]}}", module("nf_conntrack"))).isTrue();
      assertThat(m("module_load", "{name: {glob: [nf_*]}}", module("xt_nat"))).isFalse();
    }

    @Test
    void unknownNameMatchesOnlyRulesWithoutNameSelector() {
      assertThat(m("module_load", "{name: {glob: [\"*\"]}}", module(null))).isFalse();
      assertThat(m("module_load", "{}", module(null))).isTrue();
      assertThat(m("module_load", "{binary: {exact: [/usr/sbin/modprobe]}}", module(null)))
          .isTrue();
    }

    @Test
    void binary() {
      assertThat(m("module_load", "{binary: {exact: [/usr/sbin/modprobe]}}", module("x"))).isTrue();
      assertThat(m("module_load", "{binary: {exact: [/usr/sbin/insmod]}}", module("x"))).isFalse();
    }
  }

  @Nested
  class Ptrace {
    @Test
    void target() {
      assertThat(m("ptrace", "{target: {prefix: [/usr/sbin/]}}", ptrace("/usr/sbin/sshd")))
          .isTrue();
      assertThat(m("ptrace", "{target: {prefix: [/usr/sbin/]}}", ptrace("/usr/bin/sshd")))
          .isFalse();
    }

    @Test
    void binaryIsTheTracer() {
      assertThat(m("ptrace", "{binary: {exact: [/usr/bin/gdb]}}", ptrace("/x"))).isTrue();
      assertThat(m("ptrace", "{binary: {exact: [/x]}}", ptrace("/x"))).isFalse();
    }
  }

  @Nested
  class Privilege {
    @Test
    void binary() {
      assertThat(
              m("privilege", "{binary: {prefix: [/home/]}}", privilege("/home/u/a.out", Gain.UID0)))
          .isTrue();
      assertThat(
              m("privilege", "{binary: {prefix: [/home/]}}", privilege("/usr/bin/sudo", Gain.UID0)))
          .isFalse();
    }

    @Test
    void gainsIntersect() {
      assertThat(m("privilege", "{gains: [uid0]}", privilege("/x", Gain.UID0, Gain.CAPABILITIES)))
          .isTrue();
      assertThat(m("privilege", "{gains: [uid0]}", privilege("/x", Gain.CAPABILITIES))).isFalse();
      assertThat(
              m("privilege", "{gains: [uid0, capabilities]}", privilege("/x", Gain.CAPABILITIES)))
          .isTrue();
    }
  }

  @Test
  void aMatchNeverMatchesFactsOfAnotherKind() {
    List<Facts> all =
        List.of(
            exec("/x"),
            open("/x", Access.READ),
            connect("1.1.1.1", 1),
            module("m"),
            ptrace("/x"),
            privilege("/x", Gain.UID0));
    for (Kind k : Kind.values()) {
      if (k == Kind.CALL) {
        continue; // needs a declared hook: CallRuleTest
      }
      Match any = match(k.yamlName(), "{}");
      for (Facts f : all) {
        assertThat(PolicyEvaluator.matches(any, f))
            .as("%s vs %s", k, f.kind())
            .isEqualTo(f.kind() == k);
      }
    }
  }

  @Test
  void factsKinds() {
    assertThat(exec("/x")).isInstanceOf(ExecFacts.class);
    assertThat(module("m"))
        .isInstanceOf(ModuleLoadFacts.class)
        .extracting(ModuleLoadFacts::name)
        .isEqualTo(Optional.of("m"));
    assertThat(ptrace("/t")).isInstanceOf(PtraceFacts.class);
    assertThat(privilege("/x", Gain.UID0)).isInstanceOf(PrivilegeFacts.class);
  }
}
