package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.Scenarios.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * A file an {@code open} rule protects against {@code write} is protected against every change, not
 * only against opening it for writing (docs/enforcement.md, "Changing a file without opening it for
 * writing"). Each route runs on its own directory {@code /ftgmod/PHASE/ROUTE} holding {@code prot}
 * (and, where the route needs them, {@code other}, a directory {@code sub}, a hard link made before
 * the rules). Phase {@code enforce} applies the policy, phase {@code monitor} the same policy with
 * {@code mode: monitor}; one guest boot. Per route the test checks what the caller saw, the
 * directory before and after (names, modes, owners, sizes, times, link counts, contents, the {@code
 * trusted.ftg} attribute) and the single decision event: rule, path, access names, errno or
 * "would".
 *
 * <p>Descriptors opened before any rule (the payload's {@code exec N<>FILE}) stand for a process
 * that opened the file earlier: {@code ftruncate} on one is still decided (at {@code
 * security_inode_setattr}), a reopen through {@code /proc/self/fd} is an open like any other, but
 * {@code write} and a shared mapping are not (the decision was the open's).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModifyProtectedIT {

  private static final String T = FtguardGuest.TEST_HELPER;

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: modify}
            spec:
              mode: MODE
              rules:
                - name: protect
                  event: open
                  match:
                    path: {glob: ["/ftgmod/*/*/prot", "/ftgmod/*/*/sub/prot"]}
                    access: [write]
                  action: deny
                - name: no-unlink
                  event: open
                  match:
                    path: {glob: ["/ftgmod/*/narrow/f"]}
                    access: [unlink]
                  action: deny
                - name: guard-dir
                  event: open
                  match:
                    path: {glob: ["/ftgmod/*/dir-guarded/sub"]}
                    access: [rename]
                  action: deny
            """;

  /** Routes that change {@code prot}, with the access name the decision carries besides write. */
  private static final List<Route> CAUGHT =
      List.of(
          new Route("truncate", "truncate", "$T change truncate $D/prot 0"),
          new Route("ftruncate-early-fd", "truncate", "$T change ftruncate $FT 0"),
          new Route("open-trunc", "truncate", "$T open $D/prot w trunc"),
          new Route("proc-fd", null, "$T open /proc/self/fd/$PF w"),
          new Route("rename-over", "rename", "$T change rename $D/other $D/prot"),
          new Route("rename-away", "rename", "$T change rename $D/prot $D/moved"),
          new Route("exchange", "rename", "$T change exchange $D/other $D/prot"),
          new Route("unlink", "unlink", "$T change unlink $D/prot"),
          new Route("link", "link", "$T change link $D/prot $D/second"),
          new Route("chmod", "attr", "$T change chmod $D/prot 777"),
          new Route("chown", "attr", "$T change chown $D/prot 1000 1000"),
          new Route("utimens", "attr", "$T change utimens $D/prot 1000"),
          new Route("setxattr", "attr", "$T change setxattr $D/prot trusted.ftg changed"),
          new Route("removexattr", "attr", "$T change removexattr $D/prot trusted.ftg"));

  /** Routes a rule on the file's path does not see (the last decision was the open's). */
  private static final List<Route> NOT_CAUGHT =
      List.of(
          new Route("write-early-fd", null, "$T change write-fd $EW changed"),
          new Route("mmap-early-fd", null, "$T change mmap-fd $EM changed"),
          new Route("early-link", null, "$T open $D/alias w trunc"),
          new Route("parent-rename", null, "$T change rename $D/sub $D/sub2"));

  /**
   * One route: its name (and directory), the access name besides {@code write} in its decision
   * ({@code null}: write alone), and its command ({@code $T} the helper, {@code $D} its directory,
   * {@code $FT}, {@code $PF}, {@code $EW}, {@code $EM} descriptors opened before the rules).
   */
  record Route(String name, String access, String command) {}

  private static final String SETUP =
      """
            snap() {
              (cd "$1" && ls -lnR --time-style=+%s . && find . -type f | sort | while read -r f; do
                echo "== $f"; cat "$f"; $T getxattr "$f" trusted.ftg
              done) 2>&1
            }
            for ph in enforce monitor; do
              for r in ROUTES; do
                d=/ftgmod/$ph/$r
                mkdir -p $d/sub
                echo keep > $d/prot
                echo other > $d/other
                echo keep > $d/sub/prot
                $T change setxattr $d/prot trusted.ftg keep > /dev/null
              done
              ln /ftgmod/$ph/early-link/prot /ftgmod/$ph/early-link/alias
              mkdir -p /ftgmod/$ph/dir-guarded/sub /ftgmod/$ph/narrow
              echo keep > /ftgmod/$ph/narrow/f
            done
            # descriptors opened before the phase's rules (3..6)
            early_fds() {
              exec 3<>/ftgmod/$1/ftruncate-early-fd/prot 4<>/ftgmod/$1/proc-fd/prot
              exec 5<>/ftgmod/$1/write-early-fd/prot 6<>/ftgmod/$1/mmap-early-fd/prot
            }
            FT=3 PF=4 EW=5 EM=6
            export T FT PF EW EM
            # one route: its directory $D snapped before and after its command
            route() {
              ph=$1; r=$2; shift 2
              D=/ftgmod/$ph/$r
              export D
              mkdir -p /out/$ph
              snap $D > /out/$ph/$r.before
              sc $ph $r sh -c "$*"
              snap $D > /out/$ph/$r.after
            }
            """;

  /** Run per phase before its policy is applied: the descriptors opened before the rules. */
  private static final String BEFORE_APPLY =
      """
              $F policy clear > /dev/null
              early_fds $ph
            """;

  /** The routes of phase {@code $ph} after the {@code route} calls. */
  private static final String MORE_ROUTES =
      """
              D=/ftgmod/$ph/narrow
              sc $ph narrow-chmod $T change chmod $D/f 600
              sc $ph narrow-unlink $T change unlink $D/f
              D=/ftgmod/$ph/dir-guarded
              sc $ph dir-guarded $T change rename $D/sub $D/sub2
            """;

  private Scenarios run;

  @BeforeAll
  void tryEveryRoute() throws Exception {
    StringBuilder routes = new StringBuilder();
    StringBuilder calls = new StringBuilder();
    for (Route r : concat()) {
      routes.append(routes.isEmpty() ? "" : " ").append(r.name());
      calls.append("  route $ph ").append(r.name()).append(" '").append(r.command()).append("'\n");
    }
    run =
        Scenarios.play(
            "modify-protected",
            Duration.ofMinutes(8),
            Scenarios.twoPhasePayload(
                SETUP.replace("ROUTES", routes.toString()),
                POLICY.replace("MODE", "enforce"),
                BEFORE_APPLY,
                calls + MORE_ROUTES,
                Scenarios.END));
    run.assertApplied("enforce", "monitor");
  }

  private static List<Route> concat() {
    return java.util.stream.Stream.concat(CAUGHT.stream(), NOT_CAUGHT.stream()).toList();
  }

  // ---- caught: enforce fails the change and leaves the file, monitor lets it happen ----

  @Test
  void everyChangeOfTheProtectedFileIsDenied() {
    for (Route r : CAUGHT) {
      Outcome o = run.outcome("enforce", r.name());
      assertThat(o.summary()).as("enforce/%s: %s", r.name(), o).isEqualTo("errno=EPERM");
      assertThat(after("enforce", r.name()))
          .as("enforce/%s leaves the directory as it was", r.name())
          .isEqualTo(before("enforce", r.name()));
      assertDecision("enforce", r.name(), "protect", file(r, "enforce"), r.access());
    }
  }

  @Test
  void monitorModeLetsEveryChangeHappenAndSaysSo() {
    for (Route r : CAUGHT) {
      Outcome o = run.outcome("monitor", r.name());
      assertThat(o.summary()).as("monitor/%s: %s", r.name(), o).isEqualTo("ok");
      if (!r.name().equals("proc-fd")) {
        assertThat(after("monitor", r.name()))
            .as("monitor/%s changed the directory", r.name())
            .isNotEqualTo(before("monitor", r.name()));
      }
      assertDecision("monitor", r.name(), "protect", file(r, "monitor"), r.access());
    }
  }

  @Test
  void theNewAccessNamesNarrowARule() {
    for (String ph : List.of("enforce", "monitor")) {
      assertThat(run.outcome(ph, "narrow-chmod").summary()).as(ph).isEqualTo("ok");
      assertThat(run.decisions(ph, "narrow-chmod")).as(ph).isEmpty();
      assertThat(run.outcome(ph, "narrow-unlink").summary())
          .as(ph)
          .isEqualTo(ph.equals("enforce") ? "errno=EPERM" : "ok");
      assertDecision(ph, "narrow-unlink", "no-unlink", "/ftgmod/" + ph + "/narrow/f", "unlink");
    }
  }

  @Test
  void aRuleOnTheDirectoryStopsItsRename() {
    assertThat(run.outcome("enforce", "dir-guarded").summary()).isEqualTo("errno=EPERM");
    assertDecision(
        "enforce", "dir-guarded", "guard-dir", "/ftgmod/enforce/dir-guarded/sub", "rename");
    assertThat(run.outcome("monitor", "dir-guarded").summary()).isEqualTo("ok");
    assertDecision(
        "monitor", "dir-guarded", "guard-dir", "/ftgmod/monitor/dir-guarded/sub", "rename");
  }

  // ---- not caught by a rule on the file's path ----

  @Test
  void writesThroughADescriptorOpenedBeforeTheRulePass() {
    for (String ph : List.of("enforce", "monitor")) {
      for (String r : List.of("write-early-fd", "mmap-early-fd")) {
        assertPassesAndChanges(ph, r);
      }
    }
  }

  @Test
  void aHardLinkMadeBeforeTheRuleIsAnotherPath() {
    assertPassesAndChanges("enforce", "early-link");
    assertPassesAndChanges("monitor", "early-link");
  }

  @Test
  void renamingTheParentDirectoryIsNotAChangeOfTheFile() {
    assertPassesAndChanges("enforce", "parent-rename");
    assertPassesAndChanges("monitor", "parent-rename");
  }

  // ---- helpers ----

  /** The path the decision names: the protected file (for a rename over it too). */
  private static String file(Route r, String phase) {
    return "/ftgmod/" + phase + "/" + r.name() + "/prot";
  }

  private String before(String phase, String name) {
    return run.file(phase + "/" + name + ".before");
  }

  private String after(String phase, String name) {
    return run.file(phase + "/" + name + ".after");
  }

  private void assertPassesAndChanges(String phase, String name) {
    Outcome o = run.outcome(phase, name);
    assertThat(o.summary()).as("%s/%s: %s", phase, name, o).isEqualTo("ok");
    assertThat(run.decisions(phase, name))
        .as("%s/%s decisions: %s", phase, name, Scenarios.describe(run.decisions(phase, name)))
        .isEmpty();
    assertThat(after(phase, name)).as("%s/%s", phase, name).isNotEqualTo(before(phase, name));
  }

  /** The route's single decision: this rule, this path, write and this access name. */
  private void assertDecision(String phase, String name, String rule, String path, String access) {
    List<JsonNode> d = run.decisions(phase, name);
    assertThat(d).as("%s/%s decisions: %s", phase, name, Scenarios.describe(d)).hasSize(1);
    JsonNode e = d.getFirst();
    String ctx = phase + "/" + name + ": " + e;
    boolean enforce = phase.equals("enforce");
    assertThat(Scenarios.text(e, "policy")).as(ctx).isEqualTo("modify");
    assertThat(Scenarios.text(e, "rule")).as(ctx).isEqualTo(rule);
    assertThat(Scenarios.text(e, "event")).as(ctx).isEqualTo("open");
    assertThat(Scenarios.text(e, "action")).as(ctx).isEqualTo("deny");
    assertThat(Scenarios.text(e, "mode")).as(ctx).isEqualTo(phase);
    assertThat(e.path("would").asBoolean()).as(ctx).isEqualTo(!enforce);
    assertThat(Scenarios.text(e, "errno")).as(ctx).isEqualTo(enforce ? "EPERM" : null);
    assertThat(Scenarios.text(e, "object")).as(ctx).isEqualTo(path);
    List<String> names = access == null ? List.of("write") : List.of("write", access);
    if (rule.equals("protect") || rule.equals("no-unlink") || rule.equals("guard-dir")) {
      assertThat(Scenarios.strings(e, "access")).as(ctx).containsExactlyElementsOf(names);
    }
  }
}
