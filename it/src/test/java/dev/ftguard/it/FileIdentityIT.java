package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.Scenarios.Outcome;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Rules follow the file, not the name (docs/enforcement.md, "The same file under another name"): an
 * exact value of an exec rule's {@code binary} or an open rule's {@code path} names the file that
 * is there when the table is set, and keeps naming it under every other name. One guest boot, two
 * phases ({@code enforce}, then the same policy in {@code monitor}); in each the files are made
 * anew, the policy applied, and only then the other names made: a hard link, the file renamed,
 * moved, its directory renamed, a bind mount of the file and of its directory, a bind mount in a
 * new mount namespace, {@code /proc/self/root}, a chroot, the protected file replaced by rename
 * over it; for prefix values naming a directory, bind mounts of it and of a subdirectory and its
 * rename. The protected binary is a copy of the static helper {@code /ftgtest}, so it runs in a
 * chroot without libraries. Each route is checked for the caller's result and its one decision
 * event (rule, the name actually used, {@code by_identity}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FileIdentityIT {

  private static final String T = FtguardGuest.TEST_HELPER;

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: ident}
            spec:
              mode: enforce
              rules:
                - name: deny-bin
                  event: exec
                  match:
                    binary:
                      exact: [/opt/fi/bin/denied, /opt/fi/bin/ren, /opt/fi/bin/mvd, /opt/fi/dir/inner, /mnt/fivol/x]
                  action: deny
                - name: read-secret
                  event: open
                  match:
                    path: {exact: [/opt/fi/etc/secret, /opt/fi/etc/victim, /opt/fi/etc/later]}
                    access: [read]
                  action: deny
                - name: deny-tree
                  event: exec
                  match: {binary: {prefix: [/opt/fi/tree/, /opt/fi/tree-mv/]}}
                  action: deny
                - name: read-vault
                  event: open
                  match: {path: {prefix: [/opt/fi/vault/]}}
                  action: deny
            """;

  /** Run per phase, with the phase's table in force: the other names of the protected files. */
  private static final String OTHER_NAMES =
      """
              ln /opt/fi/bin/denied /opt/fi/other/hard
              mv /opt/fi/bin/ren /opt/fi/bin/ren2
              mv /opt/fi/bin/mvd /opt/fi/other/mvd
              mv /opt/fi/dir /opt/fi/dir2
              touch /opt/fi/other/bind-file && mount --bind /opt/fi/bin/denied /opt/fi/other/bind-file
              mount --bind /opt/fi/bin /mnt/fibin
              cp /opt/fi/bin/denied /opt/fi/other/copy
              ln /opt/fi/etc/secret /opt/fi/other/secret-link
              mount --bind /opt/fi/etc /mnt/fietc
              ln /opt/fi/etc/victim /opt/fi/other/old-victim
              echo new > /opt/fi/other/new-victim && mv /opt/fi/other/new-victim /opt/fi/etc/victim
              echo later > /opt/fi/etc/later && ln /opt/fi/etc/later /opt/fi/other/later-link
              mount --bind /opt/fi/tree /mnt/fitree
              mount --bind /opt/fi/tree/sub /mnt/fisub
              mv /opt/fi/tree-mv /opt/fi/moved-tree
              ln /opt/fi/tree/sub/prog /opt/fi/other/tree-link
              mount --bind /opt/fi/vault /mnt/fivault
            """;

  /** Run per phase before its policy is applied: the protected files, made anew. */
  private static final String FILES =
      """
              $F policy clear > /dev/null
              rm -rf /opt/fi
              mkdir -p /opt/fi/bin /opt/fi/dir /opt/fi/other /opt/fi/etc /opt/fi/tree/sub /opt/fi/tree-mv /opt/fi/vault
              cp $T /opt/fi/tree/sub/prog && cp $T /opt/fi/tree-mv/prog && echo doc > /opt/fi/vault/doc
              cp $T /opt/fi/bin/denied && cp $T /opt/fi/bin/ren && cp $T /opt/fi/bin/mvd
              cp $T /opt/fi/dir/inner && cp $T /opt/fi/t
              echo secret > /opt/fi/etc/secret
              echo old > /opt/fi/etc/victim
              mount -t tmpfs vol /mnt/fivol && cp $T /mnt/fivol/x
            """;

  /** The routes of phase {@code $ph}, after {@link #OTHER_NAMES}. */
  private static final String ROUTES =
      """
              sc $ph direct $T exec /opt/fi/bin/denied ok
              sc $ph hardlink $T exec /opt/fi/other/hard ok
              sc $ph renamed $T exec /opt/fi/bin/ren2 ok
              sc $ph moved $T exec /opt/fi/other/mvd ok
              sc $ph dir-renamed $T exec /opt/fi/dir2/inner ok
              sc $ph bind-file $T exec /opt/fi/other/bind-file ok
              sc $ph bind-dir $T exec /mnt/fibin/denied ok
              sc $ph mount-ns unshare -m --propagation private sh -c "mount --bind /opt/fi/bin /mnt/fins && exec $T exec /mnt/fins/denied ok"
              sc $ph proc-root $T exec /proc/self/root/opt/fi/bin/denied ok
              sc $ph chroot chroot /opt/fi /t exec /bin/denied ok
              sc $ph copy $T exec /opt/fi/other/copy ok
              sc $ph open-direct $T open /opt/fi/etc/secret r
              sc $ph open-hardlink $T open /opt/fi/other/secret-link r
              sc $ph open-bind $T open /mnt/fietc/secret r
              sc $ph replaced-old $T open /opt/fi/other/old-victim r
              sc $ph replaced-new $T open /opt/fi/etc/victim r
              sc $ph created-later $T open /opt/fi/etc/later r
              sc $ph created-later-link $T open /opt/fi/other/later-link r
              sc $ph tree-direct $T exec /opt/fi/tree/sub/prog ok
              sc $ph tree-bind-dir $T exec /mnt/fitree/sub/prog ok
              sc $ph tree-bind-subdir $T exec /mnt/fisub/prog ok
              sc $ph tree-renamed $T exec /opt/fi/moved-tree/prog ok
              sc $ph tree-hardlink-out $T exec /opt/fi/other/tree-link ok
              sc $ph vault-bind $T open /mnt/fivault/doc r
              sc $ph umount umount /mnt/fivol
              umount /opt/fi/other/bind-file /mnt/fibin /mnt/fietc /mnt/fitree /mnt/fisub /mnt/fivault
            """;

  /** A route the rule catches: the decision names this rule and the name the caller used. */
  record Caught(String name, String event, String rule, String used, boolean byIdentity) {}

  private static final List<Caught> CAUGHT =
      List.of(
          new Caught("direct", "exec", "deny-bin", "/opt/fi/bin/denied", false),
          new Caught("hardlink", "exec", "deny-bin", "/opt/fi/other/hard", true),
          new Caught("renamed", "exec", "deny-bin", "/opt/fi/bin/ren2", true),
          new Caught("moved", "exec", "deny-bin", "/opt/fi/other/mvd", true),
          new Caught("dir-renamed", "exec", "deny-bin", "/opt/fi/dir2/inner", true),
          new Caught("bind-file", "exec", "deny-bin", "/opt/fi/other/bind-file", true),
          new Caught("bind-dir", "exec", "deny-bin", "/mnt/fibin/denied", true),
          new Caught("mount-ns", "exec", "deny-bin", "/mnt/fins/denied", true),
          // d_path resolves /proc/self/root: the name matches
          new Caught("proc-root", "exec", "deny-bin", "/opt/fi/bin/denied", false),
          // d_path is relative to the chroot
          new Caught("chroot", "exec", "deny-bin", "/bin/denied", true),
          new Caught("open-direct", "open", "read-secret", "/opt/fi/etc/secret", false),
          new Caught("open-hardlink", "open", "read-secret", "/opt/fi/other/secret-link", true),
          new Caught("open-bind", "open", "read-secret", "/mnt/fietc/secret", true),
          new Caught("replaced-old", "open", "read-secret", "/opt/fi/other/old-victim", true),
          new Caught("replaced-new", "open", "read-secret", "/opt/fi/etc/victim", false),
          new Caught("created-later", "open", "read-secret", "/opt/fi/etc/later", false),
          // a prefix naming a directory: every file below it, through any mount of it
          new Caught("tree-direct", "exec", "deny-tree", "/opt/fi/tree/sub/prog", false),
          new Caught("tree-bind-dir", "exec", "deny-tree", "/mnt/fitree/sub/prog", true),
          new Caught("tree-bind-subdir", "exec", "deny-tree", "/mnt/fisub/prog", true),
          new Caught("tree-renamed", "exec", "deny-tree", "/opt/fi/moved-tree/prog", true),
          new Caught("vault-bind", "open", "read-vault", "/mnt/fivault/doc", true));

  private static final List<String> PHASES = List.of("enforce", "monitor");

  private Scenarios run;

  @BeforeAll
  void tryEveryOtherName() throws Exception {
    String setup =
        "mkdir -p /mnt/fibin /mnt/fietc /mnt/fins /mnt/fivol /mnt/fitree /mnt/fisub /mnt/fivault";
    run =
        Scenarios.play(
            "file-identity",
            Duration.ofMinutes(8),
            Scenarios.twoPhasePayload(setup, POLICY, FILES, OTHER_NAMES + ROUTES, Scenarios.END));
  }

  @Test
  void thePolicyAppliesInBothPhasesAndTheStreamIsClean() {
    run.assertApplied(PHASES.toArray(String[]::new));
    run.assertReaderClean();
  }

  @Test
  void everyOtherNameOfTheFileIsCaught() {
    SoftAssertions soft = new SoftAssertions();
    for (String ph : PHASES) {
      for (Caught c : CAUGHT) {
        checkCaught(soft, ph, c);
      }
    }
    soft.assertAll();
  }

  @Test
  void aCopyIsAnotherFile() {
    for (String ph : PHASES) {
      assertPasses(ph, "copy");
    }
  }

  @Test
  void aValueNamingNoFileWhenTheTableWasSetMatchesByNameOnly() {
    for (String ph : PHASES) {
      assertPasses(ph, "created-later-link");
    }
  }

  @Test
  void aHardLinkOutOfAProtectedDirectoryIsNotBelowIt() {
    for (String ph : PHASES) {
      assertPasses(ph, "tree-hardlink-out");
    }
  }

  @Test
  void theTableKeepsNoReferenceOnTheFilesItNames() {
    for (String ph : PHASES) {
      Outcome o = run.outcome(ph, "umount");
      assertThat(o.rc()).as("%s: umount of a file system holding a named file: %s", ph, o).isZero();
      assertThat(run.decisions(ph, "umount")).isEmpty();
    }
  }

  private void checkCaught(SoftAssertions soft, String ph, Caught c) {
    boolean monitor = ph.equals("monitor");
    Outcome o = run.outcome(ph, c.name());
    List<JsonNode> d = run.decisions(ph, c.name());
    String ctx = ph + "/" + c + ": " + o + "; decisions:" + Scenarios.describe(d);
    soft.assertThat(o.summary()).as("outcome of %s", ctx).isEqualTo(monitor ? "ok" : "errno=EPERM");
    soft.assertThat(o.rc()).as("status of %s", ctx).isEqualTo(monitor ? 0 : 1);
    soft.assertThat(d).as("decisions of %s", ctx).hasSize(1);
    if (d.size() != 1) {
      return;
    }
    JsonNode e = d.getFirst();
    soft.assertThat(Scenarios.text(e, "policy")).as(ctx).isEqualTo("ident");
    soft.assertThat(Scenarios.text(e, "rule")).as(ctx).isEqualTo(c.rule());
    soft.assertThat(Scenarios.text(e, "event")).as(ctx).isEqualTo(c.event());
    soft.assertThat(Scenarios.text(e, "mode")).as(ctx).isEqualTo(ph);
    soft.assertThat(Scenarios.text(e, "label")).as(ctx).isEqualTo(monitor ? "would deny" : "deny");
    soft.assertThat(Scenarios.text(e, "errno")).as(ctx).isEqualTo(monitor ? null : "EPERM");
    soft.assertThat(Scenarios.text(e, c.event().equals("exec") ? "binary" : "object"))
        .as("the name used, in %s", ctx)
        .isEqualTo(c.used());
    soft.assertThat(e.has("by_identity")).as("by_identity in %s", ctx).isEqualTo(c.byIdentity());
    if (c.byIdentity()) {
      soft.assertThat(e.get("by_identity").asBoolean()).as(ctx).isTrue();
    }
  }

  private void assertPasses(String ph, String name) {
    Outcome o = run.outcome(ph, name);
    assertThat(o.summary()).as("%s/%s: %s", ph, name, o).isEqualTo("ok");
    assertThat(o.rc()).as("%s/%s: %s", ph, name, o).isZero();
    assertThat(run.decisions(ph, name)).as("%s/%s", ph, name).isEmpty();
  }
}
