package dev.ftguard.it;

import dev.ftguard.it.PolicyEnforcementIT.Scenario;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code fromTempDir} on the file's location as a whole (docs/enforcement.md, "Temporary
 * directories"): a world-writable directory anywhere above the file, sticky or not, up to its
 * filesystem's root; a file on a tmpfs or ramfs other than the caller's root filesystem; and a
 * user-listed directory, written as a {@code binary} prefix rule. Every route is played with the
 * policy enforcing (errno and decision) and monitoring (runs, "would" decision); one guest boot.
 *
 * <p>The guest's root filesystem is a tmpfs (so it is not counted); {@code /tmp} is a tmpfs of its
 * own, {@code /var/tmp} a {@code 1777} directory of the root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TempDirIT {

  private static final String T = FtguardGuest.TEST_HELPER;

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: temp}
            spec:
              mode: MODE
              rules:
                - name: no-temp-exec
                  event: exec
                  match: {fromTempDir: true}
                  action: deny
                - name: listed-temp-dirs
                  event: exec
                  match: {binary: {prefix: [/srv/drop/]}}
                  action: deny
            """;

  private static final String SETUP =
      """
            chmod 1777 /var/tmp
            put() { mkdir -p "$(dirname "$1")" && cp %1$s "$1" && chmod 755 "$1"; }
            # nested under /tmp (its own tmpfs) and under /var/tmp (1777, on the root filesystem)
            put /tmp/a/b/c/tmp-prog
            chmod 755 /tmp/a /tmp/a/b /tmp/a/b/c
            put /var/tmp/a/b/c/vartmp-prog
            chmod 700 /var/tmp/a
            # a world-writable directory without the sticky bit, deep in a private tree
            put /srv/tree/x/ww/y/z/ww-prog
            chmod 755 /srv /srv/tree /srv/tree/x /srv/tree/x/ww/y /srv/tree/x/ww/y/z
            chmod 0777 /srv/tree/x/ww
            # a tmpfs mounted elsewhere, mode 0755
            mkdir -p /mnt/x && mount -t tmpfs -o mode=0755 scratch /mnt/x
            put /mnt/x/bin/mnt-prog
            # a ramfs
            mkdir -p /mnt/r && mount -t ramfs ramscratch /mnt/r && chmod 755 /mnt/r
            put /mnt/r/ram-prog
            # bind mounts of temporary subdirectories into /opt
            put /tmp/bsub/bind-prog
            mkdir -p /opt/bound && mount --bind /tmp/bsub /opt/bound
            put /var/tmp/vsub/vbind-prog
            chmod 755 /var/tmp/vsub
            mkdir -p /opt/vbound && mount --bind /var/tmp/vsub /opt/vbound
            # a user-listed directory (0755)
            put /srv/drop/drop-prog
            chmod 755 /srv/drop
            # negatives: a private 0755 tree on the root filesystem
            put /opt/priv/bin/priv-prog
            chmod -R go-w /opt/priv
            """
          .formatted(T);

  private static Scenario exec(String name, String file) {
    return new Scenario("exec", name, T + " exec " + file + " ok", "ok");
  }

  private static Scenario denied(String name, String file, String rule) {
    return exec(name, file).blocked("EPERM").decision("temp", rule, "deny", file);
  }

  static final List<Scenario> SCENARIOS =
      List.of(
          denied("nested-tmp", "/tmp/a/b/c/tmp-prog", "no-temp-exec"),
          denied("nested-var-tmp", "/var/tmp/a/b/c/vartmp-prog", "no-temp-exec"),
          denied("world-writable-deep", "/srv/tree/x/ww/y/z/ww-prog", "no-temp-exec"),
          denied("tmpfs-elsewhere", "/mnt/x/bin/mnt-prog", "no-temp-exec"),
          denied("ramfs", "/mnt/r/ram-prog", "no-temp-exec"),
          denied("bind-of-tmp", "/opt/bound/bind-prog", "no-temp-exec"),
          denied("bind-of-var-tmp", "/opt/vbound/vbind-prog", "no-temp-exec"),
          denied("user-listed", "/srv/drop/drop-prog", "listed-temp-dirs"),
          exec("system-binary", "/usr/bin/echo"),
          exec("private-tree", "/opt/priv/bin/priv-prog"));

  private Scenarios run;

  @BeforeAll
  void playEveryRouteTwice() throws Exception {
    run =
        Scenarios.play(
            "temp-dir",
            Duration.ofMinutes(8),
            Scenarios.twoPhasePayload(
                SETUP,
                POLICY.replace("MODE", "enforce"),
                PolicyEnforcementIT.scenarioScript(SCENARIOS)));
  }

  @Test
  void policiesApply() {
    run.assertApplied("enforce", "monitor");
    run.assertReaderClean();
  }

  @Test
  void everyRouteInBothModes() {
    PolicyEnforcementIT.checkBothPhases(run, SCENARIOS);
  }
}
