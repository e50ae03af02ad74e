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
 * Exec rules decided where a file's pages become executable (docs/enforcement.md, "Running a file
 * without executing it"): {@code security_mmap_file} with {@code PROT_EXEC} and {@code
 * security_file_mprotect} adding it. Rules deny {@code /opt/em/bin/denied-echo} (a copy of the
 * dynamically linked {@code echo}) and the library {@code /opt/em/lib/libdenied.so} (a copy of
 * libattr), kill {@code /opt/em/bin/killed-echo}, and deny every fileless program. Each route is
 * played in phase {@code enforce} and again with the policy in {@code mode: monitor}. One guest
 * boot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecMappingIT {

  private static final String T = FtguardGuest.TEST_HELPER;
  private static final String DENIED = "/opt/em/bin/denied-echo";
  private static final String KILLED = "/opt/em/bin/killed-echo";
  private static final String LIB = "/opt/em/lib/libdenied.so";
  private static final String MEMFD = "/memfd:ftg-memfd (deleted)";
  private static final String LD = "/lib64/ld-linux-x86-64.so.2";

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: mapping}
            spec:
              mode: enforce
              rules:
                - name: deny-echo
                  event: exec
                  match: {binary: {exact: [/opt/em/bin/denied-echo]}}
                  action: deny
                - name: kill-echo
                  event: exec
                  match: {binary: {exact: [/opt/em/bin/killed-echo]}}
                  action: kill
                - name: deny-lib
                  event: exec
                  match: {binary: {exact: [/opt/em/lib/libdenied.so]}}
                  action: deny
                - name: deny-fileless
                  event: exec
                  match: {fileless: true}
                  action: deny
            """;

  private static final String SETUP =
      """
            mkdir -p /opt/em/bin /opt/em/lib /opt/em/ok
            cp /usr/bin/echo /opt/em/bin/denied-echo
            cp /usr/bin/echo /opt/em/bin/killed-echo
            cp /usr/bin/echo /opt/em/ok/echo
            cp /usr/lib/x86_64-linux-gnu/libattr.so.1 /opt/em/lib/libdenied.so
            """;

  /** The routes of phase {@code $ph}. */
  private static final String ROUTES =
      """
              sc $ph direct $T exec /opt/em/bin/denied-echo ok
              sc $ph loader $T exec $LD /opt/em/bin/denied-echo ok
              cd /opt/em/bin
              sc $ph loader-relative $T exec $LD ./denied-echo ok
              cd /root
              sc $ph loader-kill $T exec $LD /opt/em/bin/killed-echo ok
              sc $ph preload $T exec $LD --preload /opt/em/lib/libdenied.so /opt/em/ok/echo ok
              sc $ph map-exec $T map-exec /opt/em/bin/denied-echo
              sc $ph mprotect-exec $T mprotect-exec /opt/em/bin/denied-echo
              sc $ph map-read $T open /opt/em/bin/denied-echo r
              sc $ph memfd-map $T memfd-map-exec /opt/em/ok/echo
              sc $ph loader-allowed $T exec $LD /opt/em/ok/echo ok
              sc $ph normal $T exec /opt/em/ok/echo ok
            """;

  private Scenarios run;

  @BeforeAll
  void mapEveryWay() throws Exception {
    run =
        Scenarios.play(
            "exec-mapping",
            Duration.ofMinutes(8),
            Scenarios.twoPhasePayload("LD=" + LD + "\n" + SETUP, POLICY, ROUTES));
    run.assertApplied("enforce", "monitor");
  }

  // ---- the exec itself: decided once, at the exec, not again at the kernel's own mappings ----

  @Test
  void aDirectExecIsDecidedOnceAtTheExec() {
    Outcome o = run.outcome("enforce", "direct");
    assertThat(o.summary()).as("%s", o).isEqualTo("errno=EPERM");
    assertDecision("enforce", "direct", "deny-echo", "deny", DENIED, "exec");
    assertRan("monitor", "direct");
    assertDecision("monitor", "direct", "deny-echo", "deny", DENIED, "exec");
  }

  // ---- the dynamic loader ----

  @Test
  void theLoaderCannotMapADeniedProgram() {
    for (String name : List.of("loader", "loader-relative")) {
      Outcome o = run.outcome("enforce", name);
      assertThat(o.rc()).as("ld.so fails to map the program: %s", o).isEqualTo(127);
      assertThat(o.lines()).as("%s", o).noneMatch(l -> l.strip().equals("ok"));
      assertThat(String.join("\n", o.lines()))
          .as("%s", o)
          .contains("failed to map segment from shared object");
      assertDecision("enforce", name, "deny-echo", "deny", DENIED, "mmap");
      assertRan("monitor", name);
      assertDecision("monitor", name, "deny-echo", "deny", DENIED, "mmap");
    }
  }

  @Test
  void aKillRuleKillsTheLoader() {
    Outcome o = run.outcome("enforce", "loader-kill");
    assertThat(o.summary()).as("%s", o).isEqualTo("killed");
    assertDecision("enforce", "loader-kill", "kill-echo", "kill", KILLED, "mmap");
    assertRan("monitor", "loader-kill");
    assertDecision("monitor", "loader-kill", "kill-echo", "kill", KILLED, "mmap");
  }

  @Test
  void aDeniedLibraryIsNotPreloaded() {
    Outcome o = run.outcome("enforce", "preload");
    // ld.so ignores a preload it cannot map and runs the program without it
    assertThat(String.join("\n", o.lines())).as("%s", o).contains("cannot be preloaded");
    assertDecision("enforce", "preload", "deny-lib", "deny", LIB, "mmap");
    assertRan("monitor", "preload");
    assertThat(run.outcome("monitor", "preload").lines())
        .noneMatch(l -> l.contains("cannot be preloaded"));
    assertDecision("monitor", "preload", "deny-lib", "deny", LIB, "mmap");
  }

  // ---- mmap and mprotect by any program ----

  @Test
  void mmapWithExecOfADeniedFileFails() {
    Outcome o = run.outcome("enforce", "map-exec");
    assertThat(o.lines()).as("%s", o).containsExactly("mmap: errno=EPERM");
    assertDecision("enforce", "map-exec", "deny-echo", "deny", DENIED, "mmap");
    assertRan("monitor", "map-exec");
    assertDecision("monitor", "map-exec", "deny-echo", "deny", DENIED, "mmap");
  }

  @Test
  void mprotectAddingExecToADeniedFileFails() {
    Outcome o = run.outcome("enforce", "mprotect-exec");
    assertThat(o.lines()).as("%s", o).containsExactly("mprotect: errno=EPERM");
    assertDecision("enforce", "mprotect-exec", "deny-echo", "deny", DENIED, "mprotect");
    assertRan("monitor", "mprotect-exec");
    assertDecision("monitor", "mprotect-exec", "deny-echo", "deny", DENIED, "mprotect");
  }

  @Test
  void aFilelessRuleAppliesToAMemfdMappedExecutable() {
    Outcome o = run.outcome("enforce", "memfd-map");
    assertThat(o.lines()).as("%s", o).containsExactly("mmap: errno=EPERM");
    assertDecision("enforce", "memfd-map", "deny-fileless", "deny", MEMFD, "mmap");
    assertRan("monitor", "memfd-map");
    assertDecision("monitor", "memfd-map", "deny-fileless", "deny", MEMFD, "mmap");
  }

  // ---- what must still work ----

  @Test
  void readingADeniedFileIsNotMappingItExecutable() {
    for (String ph : List.of("enforce", "monitor")) {
      assertRan(ph, "map-read");
      assertThat(run.decisions(ph, "map-read")).as(ph).isEmpty();
    }
  }

  @Test
  void allowedProgramsRunDirectlyAndThroughTheLoader() {
    for (String ph : List.of("enforce", "monitor")) {
      for (String name : List.of("loader-allowed", "normal")) {
        assertRan(ph, name);
        assertThat(run.decisions(ph, name))
            .as("%s/%s: %s", ph, name, Scenarios.describe(run.decisions(ph, name)))
            .isEmpty();
      }
    }
  }

  // ---- helpers ----

  private void assertRan(String phase, String name) {
    Outcome o = run.outcome(phase, name);
    assertThat(o.summary()).as("%s/%s ran: %s", phase, name, o).isEqualTo("ok");
    assertThat(o.rc()).as("%s/%s: %s", phase, name, o).isZero();
  }

  /** The single decision of the scenario, in enforce or as a monitor policy's "would" record. */
  private void assertDecision(
      String phase, String name, String rule, String action, String file, String via) {
    boolean monitor = phase.equals("monitor");
    List<JsonNode> d = run.decisions(phase, name);
    assertThat(d).as("%s/%s decisions: %s", phase, name, Scenarios.describe(d)).hasSize(1);
    JsonNode e = d.getFirst();
    assertThat(Scenarios.text(e, "policy")).isEqualTo("mapping");
    assertThat(Scenarios.text(e, "rule")).as("%s", e).isEqualTo(rule);
    assertThat(Scenarios.text(e, "event")).as("%s", e).isEqualTo("exec");
    assertThat(Scenarios.text(e, "via")).as("%s", e).isEqualTo(via);
    assertThat(Scenarios.text(e, "action")).as("%s", e).isEqualTo(action);
    assertThat(Scenarios.text(e, "mode")).as("%s", e).isEqualTo(phase);
    assertThat(e.get("would").asBoolean()).as("%s", e).isEqualTo(monitor);
    assertThat(Scenarios.text(e, "binary")).as("%s", e).isEqualTo(file);
    if (!monitor && action.equals("deny")) {
      assertThat(Scenarios.text(e, "errno")).as("%s", e).isEqualTo("EPERM");
    } else {
      assertThat(e.get("result").asInt()).as("%s", e).isZero();
    }
  }
}
