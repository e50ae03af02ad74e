package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.Scenarios.Outcome;
import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.KernelCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Content rules (docs/enforcement.md, "Content rules"): an exec rule's {@code sha256} selector
 * follows the file's bytes, whatever its name, inode or place. The policy denies two contents: a
 * copy of the static helper with a line appended ({@code /opt/cr/denied}, digest D) and a copy of
 * the dynamically linked {@code echo} with a line appended ({@code /opt/cr/denied-echo}, E), both
 * computed in the guest with {@code sha256sum}. Each route is played in phase {@code enforce} and
 * again with the policy in {@code mode: monitor}: the caller's result and the one decision event,
 * with the digest it was decided on, or {@code unknown}. One guest boot per kernel: the default
 * one, 6.12, 5.10 (the SHA-256 library before <crypto/sha2.h>) and 7.2 (its struct sha256_ctx).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContentRuleIT {

  private static final String LD = "/lib64/ld-linux-x86-64.so.2";
  private static final Set<String> SERIES = Set.of("6.1", "6.12", "5.10", "7.2");
  private static final List<String> PHASES = List.of("enforce", "monitor");

  /** DENIED and DENIED_ECHO are replaced in the guest by the digests it computes. */
  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: content}
            spec:
              mode: enforce
              rules:
                - name: deny-content
                  event: exec
                  match:
                    sha256: [DENIED, DENIED_ECHO]
                  action: deny
            """;

  /** Files made once; D and E the digests of the denied contents, computed in the guest. */
  private static final String SETUP =
      """
      LD=%s
      mkdir -p /opt/cr
      cp $T /opt/cr/denied && echo ftg-content-denied >> /opt/cr/denied
      cp /usr/bin/echo /opt/cr/denied-echo && echo ftg-content-denied-echo >> /opt/cr/denied-echo
      cp $T /opt/cr/allowed-src && echo ftg-content-allowed >> /opt/cr/allowed-src
      D=$(sha256sum /opt/cr/denied | cut -d' ' -f1)
      E=$(sha256sum /opt/cr/denied-echo | cut -d' ' -f1)
      echo $D > /out/denied.sha256
      echo $E > /out/denied-echo.sha256
      """
          .formatted(LD);

  /** The phase's policy with the digests in place of DENIED and DENIED_ECHO. */
  private static final String BEFORE_APPLY =
      "  sed -i -e \"s/DENIED_ECHO/$E/\" -e \"s/DENIED/$D/\" /tmp/$ph.yaml\n";

  /** Per phase: the phase's files under /opt/cr/$ph, then every route. */
  private static final String SCENARIOS =
      """
      P=/opt/cr/$ph
      mkdir -p $P
      cp /opt/cr/denied $P/copy
      ln /opt/cr/denied $P/hard
      cp /opt/cr/denied /tmp/cr-$ph
      cp /opt/cr/allowed-src $P/allowed
      cp /opt/cr/allowed-src $P/victim
      cp /opt/cr/allowed-src $P/replaced
      cp /usr/bin/echo $P/unhashed && echo ftg-unhashed-$ph >> $P/unhashed
      cp /usr/bin/echo $P/unhashed2 && echo ftg-unhashed2-$ph >> $P/unhashed2
      cp /opt/cr/allowed-src $P/once && echo $ph >> $P/once
      truncate -s 300M $P/big && chmod +x $P/big
      $T content-stats > /dev/null
      # the files' ctime a few clock ticks old: their digests may be kept
      sleep 0.3
      sc $ph direct $T exec /opt/cr/denied ok
      sc $ph copy $T exec $P/copy ok
      sc $ph hardlink $T exec $P/hard ok
      sc $ph tmp $T exec /tmp/cr-$ph ok
      sc $ph loader $T exec $LD /opt/cr/denied-echo ok
      sc $ph allowed $T exec $P/allowed ok
      sc $ph victim-before $T exec $P/victim ok
      cat /opt/cr/denied > $P/victim
      sc $ph victim-after $T exec $P/victim ok
      sc $ph replaced-before $T exec $P/replaced ok
      cp /opt/cr/denied $P/new && mv $P/new $P/replaced
      sc $ph replaced-after $T exec $P/replaced ok
      sc $ph mprotect-unhashed $T mprotect-exec $P/unhashed
      sc $ph mprotect-hashed $T mprotect-exec $P/allowed
      sc $ph remap-flags-unhashed $T map-exec-remap-flags $P/unhashed2
      sc $ph big $T exec $P/big ok
      sc $ph stats0 $T content-stats
      sc $ph once1 $T exec $P/once ok
      sc $ph stats1 $T content-stats
      sc $ph once2 $T exec $P/once ok
      sc $ph stats2 $T content-stats
      """;

  private static final String PAYLOAD =
      Scenarios.twoPhasePayload(SETUP, POLICY, BEFORE_APPLY, SCENARIOS, Scenarios.END);

  /** A route the rule catches: the file used, the content it was decided on, where. */
  record Caught(String name, String file, String content, String via) {}

  private final Map<String, Scenarios> runs = new HashMap<>();

  static Stream<DebianKernel> kernels() {
    return KernelCatalog.ofRepo().all().stream().filter(k -> SERIES.contains(k.series()));
  }

  /** The guest run on this kernel, booted once. */
  private synchronized Scenarios run(DebianKernel kernel) throws Exception {
    Scenarios run = runs.get(kernel.series());
    if (run == null) {
      Path ko = FtguardGuest.module(kernel);
      String payload = PAYLOAD;
      GuestResult result =
          FtguardGuest.runClean(
              FtguardGuest.withTestFiles(
                      FtguardGuest.guest(
                          "content-" + kernel.series(), Duration.ofMinutes(10), kernel, ko),
                      kernel)
                  .payload(payload));
      run = new Scenarios(result, FtguardGuest.readJsonLines(result, "events.jsonl"));
      for (String ph : PHASES) {
        assertThat(run.file(ph + "/apply.rc").strip())
            .as("%s: %s", ph, run.file(ph + "/apply.out"))
            .isEqualTo("0");
      }
      assertThat(run.file("reader.rc").strip()).isEqualTo("0");
      Scenarios.assertStreamSane(result, run.events());
      runs.put(kernel.series(), run);
    }
    return run;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void theDeniedContentIsDeniedUnderEveryNameAndPlace(DebianKernel kernel) throws Exception {
    Scenarios run = run(kernel);
    String d = run.file("denied.sha256").strip();
    String e = run.file("denied-echo.sha256").strip();
    assertThat(d).matches("[0-9a-f]{64}");
    SoftAssertions soft = new SoftAssertions();
    for (String ph : PHASES) {
      String p = "/opt/cr/" + ph;
      for (Caught c :
          List.of(
              new Caught("direct", "/opt/cr/denied", d, "exec"),
              new Caught("copy", p + "/copy", d, "exec"),
              new Caught("hardlink", p + "/hard", d, "exec"),
              new Caught("tmp", "/tmp/cr-" + ph, d, "exec"),
              new Caught("victim-after", p + "/victim", d, "exec"),
              new Caught("replaced-after", p + "/replaced", d, "exec"))) {
        checkCaught(soft, run, ph, c, "ok");
      }
    }
    soft.assertAll();
    assertThat(e).matches("[0-9a-f]{64}").isNotEqualTo(d);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void theLoaderCannotMapTheDeniedContent(DebianKernel kernel) throws Exception {
    Scenarios run = run(kernel);
    String e = run.file("denied-echo.sha256").strip();
    SoftAssertions soft = new SoftAssertions();
    for (String ph : PHASES) {
      Caught c = new Caught("loader", "/opt/cr/denied-echo", e, "mmap");
      Outcome o = run.outcome(ph, c.name());
      if (ph.equals("enforce")) {
        soft.assertThat(o.rc()).as("ld.so fails to map the program: %s", o).isEqualTo(127);
        soft.assertThat(String.join("\n", o.lines()))
            .as("%s", o)
            .contains("failed to map segment from shared object");
      }
      checkCaught(soft, run, ph, c, "ok");
    }
    soft.assertAll();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void otherContentRuns(DebianKernel kernel) throws Exception {
    Scenarios run = run(kernel);
    for (String ph : PHASES) {
      for (String name : List.of("allowed", "victim-before", "replaced-before", "once1", "once2")) {
        assertPasses(run, ph, name);
      }
      Outcome o = run.outcome(ph, "mprotect-hashed");
      assertThat(o.lines()).as("%s: a hashed allowed file: %s", ph, o).containsExactly("ok");
      assertThat(run.decisions(ph, "mprotect-hashed")).as(ph).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void mprotectOfAnUnhashedFileFailsClosed(DebianKernel kernel) throws Exception {
    Scenarios run = run(kernel);
    SoftAssertions soft = new SoftAssertions();
    for (String ph : PHASES) {
      String file = "/opt/cr/" + ph + "/unhashed";
      Outcome o = run.outcome(ph, "mprotect-unhashed");
      soft.assertThat(o.lines())
          .as("%s: %s", ph, o)
          .containsExactly(ph.equals("enforce") ? "mprotect: errno=EPERM" : "ok");
      checkDecision(soft, run, ph, new Caught("mprotect-unhashed", file, "unknown", "mprotect"));
      // an mmap with the flags remap_file_pages() passes (it holds mmap_lock): cache only too
      Outcome r = run.outcome(ph, "remap-flags-unhashed");
      soft.assertThat(r.lines())
          .as("%s: %s", ph, r)
          .containsExactly(ph.equals("enforce") ? "mmap: errno=EPERM" : "ok");
      checkDecision(
          soft, run, ph, new Caught("remap-flags-unhashed", file + "2", "unknown", "mmap"));
    }
    soft.assertAll();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void aFileOverTheSizeLimitHasUnknownContentAndFailsClosed(DebianKernel kernel) throws Exception {
    Scenarios run = run(kernel);
    SoftAssertions soft = new SoftAssertions();
    for (String ph : PHASES) {
      Caught c = new Caught("big", "/opt/cr/" + ph + "/big", "unknown", "exec");
      // without the rule the kernel finds no binary format in 300 MiB of zeros
      checkCaught(soft, run, ph, c, "errno=ENOEXEC");
    }
    soft.assertAll();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void aFileIsHashedOncePerVersion(DebianKernel kernel) throws Exception {
    Scenarios run = run(kernel);
    for (String ph : PHASES) {
      long[] s0 = stats(run, ph, "stats0");
      long[] s1 = stats(run, ph, "stats1");
      long[] s2 = stats(run, ph, "stats2");
      assertThat(s1[0] - s0[0]).as("%s: the first exec of 'once' hashed it", ph).isPositive();
      assertThat(s2[0]).as("%s: the second exec hashed nothing", ph).isEqualTo(s1[0]);
      assertThat(s2[1]).as("%s: ... it found the digest in the cache", ph).isGreaterThan(s1[1]);
    }
  }

  private static final Pattern STATS =
      Pattern.compile("ok hashes=(\\d+) hits=(\\d+) misses=(\\d+) unknown=(\\d+)");

  /** hashes, hits, misses, unknown. */
  private static long[] stats(Scenarios run, String ph, String name) {
    Outcome o = run.outcome(ph, name);
    assertThat(o.lines()).as("%s/%s", ph, name).hasSize(1);
    Matcher m = STATS.matcher(o.lines().getFirst().strip());
    assertThat(m.matches()).as("%s/%s: %s", ph, name, o).isTrue();
    return new long[] {
      Long.parseLong(m.group(1)),
      Long.parseLong(m.group(2)),
      Long.parseLong(m.group(3)),
      Long.parseLong(m.group(4))
    };
  }

  /** Enforce: EPERM; monitor: runs as without the rule ({@code asMonitor}); one decision. */
  private static void checkCaught(
      SoftAssertions soft, Scenarios run, String ph, Caught c, String asMonitor) {
    boolean monitor = ph.equals("monitor");
    Outcome o = run.outcome(ph, c.name());
    String ctx = ph + "/" + c + ": " + o;
    if (!c.via().equals("mmap")) {
      soft.assertThat(o.summary()).as(ctx).isEqualTo(monitor ? asMonitor : "errno=EPERM");
    }
    if (monitor && asMonitor.equals("ok")) {
      soft.assertThat(o.rc()).as(ctx).isZero();
    }
    checkDecision(soft, run, ph, c);
  }

  private static void checkDecision(SoftAssertions soft, Scenarios run, String ph, Caught c) {
    boolean monitor = ph.equals("monitor");
    List<JsonNode> d = run.decisions(ph, c.name());
    String ctx = ph + "/" + c + "; decisions:" + Scenarios.describe(d);
    soft.assertThat(d).as(ctx).hasSize(1);
    if (d.size() != 1) {
      return;
    }
    JsonNode e = d.getFirst();
    soft.assertThat(Scenarios.text(e, "policy")).as(ctx).isEqualTo("content");
    soft.assertThat(Scenarios.text(e, "rule")).as(ctx).isEqualTo("deny-content");
    soft.assertThat(Scenarios.text(e, "event")).as(ctx).isEqualTo("exec");
    soft.assertThat(Scenarios.text(e, "via")).as(ctx).isEqualTo(c.via());
    soft.assertThat(Scenarios.text(e, "mode")).as(ctx).isEqualTo(ph);
    soft.assertThat(Scenarios.text(e, "label")).as(ctx).isEqualTo(monitor ? "would deny" : "deny");
    soft.assertThat(Scenarios.text(e, "errno")).as(ctx).isEqualTo(monitor ? null : "EPERM");
    soft.assertThat(Scenarios.text(e, "binary")).as(ctx).isEqualTo(c.file());
    soft.assertThat(Scenarios.text(e, "sha256")).as(ctx).isEqualTo(c.content());
  }

  private static void assertPasses(Scenarios run, String ph, String name) {
    Outcome o = run.outcome(ph, name);
    assertThat(o.summary()).as("%s/%s: %s", ph, name, o).isEqualTo("ok");
    assertThat(o.rc()).as("%s/%s: %s", ph, name, o).isZero();
    assertThat(run.decisions(ph, name))
        .as("%s/%s: %s", ph, name, Scenarios.describe(run.decisions(ph, name)))
        .isEmpty();
  }
}
