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
 * An open is decided without building its path when no open rule's value can name the file (the
 * name filter, kmod/name_filter.c; docs/performance.md, "The price of an open decision"): judged
 * here by what must still be caught. The rules ask for reads; every protected file is written only
 * after the policy is applied, so no identity is recorded and each catch below went through the
 * filter by name alone: exact values at depths 1 to 10 and past the filter's deepest key, reached
 * directly, by a relative name, through a symbolic link and {@code /proc/self/cwd}, renamed onto a
 * protected name; prefix values holding whole components (a directory renamed under one) and ending
 * mid-component; a glob; a chroot, whose root starts the paths; a file on another mount (the filter
 * steps aside there). Near misses (the same name at another depth, a prefix's sibling) pass without
 * a decision. One guest boot, enforce then monitor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NameFilterIT {

  /** 66 directories below /nf: past FTG_NAME_DEPTH_MAX (63), the filter's deepest key. */
  private static final String DEEP_DIR = "/nf" + "/d".repeat(66);

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: names}
            spec:
              mode: enforce
              rules:
                - name: exact
                  event: open
                  match:
                    path:
                      exact: [/top, /nf/later, /nf/renamed-in, /nf/1/2/3/4/5/6/7/8/x, %s/x, /secret, /nf/mnt/file]
                    access: [read]
                  action: deny
                - name: tree
                  event: open
                  match: {path: {prefix: [/nf/mv/, /nf/dir/, /nf/pa]}, access: [read]}
                  action: deny
                - name: glob
                  event: open
                  match: {path: {glob: ["/nf/g*/secret"]}, access: [read]}
                  action: deny
            """
          .formatted(DEEP_DIR);

  /** Per phase, before the policy is applied: nothing a value names exists yet. */
  private static final String FILES =
      """
              $F policy clear > /dev/null
              umount /nf/mnt 2>/dev/null; rm -rf /nf /top
              mkdir -p /nf/other /nf/x /nf/root /nf/mnt /nf/1/2/3/4/5/6/7/8
              echo f > /nf/other/f
              cp $T /nf/root/t && echo s > /nf/root/secret
              echo a > /nf/x/later && echo y > /nf/1/2/3/4/5/6/7/8/y
            """;

  /** The routes of phase {@code $ph}: the protected names are made now, under the table. */
  private static final String ROUTES =
      """
              echo t > /top && echo l > /nf/later && echo x > /nf/1/2/3/4/5/6/7/8/x
              mkdir -p %1$s && echo x > %1$s/x
              echo r > /nf/tmp && mv /nf/tmp /nf/renamed-in
              ln -s /nf/later /nf/link
              mv /nf/other /nf/mv
              mkdir -p /nf/dir/sub /nf/part /nf/gx && echo y > /nf/dir/sub/y && echo p > /nf/part/x
              echo p > /nf/pa && echo p > /nf/p && echo p > /nf/dirx && echo g > /nf/gx/secret
              echo g > /nf/gx/other
              mount -t tmpfs nfmnt /nf/mnt && echo m > /nf/mnt/file
              sc $ph depth-1 $T open /top r
              sc $ph depth-2 $T open /nf/later r
              sc $ph depth-10 $T open /nf/1/2/3/4/5/6/7/8/x r
              sc $ph too-deep $T open %1$s/x r
              sc $ph relative sh -c "cd /nf/1/2/3 && exec $T open 4/5/6/7/8/x r"
              sc $ph symlink $T open /nf/link r
              sc $ph proc-cwd sh -c "cd /nf && exec $T open /proc/self/cwd/later r"
              sc $ph renamed-in $T open /nf/renamed-in r
              sc $ph dir-renamed-in $T open /nf/mv/f r
              sc $ph prefix-deeper $T open /nf/dir/sub/y r
              sc $ph prefix-mid-name $T open /nf/part/x r
              sc $ph prefix-itself $T open /nf/pa r
              sc $ph glob $T open /nf/gx/secret r
              sc $ph chroot chroot /nf/root /t open /secret r
              sc $ph other-mount $T open /nf/mnt/file r
              sc $ph other-depth $T open /nf/x/later r
              sc $ph sibling-file $T open /nf/1/2/3/4/5/6/7/8/y r
              sc $ph prefix-sibling $T open /nf/dirx r
              sc $ph prefix-shorter $T open /nf/p r
              sc $ph glob-other $T open /nf/gx/other r
              sc $ph outside-chroot $T open /nf/root/secret r
              umount /nf/mnt
            """
          .formatted(DEEP_DIR);

  /** A route the rule catches by name: the decision names the rule and this path. */
  record Caught(String name, String rule, String object) {}

  private static final List<Caught> CAUGHT =
      List.of(
          new Caught("depth-1", "exact", "/top"),
          new Caught("depth-2", "exact", "/nf/later"),
          new Caught("depth-10", "exact", "/nf/1/2/3/4/5/6/7/8/x"),
          new Caught("too-deep", "exact", DEEP_DIR + "/x"),
          new Caught("relative", "exact", "/nf/1/2/3/4/5/6/7/8/x"),
          new Caught("symlink", "exact", "/nf/later"),
          new Caught("proc-cwd", "exact", "/nf/later"),
          new Caught("renamed-in", "exact", "/nf/renamed-in"),
          new Caught("dir-renamed-in", "tree", "/nf/mv/f"),
          new Caught("prefix-deeper", "tree", "/nf/dir/sub/y"),
          new Caught("prefix-mid-name", "tree", "/nf/part/x"),
          new Caught("prefix-itself", "tree", "/nf/pa"),
          new Caught("glob", "glob", "/nf/gx/secret"),
          // the path d_path gives in a chroot starts at its root
          new Caught("chroot", "exact", "/secret"),
          new Caught("other-mount", "exact", "/nf/mnt/file"));

  /** Near misses: no rule names them, by any name. */
  private static final List<String> PASSING =
      List.of(
          "other-depth",
          "sibling-file",
          "prefix-sibling",
          "prefix-shorter",
          "glob-other",
          "outside-chroot");

  private static final List<String> PHASES = List.of("enforce", "monitor");

  private Scenarios run;

  @BeforeAll
  void openEveryName() throws Exception {
    run =
        Scenarios.play(
            "name-filter",
            Duration.ofMinutes(6),
            Scenarios.twoPhasePayload("", POLICY, FILES, ROUTES, Scenarios.END));
  }

  @Test
  void thePolicyAppliesInBothPhasesAndTheStreamIsClean() {
    run.assertApplied(PHASES.toArray(String[]::new));
    run.assertReaderClean();
  }

  @Test
  void everyNameARuleHoldsIsCaught() {
    SoftAssertions soft = new SoftAssertions();
    for (String ph : PHASES) {
      boolean monitor = ph.equals("monitor");
      for (Caught c : CAUGHT) {
        Outcome o = run.outcome(ph, c.name());
        List<JsonNode> d = run.decisions(ph, c.name());
        String ctx = ph + "/" + c + ": " + o + "; decisions:" + Scenarios.describe(d);
        soft.assertThat(o.summary()).as(ctx).isEqualTo(monitor ? "ok" : "errno=EPERM");
        soft.assertThat(d).as("decisions of %s", ctx).hasSize(1);
        if (d.size() == 1) {
          JsonNode e = d.getFirst();
          soft.assertThat(Scenarios.text(e, "rule")).as(ctx).isEqualTo(c.rule());
          soft.assertThat(Scenarios.text(e, "object")).as(ctx).isEqualTo(c.object());
          soft.assertThat(Scenarios.text(e, "label"))
              .as(ctx)
              .isEqualTo(monitor ? "would deny" : "deny");
          soft.assertThat(e.has("by_identity")).as("matched by name: %s", ctx).isFalse();
        }
      }
    }
    soft.assertAll();
  }

  @Test
  void nearMissesPassWithoutADecision() {
    for (String ph : PHASES) {
      for (String name : PASSING) {
        Outcome o = run.outcome(ph, name);
        assertThat(o.summary()).as("%s/%s: %s", ph, name, o).isEqualTo("ok");
        assertThat(run.decisions(ph, name)).as("%s/%s", ph, name).isEmpty();
      }
    }
  }
}
