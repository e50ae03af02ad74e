package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Functions hooked by name from a policy, in the VM: typed arguments read from a system call's user
 * registers (s32, user string, u32), from a kernel function's own registers (a dentry as a path, a
 * u16), a sockaddr (family, address, port) and a cred (ids); a deny on a system call entry (safe to
 * fail) makes the call fail without running; a deny on a function outside the kernel's list is
 * refused when the table is written, and the table in force stays; a hook on a function that does
 * not exist does not attach and leaves the others working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeclaredHooksIT {

  private static final String HOOKS =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: hooks}
            spec:
              hooks:
                - syscall: mkdirat
                  args:
                    - {name: dfd, type: s32}
                    - {name: path, type: ustring, maxLength: 100}
                    - {name: mode, type: u32}
                - function: vfs_mkdir
                  args:
                    - {name: dentry, type: dentry, position: 2}
                    - {name: mode, type: u16, position: 3}
                - function: inet_bind
                  args:
                    - {name: addr, type: sockaddr, position: 1}
                    - {name: len, type: s32, position: 2}
                - function: commit_creds
                  args: [{name: new, type: cred}]
                - function: ftg_no_such_function
              rules:
                - {name: locked, event: call, syscall: mkdirat, match: {args: {path: {prefix: [/srv/locked/]}}}, action: deny, errno: EACCES}
                - {name: watched, event: call, syscall: mkdirat, match: {args: {path: {prefix: [/srv/watch/]}}}, action: audit}
                - {name: sticky, event: call, function: vfs_mkdir, match: {args: {mode: {mask: {any: 0o1000}}}}, action: audit}
                - {name: bind-4xxx, event: call, function: inet_bind, match: {args: {addr.port: {in: ["4000..4999"]}}}, action: audit}
                - {name: to-4242, event: call, function: commit_creds, match: {args: {new.euid: {in: [4242]}}}, action: audit}
                - {name: missing, event: call, function: ftg_no_such_function, action: audit}
            """;

  private static final String REFUSED =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: refused}
            spec:
              hooks:
                - function: vfs_mkdir
                  args: [{name: dentry, type: dentry, position: 2}]
              rules:
                - {name: no-mkdir, event: call, function: vfs_mkdir, action: deny}
            """;

  private static final String PAYLOAD =
      """
            set -u
            F=%1$s
            T=%2$s
            mkdir -p /srv/locked /srv/watch /pol
            cat > /pol/hooks.yaml <<'EOF'
            %3$s
            EOF
            cat > /pol/refused.yaml <<'EOF'
            %4$s
            EOF
            $F load --ko %5$s
            $F policy apply /pol/hooks.yaml > /out/apply.out 2> /out/apply.err; echo $? > /out/apply.rc
            $T mkdirat /srv/locked/a 755 > /out/locked.txt
            [ -e /srv/locked/a ] && echo exists > /out/locked-exists.txt
            $T mkdirat /srv/watch/b 755 > /out/watch.txt
            $T mkdirat /srv/c 1755 > /out/sticky.txt
            $T bind 127.0.0.1 4321 > /out/bind.txt
            $T as 4242 4242 $T ok > /out/as.txt
            $F policy apply /pol/refused.yaml > /out/refused.out 2> /out/refused.err; echo $? > /out/refused.rc
            $T mkdirat /srv/locked/d 755 > /out/locked2.txt
            $F policy show --json > /out/show.json
            $F events > /out/events.jsonl
            $F policy clear
            $T mkdirat /srv/locked/e 755 > /out/cleared.txt
            $F unload
            """;

  private GuestResult run;
  private List<JsonNode> calls;

  @BeforeAll
  void boot() throws Exception {
    run =
        FtguardGuest.runClean(
            FtguardGuest.withTestFiles(FtguardGuest.guest("declared-hooks", Duration.ofMinutes(6)))
                .payload(
                    PAYLOAD.formatted(
                        FtguardGuest.FTGUARD,
                        FtguardGuest.TEST_HELPER,
                        HOOKS.strip(),
                        REFUSED.strip(),
                        FtguardGuest.MODULE)));
    calls =
        FtguardGuest.readJsonLines(run, "events.jsonl").stream()
            .filter(l -> l.get("type").asString().equals("call"))
            .toList();
  }

  private String out(String name) throws Exception {
    return run.readOutFile(name).strip();
  }

  private List<JsonNode> calls(String rule) {
    return calls.stream().filter(c -> c.get("rule").asString().equals(rule)).toList();
  }

  @Test
  void aHookOnAMissingFunctionDoesNotAttachAndTheOthersWork() throws Exception {
    assertThat(out("apply.rc")).as(out("apply.err")).isEqualTo("12");
    assertThat(out("apply.out")).contains("hooked 4 of 5 functions");
    assertThat(out("apply.err"))
        .contains("ftg_no_such_function (ENOENT: no such function in this kernel");
    JsonNode show = FtguardGuest.readJson(run, "show.json");
    assertThat(show.toString())
        .contains("\"function\":\"__x64_sys_mkdirat\"")
        .contains("\"name\":\"path\"");
    assertThat(calls("missing")).isEmpty();
  }

  @Test
  void aSystemCallsArgumentsAreReadFromTheUserRegisters() throws Exception {
    assertThat(out("watch.txt")).isEqualTo("ok");
    assertThat(calls("watched"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.get("function").asString()).isEqualTo("__x64_sys_mkdirat");
              assertThat(c.get("action").asString()).isEqualTo("audit");
              assertThat(c.get("args").get("dfd").asInt()).isEqualTo(-100); // AT_FDCWD, signed
              assertThat(c.get("args").get("path").asString()).isEqualTo("/srv/watch/b");
              assertThat(c.get("args").get("mode").asInt()).isEqualTo(0755);
              assertThat(c.get("comm").asString()).isEqualTo("ftgtest");
              assertThat(c.get("unreadable")).isEmpty();
            });
  }

  @Test
  void aDenyOnASystemCallEntryFailsTheCallWithoutRunningIt() throws Exception {
    assertThat(out("locked.txt")).isEqualTo("errno=EACCES");
    assertThat(java.nio.file.Files.exists(run.outFile("locked-exists.txt")))
        .as("the directory was not created")
        .isFalse();
    assertThat(calls("locked"))
        .hasSize(2)
        .first()
        .satisfies(
            c -> {
              assertThat(c.get("action").asString()).isEqualTo("deny");
              assertThat(c.get("retval").asInt()).isEqualTo(-13);
              assertThat(c.get("errno").asString()).isEqualTo("EACCES");
              assertThat(c.get("args").get("path").asString()).isEqualTo("/srv/locked/a");
            });
    // the refused table left this one in force; clearing the table lets the call through
    assertThat(out("locked2.txt")).isEqualTo("errno=EACCES");
    assertThat(out("cleared.txt")).isEqualTo("ok");
  }

  @Test
  void kernelFunctionArgumentsDentrySockaddrAndCred() throws Exception {
    assertThat(out("sticky.txt")).isEqualTo("ok");
    assertThat(calls("sticky"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.get("function").asString()).isEqualTo("vfs_mkdir");
              assertThat(c.get("args").get("dentry").asString()).isEqualTo("/srv/c");
              assertThat(c.get("args").get("mode").asInt() & 01000).isEqualTo(01000);
            });
    assertThat(out("bind.txt")).isEqualTo("ok");
    assertThat(calls("bind-4xxx"))
        .singleElement()
        .satisfies(
            c -> {
              JsonNode a = c.get("args");
              assertThat(a.get("addr.family").asInt()).isEqualTo(2);
              assertThat(a.get("addr.address").asString()).isEqualTo("127.0.0.1");
              assertThat(a.get("addr.port").asInt()).isEqualTo(4321);
              assertThat(a.get("len").asInt()).isEqualTo(16);
            });
    assertThat(out("as.txt")).isEqualTo("ok");
    assertThat(calls("to-4242"))
        .isNotEmpty()
        .first()
        .satisfies(
            c -> {
              assertThat(c.get("args").get("new.uid").asLong()).isEqualTo(4242);
              assertThat(c.get("args").get("new.euid").asLong()).isEqualTo(4242);
            });
  }

  @Test
  void aDenyOnAFunctionThatIsNotSafeToFailIsRefusedWithTheRuleNamed() throws Exception {
    assertThat(out("refused.rc")).isEqualTo("10");
    assertThat(out("refused.err"))
        .contains("policy 'refused', rule 'no-mkdir': deny on vfs_mkdir is refused")
        .contains("previous table stays in force");
  }
}
