package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.Scenarios.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Every event kind, selector and action of the policy language, enforced by the module in one guest
 * boot. The payload loads the module, streams {@code ftguard events --follow} to {@code
 * /out/events.jsonl}, applies one policy set ({@code ftguard policy apply}) with a policy per event
 * kind and plays every scenario (phase {@code enforce}); then applies the same set with {@code
 * mode: monitor} and plays them again (phase {@code monitor}). Each scenario acts on its own
 * binaries, files, addresses or modules, so no rule meets another scenario.
 *
 * <p>Per scenario the test checks what the caller saw ({@code ok}, {@code errno=NAME} or killed by
 * SIGKILL) in both phases, and the decision events of the scenario's processes: policy, rule,
 * event, action, mode, label, result/errno, binary, object, argv and the process ids. A scenario
 * that must pass (a selector that must not match) gets no decision at all.
 *
 * <p>The helper {@code /ftgtest} ({@code it/src/test/c/ftgtest.c}) performs the operations; copies
 * of it under {@code /opt/ftg} are the distinct binaries rules name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyEnforcementIT {

  private static final String T = FtguardGuest.TEST_HELPER;

  /** The policy set; {@code MODE} becomes enforce or monitor. */
  static final String POLICIES =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-exec}
            spec:
              mode: MODE
              rules:
                - name: exec-exact
                  event: exec
                  match: {binary: {exact: [/opt/ftg/exec/exact]}}
                  action: deny
                - name: exec-prefix
                  event: exec
                  match: {binary: {prefix: [/opt/ftg/exec/pfx/]}}
                  action: deny
                - name: exec-glob
                  event: exec
                  match: {binary: {glob: ["/opt/ftg/exec/glob/*-bad"]}}
                  action: deny
                - name: exec-parent
                  event: exec
                  match:
                    binary: {exact: [/opt/ftg/exec/pchild]}
                    parentBinary: {exact: [/opt/ftg/parent/launcher]}
                  action: deny
                - name: exec-ancestor
                  event: exec
                  match:
                    binary: {exact: [/opt/ftg/exec/achild]}
                    ancestorBinary: {exact: [/opt/ftg/anc/root]}
                  action: deny
                - name: exec-uid-in
                  event: exec
                  match:
                    binary: {exact: [/opt/ftg/exec/uid-in]}
                    uid: {in: [5, "1000-1999"]}
                  action: deny
                - name: exec-uid-notin
                  event: exec
                  match:
                    binary: {exact: [/opt/ftg/exec/uid-notin]}
                    uid: {notIn: [0]}
                  action: deny
                - name: exec-euid
                  event: exec
                  match:
                    binary: {exact: [/opt/ftg/exec/euid]}
                    euid: {in: [0]}
                  action: deny
                - name: exec-argv
                  event: exec
                  match:
                    binary: {exact: [/opt/ftg/exec/argv]}
                    argvContains: [--ftg-secret]
                  action: deny
                - name: exec-fileless
                  event: exec
                  match: {fileless: true}
                  action: deny
                - name: exec-tempdir
                  event: exec
                  match:
                    binary: {glob: ["/tmp/ftg-tmp-*", "/var/tmp/ftg-tmp-*", "/dev/shm/ftg-tmp-*", "/opt/ftg/ftg-tmp-*"]}
                    fromTempDir: true
                  action: deny
                - name: exec-eacces
                  event: exec
                  match: {binary: {exact: [/opt/ftg/exec/eacces]}}
                  action: deny
                  errno: EACCES
                - name: exec-kill
                  event: exec
                  match: {binary: {exact: [/opt/ftg/exec/kill]}}
                  action: kill
                - name: exec-deny-kill
                  event: exec
                  match: {binary: {exact: [/opt/ftg/exec/denykill]}}
                  action: deny+kill
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-exec-allow}
            spec:
              mode: MODE
              rules:
                - name: allow-yes
                  event: exec
                  match: {binary: {exact: [/opt/ftg/exec/allowdir/yes]}}
                  action: allow
                - name: deny-rest
                  event: exec
                  match: {binary: {prefix: [/opt/ftg/exec/allowdir/]}}
                  action: deny
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-exec-audit}
            spec:
              mode: MODE
              rules:
                - name: audit-all
                  event: exec
                  match: {binary: {prefix: [/opt/ftg/exec/auditdir/]}}
                  action: audit
                - name: deny-one
                  event: exec
                  match: {binary: {exact: [/opt/ftg/exec/auditdir/denied]}}
                  action: deny
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-open}
            spec:
              mode: MODE
              rules:
                - name: open-exact-read
                  event: open
                  match:
                    path: {exact: [/ftgdata/exact]}
                    access: [read]
                  action: deny
                - name: open-prefix
                  event: open
                  match: {path: {prefix: [/ftgdata/pfx/]}}
                  action: deny
                - name: open-glob
                  event: open
                  match: {path: {glob: ["/ftgdata/glob/*.secret"]}}
                  action: deny
                  errno: EACCES
                - name: open-write
                  event: open
                  match:
                    path: {prefix: [/ftgdata/w/]}
                    access: [write]
                  action: deny
                - name: open-create
                  event: open
                  match:
                    path: {prefix: [/ftgdata/c/]}
                    access: [create]
                  action: deny
                - name: open-trunc
                  event: open
                  match:
                    path: {prefix: [/ftgdata/t/]}
                    access: [truncate]
                  action: deny
                - name: open-binary
                  event: open
                  match:
                    path: {prefix: [/ftgdata/b/]}
                    binary: {exact: [/opt/ftg/bin/opener]}
                  action: deny
                - name: open-kill
                  event: open
                  match: {path: {exact: [/ftgdata/kill]}}
                  action: kill
                - name: open-deny-kill
                  event: open
                  match: {path: {exact: [/ftgdata/denykill]}}
                  action: deny+kill
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-open-allow}
            spec:
              mode: MODE
              rules:
                - name: allow-yes
                  event: open
                  match: {path: {exact: [/ftgdata/ad/yes]}}
                  action: allow
                - name: deny-rest
                  event: open
                  match: {path: {prefix: [/ftgdata/ad/]}}
                  action: deny
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-open-audit}
            spec:
              mode: MODE
              rules:
                - name: audit-one
                  event: open
                  match: {path: {exact: [/ftgdata/audited]}}
                  action: audit
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-connect}
            spec:
              mode: MODE
              rules:
                - name: connect-v4
                  event: connect
                  match: {address: [127.0.1.0/24]}
                  action: deny
                - name: connect-v6
                  event: connect
                  match: {address: ["fd00:0:0:1::/64"]}
                  action: deny
                  errno: EACCES
                - name: connect-port-values
                  event: connect
                  match:
                    address: [127.0.3.0/24]
                    port: {in: [7001, 7003]}
                  action: deny
                - name: connect-port-range
                  event: connect
                  match:
                    address: [127.0.4.0/24]
                    port: {in: ["7100-7199"]}
                  action: deny
                - name: connect-port-notin
                  event: connect
                  match:
                    address: [127.0.5.0/24]
                    port: {notIn: [22, "8000-8999"]}
                  action: deny
                - name: connect-binary
                  event: connect
                  match:
                    address: [127.0.6.0/24]
                    binary: {exact: [/opt/ftg/bin/netc]}
                  action: deny
                - name: connect-kill
                  event: connect
                  match: {address: [127.0.7.1]}
                  action: kill
                - name: connect-deny-kill
                  event: connect
                  match: {address: ["fd00:0:0:7::1"]}
                  action: deny+kill
                - name: connect-audit
                  event: connect
                  match: {address: [127.0.8.1]}
                  action: audit
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-module}
            spec:
              mode: MODE
              rules:
                - name: module-exact
                  event: module_load
                  match: {name: {exact: [ftg_hello]}}
                  action: deny
                - name: module-glob
                  event: module_load
                  match: {name: {glob: ["ftg_glob*"]}}
                  action: deny
                  errno: EACCES
                - name: module-binary
                  event: module_load
                  match:
                    name: {exact: [ftg_bin]}
                    binary: {exact: [/opt/ftg/bin/modloader]}
                  action: deny
                - name: module-unnamed
                  event: module_load
                  match: {binary: {exact: [/opt/ftg/bin/initloader]}}
                  action: deny
                - name: module-kill
                  event: module_load
                  match: {name: {exact: [ftg_kill]}}
                  action: kill
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-ptrace}
            spec:
              mode: MODE
              rules:
                - name: ptrace-target
                  event: ptrace
                  match: {target: {exact: [/opt/ftg/ptr/victim]}}
                  action: deny
                - name: ptrace-binary
                  event: ptrace
                  match: {binary: {exact: [/opt/ftg/ptr/tracer]}}
                  action: deny
                  errno: EACCES
                - name: ptrace-kill
                  event: ptrace
                  match: {target: {exact: [/opt/ftg/ptr/killme]}}
                  action: kill
                - name: ptrace-deny-kill
                  event: ptrace
                  match: {target: {prefix: [/opt/ftg/ptr/dk/]}}
                  action: deny+kill
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: pe-privilege}
            spec:
              mode: MODE
              rules:
                - name: priv-uid0
                  event: privilege
                  match:
                    binary: {exact: [/opt/ftg/priv/dance]}
                    gains: [uid0]
                  action: deny
                - name: priv-caps
                  event: privilege
                  match:
                    binary: {exact: [/opt/ftg/priv/capper]}
                    gains: [capabilities]
                  action: deny
                  errno: EACCES
                - name: priv-kill
                  event: privilege
                  match:
                    binary: {exact: [/opt/ftg/priv/killme]}
                    gains: [uid0]
                  action: kill
                - name: priv-deny-kill
                  event: privilege
                  match:
                    binary: {exact: [/opt/ftg/priv/dk]}
                    gains: [uid0, capabilities]
                  action: deny+kill
            """;

  /** Copies of the helper and data the scenarios act on. */
  static final String SETUP =
      """
            chmod 1777 /tmp
            chmod 1777 /var/tmp
            mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 shm /dev/shm
            ip link set lo up
            for a in fd00:0:0:1::5 fd00:0:0:2::5 fd00:0:0:7::1; do ip -6 addr add $a/128 dev lo nodad; done
            for f in exec/exact exec/exact2 exec/pfx/a exec/pfxno exec/glob/x-bad exec/glob/x-good \\
                     exec/glob/sub/x-bad exec/pchild exec/achild exec/uid-in exec/uid-notin exec/euid exec/argv \\
                     exec/eacces exec/kill exec/denykill exec/allowdir/yes exec/allowdir/no exec/auditdir/seen \\
                     exec/auditdir/denied ftg-tmp-d parent/launcher anc/root bin/opener bin/netc bin/modloader \\
                     bin/initloader ptr/victim ptr/other ptr/tracer ptr/killme ptr/dk/victim priv/dance priv/capper \\
                     priv/killme priv/dk; do
              mkdir -p /opt/ftg/$(dirname $f) && cp %1$s /opt/ftg/$f
            done
            cp %1$s /tmp/ftg-tmp-a && cp %1$s /var/tmp/ftg-tmp-b && cp %1$s /dev/shm/ftg-tmp-c
            mkdir -p /opt/ftg/mod
            cp %2$s /opt/ftg/mod/ftg_hello.ko
            for m in ftg_glob1 ftg_bin ftg_free ftg_kill; do cp /ftg_mods/$m.ko /opt/ftg/mod/$m.ko; done
            mkdir -p /ftgdata/pfx /ftgdata/glob/sub /ftgdata/w /ftgdata/c /ftgdata/t /ftgdata/b /ftgdata/ad
            for f in exact pfx/a pfxno glob/a.secret glob/a.public glob/sub/a.secret w/f c/existing b/f kill denykill \\
                     ad/yes ad/no audited; do
              echo data > /ftgdata/$f
            done
            chmod -R a+rX /opt/ftg
            """
          .formatted(T, FtguardGuest.HELLO_MODULE);

  /** After both phases: the policies shown, the reader stopped, the table cleared. */
  private static final String END =
      "$F policy show --json > /out/show.json 2> /out/show.err; echo $? > /out/show.rc\n"
          + Scenarios.STOP_READER
          + """
            $F policy clear > /out/clear.out 2>&1; echo $? > /out/clear.rc
            $T get-table > /out/table-after-clear.txt
            $F status --json > /out/status.json
            $F unload
            """;

  // ---- scenarios ---------------------------------------------------------------------------

  /** A decision event a scenario must produce (in enforce mode; monitor derives from it). */
  record Decision(
      String policy, String rule, String action, String binary, String object, List<String> argv) {}

  /** One scenario: a command, what the caller sees in each phase, the decisions it causes. */
  static final class Scenario {
    final String kind;
    final String name;
    final String command;
    String pre = "";
    String post = "";
    String enforced;
    String monitored;
    String binary;
    final List<Decision> decisions = new ArrayList<>();

    Scenario(String kind, String name, String command, String unblocked) {
      this.kind = kind;
      this.name = name;
      this.command = command;
      this.enforced = unblocked;
      this.monitored = unblocked;
      this.binary = command.split(" ")[0];
    }

    /** Enforced: fails with errno. */
    Scenario blocked(String errno) {
      enforced = "errno=" + errno;
      return this;
    }

    /** Enforced: the acting process dies of SIGKILL. */
    Scenario killed() {
      enforced = "killed";
      return this;
    }

    Scenario pre(String shell) {
      pre = shell;
      return this;
    }

    Scenario post(String shell) {
      post = shell;
      return this;
    }

    /**
     * A decision on this scenario. {@code object}: for exec the executed file, which the event
     * reports as its binary (exec events have no object); else the opened path, module name or
     * traced binary (null: not checked, or none for connect and privilege). {@code argv}: exec the
     * new program's arguments (default: the executed file and {@code ok}), other kinds the acting
     * process's (default: the command's words).
     */
    Scenario decision(String policy, String rule, String action, String object, String... argv) {
      List<String> args =
          argv.length > 0
              ? List.of(argv)
              : kind.equals("exec")
                  ? List.of(object, "ok")
                  : command.contains("$") ? null : List.of(command.split(" "));
      decisions.add(
          kind.equals("exec")
              ? new Decision(policy, rule, action, object, null, args)
              : new Decision(policy, rule, action, binary, object, args));
      return this;
    }

    @Override
    public String toString() {
      return name + " [" + command + "]";
    }
  }

  private static Scenario exec(String name, String command) {
    return new Scenario("exec", name, command, "ok");
  }

  private static Scenario open(String name, String command) {
    return new Scenario("open", name, command, "ok");
  }

  private static Scenario connect(String name, String command) {
    return new Scenario("connect", name, command, "errno=ECONNREFUSED");
  }

  private static Scenario module(String name, String command) {
    return new Scenario("module_load", name, command, "ok")
        .post(
            "for m in ftg_hello ftg_glob1 ftg_bin ftg_free ftg_kill; do rmmod $m 2>/dev/null; done");
  }

  private static Scenario ptrace(String name, String command) {
    return new Scenario("ptrace", name, command, "ok");
  }

  private static Scenario privilege(String name, String command) {
    return new Scenario("privilege", name, command, "ok");
  }

  private static final String MEMFD = "/memfd:ftg-memfd (deleted)";

  /** The scenario of that name. */
  static Scenario scenario(String name) {
    return SCENARIOS.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
  }

  static final List<Scenario> SCENARIOS =
      List.of(
          // exec: binary exact / prefix / glob
          exec("exec-exact", T + " exec /opt/ftg/exec/exact ok")
              .blocked("EPERM")
              .decision(
                  "pe-exec",
                  "exec-exact",
                  "deny",
                  "/opt/ftg/exec/exact",
                  "/opt/ftg/exec/exact",
                  "ok"),
          exec("exec-exact-other", T + " exec /opt/ftg/exec/exact2 ok"),
          exec("exec-prefix", T + " exec /opt/ftg/exec/pfx/a ok")
              .blocked("EPERM")
              .decision(
                  "pe-exec",
                  "exec-prefix",
                  "deny",
                  "/opt/ftg/exec/pfx/a",
                  "/opt/ftg/exec/pfx/a",
                  "ok"),
          exec("exec-prefix-sibling", T + " exec /opt/ftg/exec/pfxno ok"),
          exec("exec-glob", T + " exec /opt/ftg/exec/glob/x-bad ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-glob", "deny", "/opt/ftg/exec/glob/x-bad"),
          exec("exec-glob-subdir", T + " exec /opt/ftg/exec/glob/sub/x-bad ok"),
          exec("exec-glob-other", T + " exec /opt/ftg/exec/glob/x-good ok"),
          // parentBinary, ancestorBinary (the parent counts as an ancestor)
          exec("exec-parent", "/opt/ftg/parent/launcher spawn /opt/ftg/exec/pchild ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-parent", "deny", "/opt/ftg/exec/pchild"),
          exec("exec-parent-other", T + " spawn /opt/ftg/exec/pchild ok"),
          exec("exec-ancestor", "/opt/ftg/anc/root spawn " + T + " spawn /opt/ftg/exec/achild ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-ancestor", "deny", "/opt/ftg/exec/achild"),
          exec("exec-ancestor-parent", "/opt/ftg/anc/root spawn /opt/ftg/exec/achild ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-ancestor", "deny", "/opt/ftg/exec/achild"),
          exec("exec-ancestor-other", T + " spawn " + T + " spawn /opt/ftg/exec/achild ok"),
          // uid in (single value and range, both edges), notIn, euid
          exec("exec-uid-in", T + " as 1500 1500 /opt/ftg/exec/uid-in ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-uid-in", "deny", "/opt/ftg/exec/uid-in"),
          exec("exec-uid-in-single", T + " as 5 5 /opt/ftg/exec/uid-in ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-uid-in", "deny", "/opt/ftg/exec/uid-in"),
          exec("exec-uid-in-low-edge", T + " as 1000 1000 /opt/ftg/exec/uid-in ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-uid-in", "deny", "/opt/ftg/exec/uid-in"),
          exec("exec-uid-in-high-edge", T + " as 1999 1999 /opt/ftg/exec/uid-in ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-uid-in", "deny", "/opt/ftg/exec/uid-in"),
          exec("exec-uid-in-outside", T + " as 2000 2000 /opt/ftg/exec/uid-in ok"),
          exec("exec-uid-in-root", T + " exec /opt/ftg/exec/uid-in ok"),
          exec("exec-uid-notin", T + " as 1000 1000 /opt/ftg/exec/uid-notin ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-uid-notin", "deny", "/opt/ftg/exec/uid-notin"),
          exec("exec-uid-notin-root", T + " exec /opt/ftg/exec/uid-notin ok"),
          exec("exec-euid", T + " as 1000 0 /opt/ftg/exec/euid ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-euid", "deny", "/opt/ftg/exec/euid"),
          exec("exec-euid-other", T + " as 0 1000 /opt/ftg/exec/euid ok"),
          // argvContains: whole arguments
          exec("exec-argv", T + " exec /opt/ftg/exec/argv ok --ftg-secret")
              .blocked("EPERM")
              .decision(
                  "pe-exec",
                  "exec-argv",
                  "deny",
                  "/opt/ftg/exec/argv",
                  "/opt/ftg/exec/argv",
                  "ok",
                  "--ftg-secret"),
          exec("exec-argv-other", T + " exec /opt/ftg/exec/argv ok --ftg-secret=1"),
          // fileless: a memfd, a deleted file; an fexecve of a file that exists is not fileless
          exec("exec-memfd", T + " memfd-exec " + T + " ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-fileless", "deny", MEMFD, T, "ok"),
          exec("exec-deleted", T + " deleted-exec " + T + " ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-fileless", "deny", "/root/ftg-deleted (deleted)", T, "ok"),
          exec("exec-fd-file", T + " fd-exec /opt/ftg/exec/exact2 ok"),
          // fromTempDir: /tmp, /var/tmp, /dev/shm (world-writable, sticky); not /opt
          exec("exec-tmp", T + " exec /tmp/ftg-tmp-a ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-tempdir", "deny", "/tmp/ftg-tmp-a"),
          exec("exec-var-tmp", T + " exec /var/tmp/ftg-tmp-b ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-tempdir", "deny", "/var/tmp/ftg-tmp-b"),
          exec("exec-dev-shm", T + " exec /dev/shm/ftg-tmp-c ok")
              .blocked("EPERM")
              .decision("pe-exec", "exec-tempdir", "deny", "/dev/shm/ftg-tmp-c"),
          exec("exec-not-tmp", T + " exec /opt/ftg/ftg-tmp-d ok"),
          // actions: custom errno, kill, deny+kill, allow before deny, audit (alone and before
          // deny)
          exec("exec-eacces", T + " exec /opt/ftg/exec/eacces ok")
              .blocked("EACCES")
              .decision("pe-exec", "exec-eacces", "deny", "/opt/ftg/exec/eacces"),
          exec("exec-kill", T + " exec /opt/ftg/exec/kill ok")
              .killed()
              .decision("pe-exec", "exec-kill", "kill", "/opt/ftg/exec/kill"),
          exec("exec-deny-kill", T + " exec /opt/ftg/exec/denykill ok")
              .killed()
              .decision("pe-exec", "exec-deny-kill", "deny+kill", "/opt/ftg/exec/denykill"),
          exec("exec-allow", T + " exec /opt/ftg/exec/allowdir/yes ok"),
          exec("exec-allow-deny", T + " exec /opt/ftg/exec/allowdir/no ok")
              .blocked("EPERM")
              .decision("pe-exec-allow", "deny-rest", "deny", "/opt/ftg/exec/allowdir/no"),
          exec("exec-audit", T + " exec /opt/ftg/exec/auditdir/seen ok")
              .decision("pe-exec-audit", "audit-all", "audit", "/opt/ftg/exec/auditdir/seen"),
          exec("exec-audit-deny", T + " exec /opt/ftg/exec/auditdir/denied ok")
              .blocked("EPERM")
              .decision("pe-exec-audit", "audit-all", "audit", "/opt/ftg/exec/auditdir/denied")
              .decision("pe-exec-audit", "deny-one", "deny", "/opt/ftg/exec/auditdir/denied"),

          // open: path exact / prefix / glob, access read / write / create / truncate, binary
          open("open-exact-read", T + " open /ftgdata/exact r")
              .blocked("EPERM")
              .decision("pe-open", "open-exact-read", "deny", "/ftgdata/exact"),
          open("open-exact-write", T + " open /ftgdata/exact w"),
          open("open-exact-rw", T + " open /ftgdata/exact rw")
              .blocked("EPERM")
              .decision("pe-open", "open-exact-read", "deny", "/ftgdata/exact"),
          open("open-prefix", T + " open /ftgdata/pfx/a r")
              .blocked("EPERM")
              .decision("pe-open", "open-prefix", "deny", "/ftgdata/pfx/a"),
          open("open-prefix-sibling", T + " open /ftgdata/pfxno r"),
          open("open-glob", T + " open /ftgdata/glob/a.secret r")
              .blocked("EACCES")
              .decision("pe-open", "open-glob", "deny", "/ftgdata/glob/a.secret"),
          open("open-glob-other", T + " open /ftgdata/glob/a.public r"),
          open("open-glob-subdir", T + " open /ftgdata/glob/sub/a.secret r"),
          open("open-write", T + " open /ftgdata/w/f w")
              .blocked("EPERM")
              .decision("pe-open", "open-write", "deny", "/ftgdata/w/f"),
          open("open-write-rw", T + " open /ftgdata/w/f rw")
              .blocked("EPERM")
              .decision("pe-open", "open-write", "deny", "/ftgdata/w/f"),
          open("open-write-read", T + " open /ftgdata/w/f r"),
          open("open-create", T + " open /ftgdata/c/new w creat")
              .pre("rm -f /ftgdata/c/new")
              .blocked("EPERM")
              .decision("pe-open", "open-create", "deny", "/ftgdata/c/new"),
          open("open-create-existing", T + " open /ftgdata/c/existing w creat"),
          open("open-trunc", T + " open /ftgdata/t/f w trunc")
              .blocked("EPERM")
              // the shell's own "> /ftgdata/t/f" would be an O_TRUNC open the rule denies: rename
              .pre("echo keep > /ftgdata/keep.tmp && mv /ftgdata/keep.tmp /ftgdata/t/f")
              .post("cat /ftgdata/t/f > /out/$ph/open-trunc.content")
              .decision("pe-open", "open-trunc", "deny", "/ftgdata/t/f"),
          // an open that creates the file has nothing to truncate: O_TRUNC is no truncate there
          open("open-trunc-creating", T + " open /ftgdata/t/new w creat trunc")
              .pre("rm -f /ftgdata/t/new"),
          open("open-trunc-plain", T + " open /ftgdata/t/f w"),
          open("open-binary", "/opt/ftg/bin/opener open /ftgdata/b/f r")
              .blocked("EPERM")
              .decision("pe-open", "open-binary", "deny", "/ftgdata/b/f"),
          open("open-binary-other", T + " open /ftgdata/b/f r"),
          open("open-kill", T + " open /ftgdata/kill r")
              .killed()
              .decision("pe-open", "open-kill", "kill", "/ftgdata/kill"),
          open("open-deny-kill", T + " open /ftgdata/denykill r")
              .killed()
              .decision("pe-open", "open-deny-kill", "deny+kill", "/ftgdata/denykill"),
          open("open-allow", T + " open /ftgdata/ad/yes r"),
          open("open-allow-deny", T + " open /ftgdata/ad/no r")
              .blocked("EPERM")
              .decision("pe-open-allow", "deny-rest", "deny", "/ftgdata/ad/no"),
          open("open-audit", T + " open /ftgdata/audited r")
              .decision("pe-open-audit", "audit-one", "audit", "/ftgdata/audited"),

          // connect: IPv4 / IPv6 CIDR (and v4-mapped v6), port values / range / notIn, binary
          connect("connect-v4", T + " connect 127.0.1.5 9")
              .blocked("EPERM")
              .decision("pe-connect", "connect-v4", "deny", null),
          connect("connect-v4-outside", T + " connect 127.0.2.5 9"),
          connect("connect-v4-mapped", T + " connect ::ffff:127.0.1.5 9")
              .blocked("EPERM")
              .decision("pe-connect", "connect-v4", "deny", null),
          connect("connect-v6", T + " connect fd00:0:0:1::5 9")
              .blocked("EACCES")
              .decision("pe-connect", "connect-v6", "deny", null),
          connect("connect-v6-outside", T + " connect fd00:0:0:2::5 9"),
          connect("connect-port-value", T + " connect 127.0.3.1 7003")
              .blocked("EPERM")
              .decision("pe-connect", "connect-port-values", "deny", null),
          connect("connect-port-other", T + " connect 127.0.3.1 7002"),
          connect("connect-port-range", T + " connect 127.0.4.1 7150")
              .blocked("EPERM")
              .decision("pe-connect", "connect-port-range", "deny", null),
          connect("connect-port-range-edge", T + " connect 127.0.4.1 7199")
              .blocked("EPERM")
              .decision("pe-connect", "connect-port-range", "deny", null),
          connect("connect-port-range-outside", T + " connect 127.0.4.1 7200"),
          connect("connect-port-notin", T + " connect 127.0.5.1 7000")
              .blocked("EPERM")
              .decision("pe-connect", "connect-port-notin", "deny", null),
          connect("connect-port-notin-listed", T + " connect 127.0.5.1 8080"),
          connect("connect-binary", "/opt/ftg/bin/netc connect 127.0.6.1 9")
              .blocked("EPERM")
              .decision("pe-connect", "connect-binary", "deny", null),
          connect("connect-binary-other", T + " connect 127.0.6.1 9"),
          connect("connect-kill", T + " connect 127.0.7.1 9")
              .killed()
              .decision("pe-connect", "connect-kill", "kill", null),
          connect("connect-deny-kill", T + " connect fd00:0:0:7::1 9")
              .killed()
              .decision("pe-connect", "connect-deny-kill", "deny+kill", null),
          connect("connect-audit", T + " connect 127.0.8.1 9")
              .decision("pe-connect", "connect-audit", "audit", null),

          // module_load: name exact / glob (the module's own name: ftg_hello renamed), binary;
          // finit_module and init_module alike
          module("module-exact", T + " finit-module /opt/ftg/mod/ftg_hello.ko")
              .blocked("EPERM")
              .decision("pe-module", "module-exact", "deny", "ftg_hello"),
          module("module-glob", T + " finit-module /opt/ftg/mod/ftg_glob1.ko")
              .blocked("EACCES")
              .decision("pe-module", "module-glob", "deny", "ftg_glob1"),
          module("module-other", T + " finit-module /opt/ftg/mod/ftg_free.ko"),
          module("module-binary", "/opt/ftg/bin/modloader finit-module /opt/ftg/mod/ftg_bin.ko")
              .blocked("EPERM")
              .decision("pe-module", "module-binary", "deny", "ftg_bin"),
          module("module-binary-other", T + " finit-module /opt/ftg/mod/ftg_bin.ko"),
          module("module-unnamed", "/opt/ftg/bin/initloader init-module /opt/ftg/mod/ftg_free.ko")
              .blocked("EPERM")
              .decision("pe-module", "module-unnamed", "deny", "ftg_free"),
          module("module-init-exact", T + " init-module /opt/ftg/mod/ftg_hello.ko")
              .blocked("EPERM")
              .decision("pe-module", "module-exact", "deny", "ftg_hello"),
          module("module-kill", T + " finit-module /opt/ftg/mod/ftg_kill.ko")
              .killed()
              .decision("pe-module", "module-kill", "kill", "ftg_kill"),

          // ptrace: target, binary (the tracer)
          ptrace("ptrace-target", T + " ptrace-child /opt/ftg/ptr/victim sleep 30")
              .blocked("EPERM")
              .decision("pe-ptrace", "ptrace-target", "deny", "/opt/ftg/ptr/victim"),
          ptrace("ptrace-target-pid", T + " ptrace-attach $victim")
              .blocked("EPERM")
              .pre(
                  "/opt/ftg/ptr/victim sleep 30 > /dev/null & victim=$!; "
                      + "until [ \"$(readlink /proc/$victim/exe)\" = /opt/ftg/ptr/victim ]; do sleep 0.1; done")
              .post("kill $victim; wait $victim")
              .decision("pe-ptrace", "ptrace-target", "deny", "/opt/ftg/ptr/victim"),
          ptrace("ptrace-target-other", T + " ptrace-child /opt/ftg/ptr/other sleep 30"),
          ptrace("ptrace-binary", "/opt/ftg/ptr/tracer ptrace-child /opt/ftg/ptr/other sleep 30")
              .blocked("EACCES")
              .decision("pe-ptrace", "ptrace-binary", "deny", "/opt/ftg/ptr/other"),
          ptrace("ptrace-kill", T + " ptrace-child /opt/ftg/ptr/killme sleep 30")
              .killed()
              .decision("pe-ptrace", "ptrace-kill", "kill", "/opt/ftg/ptr/killme"),
          ptrace("ptrace-deny-kill", T + " ptrace-child /opt/ftg/ptr/dk/victim sleep 30")
              .killed()
              .decision("pe-ptrace", "ptrace-deny-kill", "deny+kill", "/opt/ftg/ptr/dk/victim"),

          // privilege: gains uid0 / capabilities, binary
          privilege("priv-uid0", "/opt/ftg/priv/dance setuid-dance")
              .blocked("EPERM")
              .decision("pe-privilege", "priv-uid0", "deny", null),
          privilege("priv-uid0-caps-only", "/opt/ftg/priv/dance capset-gain"),
          privilege("priv-uid0-other", T + " setuid-dance"),
          privilege("priv-caps", "/opt/ftg/priv/capper capset-gain")
              .blocked("EACCES")
              .decision("pe-privilege", "priv-caps", "deny", null),
          privilege("priv-caps-dance", "/opt/ftg/priv/capper setuid-dance")
              .blocked("EACCES")
              .decision("pe-privilege", "priv-caps", "deny", null),
          privilege("priv-caps-other", T + " capset-gain"),
          privilege("priv-kill", "/opt/ftg/priv/killme setuid-dance")
              .killed()
              .decision("pe-privilege", "priv-kill", "kill", null),
          privilege("priv-deny-kill", "/opt/ftg/priv/dk setuid-dance")
              .killed()
              .decision("pe-privilege", "priv-deny-kill", "deny+kill", null));

  /** The payload lines playing every scenario of phase $1. */
  private static String scenarioScript() {
    return scenarioScript(SCENARIOS);
  }

  /** The payload lines playing these scenarios in phase $1 (a shell function's body). */
  static String scenarioScript(List<Scenario> scenarios) {
    StringBuilder sb = new StringBuilder("  ph=$1\n");
    for (Scenario s : scenarios) {
      if (!s.pre.isEmpty()) {
        sb.append("  ").append(s.pre).append('\n');
      }
      sb.append("  sc $ph ").append(s.name).append(' ').append(s.command).append('\n');
      if (!s.post.isEmpty()) {
        sb.append("  ").append(s.post).append('\n');
      }
    }
    return sb.toString();
  }

  // ---- the run -----------------------------------------------------------------------------

  private Scenarios run;

  @BeforeAll
  void playEveryScenarioTwice() throws Exception {
    String scenarios = "  $T get-table > /out/$ph/table.txt\n" + scenarioScript();
    run =
        Scenarios.play(
            "policy-enforcement",
            Duration.ofMinutes(15),
            Scenarios.twoPhasePayload(
                SETUP, POLICIES.replace("MODE", "enforce"), "", scenarios, END));
  }

  @Test
  void policiesApplyAndTheStreamIsClean() throws Exception {
    run.assertApplied("enforce", "monitor");
    for (String ph : List.of("enforce", "monitor")) {
      assertThat(run.file(ph + "/table.txt"))
          .as("get-table after apply (%s)", ph)
          .startsWith("ok needed=");
    }
    run.assertReaderClean();
    assertThat(run.file("clear.rc").strip()).as(run.file("clear.out")).isEqualTo("0");
    assertThat(run.file("show.rc").strip()).as(run.file("show.err")).isEqualTo("0");
    String show = run.file("show.json");
    assertThat(show)
        .contains(
            "pe-exec",
            "pe-open",
            "pe-connect",
            "pe-module",
            "pe-ptrace",
            "pe-privilege",
            "monitor");
  }

  @Test
  void exec() {
    check("exec");
  }

  @Test
  void openTruncateDeniedLeavesTheFileIntact() {
    assertThat(run.file("enforce/open-trunc.content")).isEqualTo("keep\n");
    assertThat(run.file("monitor/open-trunc.content"))
        .as("monitor mode lets the truncation happen")
        .isEmpty();
  }

  @Test
  void open() {
    check("open");
  }

  @Test
  void connect() {
    check("connect");
  }

  @Test
  void moduleLoad() {
    check("module_load");
  }

  @Test
  void ptrace() {
    check("ptrace");
  }

  @Test
  void privilege() {
    check("privilege");
  }

  /** Every scenario of that kind, in both phases; all failures reported together. */
  private void check(String kind) {
    List<Scenario> scenarios = SCENARIOS.stream().filter(s -> s.kind.equals(kind)).toList();
    assertThat(scenarios).isNotEmpty();
    checkBothPhases(run, scenarios);
  }

  /** {@link #checkPhase} of every scenario in {@code enforce} and {@code monitor}, softly. */
  static void checkBothPhases(Scenarios run, List<Scenario> scenarios) {
    SoftAssertions soft = new SoftAssertions();
    for (Scenario s : scenarios) {
      for (String ph : List.of("enforce", "monitor")) {
        checkPhase(soft, run, s, ph);
      }
    }
    soft.assertAll();
  }

  /**
   * The scenario's outcome and decision events in one phase: {@code enforce} or {@code monitor}.
   */
  static void checkPhase(SoftAssertions soft, Scenarios run, Scenario s, String ph) {
    boolean monitor = ph.equals("monitor");
    Outcome outcome = run.outcome(ph, s.name);
    List<JsonNode> decisions = run.decisions(ph, s.name);
    String ctx = ph + " " + s + ": " + outcome + "; decisions:" + Scenarios.describe(decisions);

    String expected = monitor ? s.monitored : s.enforced;
    soft.assertThat(outcome.summary()).as("outcome of %s", ctx).isEqualTo(expected);
    if (expected.equals("ok")) {
      soft.assertThat(outcome.rc()).as("status of %s", ctx).isZero();
    } else if (expected.startsWith("errno=")) {
      soft.assertThat(outcome.rc()).as("status of %s", ctx).isEqualTo(1);
    }

    soft.assertThat(decisions).as("decision events of %s", ctx).hasSize(s.decisions.size());
    long pid = run.pid(ph, s.name);
    for (int i = 0; i < Math.min(decisions.size(), s.decisions.size()); i++) {
      JsonNode e = decisions.get(i);
      Decision d = s.decisions.get(i);
      String c = "decision " + i + " of " + ctx;
      boolean acts = !d.action().equals("audit") && !monitor;
      String label =
          d.action().equals("audit") ? "audit" : monitor ? "would " + d.action() : d.action();
      soft.assertThat(Scenarios.text(e, "policy")).as("policy, %s", c).isEqualTo(d.policy());
      soft.assertThat(Scenarios.text(e, "rule")).as("rule, %s", c).isEqualTo(d.rule());
      soft.assertThat(Scenarios.text(e, "event")).as("event, %s", c).isEqualTo(s.kind);
      soft.assertThat(Scenarios.text(e, "action")).as("action, %s", c).isEqualTo(d.action());
      soft.assertThat(Scenarios.text(e, "mode"))
          .as("mode, %s", c)
          .isEqualTo(monitor ? "monitor" : "enforce");
      soft.assertThat(e.path("would").asBoolean())
          .as("would, %s", c)
          .isEqualTo(monitor && !d.action().equals("audit"));
      soft.assertThat(Scenarios.text(e, "label")).as("label, %s", c).isEqualTo(label);
      boolean denies = acts && d.action().startsWith("deny");
      String errno = s.enforced.startsWith("errno=") ? s.enforced.substring(6) : "EPERM";
      if (denies) {
        soft.assertThat(Scenarios.text(e, "errno")).as("errno, %s", c).isEqualTo(errno);
        soft.assertThat(e.path("result").asInt()).as("result, %s", c).isNegative();
      } else {
        soft.assertThat(e.path("result").asInt()).as("result, %s", c).isZero();
      }
      soft.assertThat(Scenarios.text(e, "binary")).as("binary, %s", c).isEqualTo(d.binary());
      if (d.object() != null) {
        soft.assertThat(Scenarios.text(e, "object")).as("object, %s", c).isEqualTo(d.object());
      } else if (s.kind.equals("exec") || s.kind.equals("connect") || s.kind.equals("privilege")) {
        soft.assertThat(Scenarios.text(e, "object"))
            .as("no object for %s, %s", s.kind, c)
            .isNullOrEmpty();
      }
      if (d.argv() != null) {
        soft.assertThat(Scenarios.strings(e, "argv")).as("argv, %s", c).isEqualTo(d.argv());
      }
      soft.assertThat(run.tree(pid))
          .as("pid of %s is the scenario's process or a descendant", c)
          .contains(e.path("pid").asLong());
      soft.assertThat(e.path("ppid").asLong()).as("ppid, %s", c).isPositive();
      soft.assertThat(e.has("uid")).as("uid, %s", c).isTrue();
      soft.assertThat(e.has("euid")).as("euid, %s", c).isTrue();
    }
    checkKindFields(soft, run, s, ph, decisions);
  }

  /** Fields only some kinds have. */
  private static void checkKindFields(
      SoftAssertions soft, Scenarios run, Scenario s, String ph, List<JsonNode> decisions) {
    long pid = run.pid(ph, s.name);
    String ctx = ph + " " + s + Scenarios.describe(decisions);
    for (JsonNode e : decisions) {
      switch (s.kind) {
        case "exec" -> {
          // direct execs act in the scenario's own process; spawned ones in a child
          if (!s.command.contains(" spawn ")) {
            soft.assertThat(e.path("pid").asLong()).as("pid of %s", ctx).isEqualTo(pid);
            soft.assertThat(e.path("ppid").asLong())
                .as("ppid of %s", ctx)
                .isEqualTo(Long.parseLong(run.file("payload.pid").strip()));
          } else if (s.name.equals("exec-parent") || s.name.equals("exec-ancestor-parent")) {
            soft.assertThat(e.path("ppid").asLong()).as("ppid of %s", ctx).isEqualTo(pid);
          }
          if (s.command.contains(" as ")) {
            String[] w = s.command.split(" ");
            int at = Arrays.asList(w).indexOf("as");
            soft.assertThat(e.path("uid").asLong())
                .as("uid of %s", ctx)
                .isEqualTo(Long.parseLong(w[at + 1]));
            soft.assertThat(e.path("euid").asLong())
                .as("euid of %s", ctx)
                .isEqualTo(Long.parseLong(w[at + 2]));
          } else {
            soft.assertThat(e.path("uid").asLong()).as("uid of %s", ctx).isZero();
          }
        }
        case "open" -> {
          List<String> w = Arrays.asList(s.command.split(" "));
          List<String> access = new ArrayList<>();
          if (w.contains("r") || w.contains("rw")) {
            access.add("read");
          }
          if (w.contains("w") || w.contains("rw")) {
            access.add("write");
          }
          if (w.contains("creat") && !s.name.contains("existing")) {
            access.add("create");
          }
          if (w.contains("trunc")) {
            access.add("truncate");
          }
          soft.assertThat(Scenarios.strings(e, "access"))
              .as("access of %s", ctx)
              .containsExactlyInAnyOrderElementsOf(access);
        }
        case "connect" -> {
          String[] w = s.command.split(" ");
          String address = w[w.length - 2];
          boolean mapped = address.startsWith("::ffff:");
          soft.assertThat(e.path("port").asInt())
              .as("port of %s", ctx)
              .isEqualTo(Integer.parseInt(w[w.length - 1]));
          soft.assertThat(Scenarios.text(e, "address"))
              .as("address of %s (a v4-mapped destination is IPv4)", ctx)
              .isEqualTo(mapped ? address.substring(7) : address);
          soft.assertThat(Scenarios.text(e, "family"))
              .as("family of %s", ctx)
              .isEqualTo(mapped || !address.contains(":") ? "ipv4" : "ipv6");
        }
        case "ptrace" -> {
          long target = e.path("target_pid").asLong();
          soft.assertThat(target).as("target_pid of %s", ctx).isPositive();
          if (s.command.contains("ptrace-child")) {
            soft.assertThat(run.tree(pid))
                .as("target_pid of %s is the child it forked", ctx)
                .contains(target);
          }
        }
        case "privilege" -> {
          boolean dance = s.command.endsWith("setuid-dance");
          soft.assertThat(Scenarios.strings(e, "gains"))
              .as("gains of %s", ctx)
              .containsExactlyInAnyOrderElementsOf(
                  dance ? List.of("uid0", "capabilities") : List.of("capabilities"));
          soft.assertThat(e.path("new_uid").asLong()).as("new_uid of %s", ctx).isZero();
          soft.assertThat(e.path("new_euid").asLong()).as("new_euid of %s", ctx).isZero();
        }
        default -> {}
      }
    }
  }
}
