package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import dev.ftguard.abi.RecordEncoder;
import dev.ftguard.abi.Samples;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.nativeio.TableRejectedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ftguard run}'s loop and reloads, on a fake device, without real signals. */
@SuppressWarnings("try") // resources held for their lifetime only
class PolicyDaemonTest {
  @TempDir Path tmp;

  final FakeSource device = new FakeSource();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final StringWriter errText = new StringWriter();
  final StopSignal stop = new StopSignal();
  final Clock clock = Clock.fixed(Instant.parse("2025-11-26T12:00:00Z"), ZoneOffset.UTC);
  Path policy;
  PolicyDaemon daemon;

  /** A daemon over these policy paths, on the fake device, writing to this test's streams. */
  private PolicyDaemon daemonOf(Path policies) {
    return new PolicyDaemon(
        List.of(policies),
        device,
        tmp.resolve("ftguard"),
        out,
        new Diagnostics(new PrintWriter(errText, true), false, false),
        stop,
        clock);
  }

  @BeforeEach
  void setUp() throws Exception {
    policy = Files.writeString(tmp.resolve("policy.yaml"), PolicyApplyTest.POLICY);
    daemon = daemonOf(policy);
    daemon.start(PolicyPipeline.compile(List.of(policy)));
  }

  String err() {
    return errText.toString();
  }

  List<JsonNode> lines() {
    return out.toString(StandardCharsets.UTF_8)
        .lines()
        .map(l -> EventJson.MAPPER.readTree(l))
        .toList();
  }

  @Test
  void startPutsTheTableInForce() throws Exception {
    assertThat(device.generation).isEqualTo(1);
    assertThat(device.table).isEqualTo(PolicyPipeline.compile(List.of(policy)).table());
    assertThat(daemon.current().generation()).isEqualTo(1);
    assertThat(EventJson.line(daemon.startLine()))
        .isEqualTo(
            "{\"type\":\"policy_reload\",\"schema_version\":1,\"ok\":true,\"generation\":1,\"rules\":2,\"policies\":1,"
                + "\"bytes\":"
                + device.table.length
                + ",\"reason\":\"start\","
                + "\"time\":\"2025-11-26T12:00:00Z\"}");
  }

  @Test
  void successfulReloadAppliesTheNewFiles() throws Exception {
    Files.writeString(policy, PolicyApplyTest.POLICY + "---\n" + PolicyApplyTest.MONITOR);
    ObjectNode line = daemon.reload(PolicyDaemon.SIGHUP);
    assertThat(EventJson.line(line))
        .isEqualTo(
            "{\"type\":\"policy_reload\",\"schema_version\":1,\"ok\":true,\"generation\":2,\"rules\":3,\"policies\":2,"
                + "\"bytes\":"
                + device.table.length
                + ",\"reason\":\"sighup\","
                + "\"time\":\"2025-11-26T12:00:00Z\"}");
    assertThat(device.written).hasSize(2);
    assertThat(err())
        .isEqualTo(
            "ftguard: policies reloaded (sighup): generation 2, 2 policies, 3 rules, "
                + device.table.length
                + " bytes\n");
  }

  @Test
  void invalidYamlKeepsTheOldTable() throws Exception {
    byte[] before = device.table.clone();
    Files.writeString(policy, PolicyApplyTest.POLICY.replace("action: deny", "action: denny"));
    ObjectNode line = daemon.reload(PolicyDaemon.FILE_CHANGE);
    assertThat(device.table).isEqualTo(before);
    assertThat(device.written).hasSize(1);
    String located =
        policy
            + ":12:15: error: unknown action 'denny' (hint: did you mean 'deny'? allowed: allow,"
            + " audit, deny, kill, deny+kill)";
    assertThat(line.get("ok").asBoolean()).isFalse();
    assertThat(line.get("errors").size()).isEqualTo(1);
    assertThat(line.get("errors").get(0).asString()).isEqualTo(located);
    assertThat(line.get("kept_generation").asLong()).isEqualTo(1);
    assertThat(line.get("reason").asString()).isEqualTo("file_change");
    assertThat(err().lines().toList())
        .containsExactly(
            located,
            "ftguard: policy reload (file_change) failed: 1 error in 1 policy file: nothing is valid"
                + " until all are fixed; generation 1 stays in force");
    assertThat(daemon.failedReloads()).isEqualTo(1);
  }

  @Test
  void kernelRejectionKeepsTheOldTable() throws Exception {
    device.setError = new TableRejectedException("fake", Errno.EINVAL, Abi.TERR_STRING, 96);
    ObjectNode line = daemon.reload(PolicyDaemon.SIGHUP);
    assertThat(device.generation).isEqualTo(1);
    assertThat(line.get("ok").asBoolean()).isFalse();
    assertThat(line.get("errors").get(0).asString())
        .startsWith("the kernel rejected the rule table: ")
        .contains("(FTG_TERR_STRING) at byte offset 96");
    assertThat(err().lines()).hasSize(1);
    assertThat(err()).startsWith("ftguard: policy reload (sighup) failed: the kernel rejected");
  }

  @Test
  void missingFileKeepsTheOldTable() throws Exception {
    Files.delete(policy);
    ObjectNode line = daemon.reload(PolicyDaemon.FILE_CHANGE);
    assertThat(device.written).hasSize(1);
    assertThat(line.get("errors").get(0).asString())
        .isEqualTo("policy file " + policy + " does not exist: check the path");
  }

  @Test
  void jsonErrorsReportReloadFailuresAsJson() throws Exception {
    StringWriter jsonErr = new StringWriter();
    PolicyDaemon d =
        new PolicyDaemon(
            List.of(policy),
            device,
            tmp.resolve("ftguard"),
            out,
            new Diagnostics(new PrintWriter(jsonErr, true), true, false),
            stop,
            clock);
    d.start(PolicyPipeline.compile(List.of(policy)));
    Files.writeString(policy, PolicyApplyTest.POLICY.replace("action: deny", "action: denny"));
    d.reload(PolicyDaemon.SIGHUP);
    List<JsonNode> l = jsonErr.toString().lines().map(x -> EventJson.MAPPER.readTree(x)).toList();
    assertThat(l)
        .extracting(n -> n.get("type").asString())
        .containsExactly("policy_error", "error");
    assertThat(l.get(0).get("line").asInt()).isEqualTo(12);
    assertThat(l.get(1).get("message").asString()).startsWith("policy reload (sighup) failed: ");
  }

  /** Runs the loop on a thread; returns a handle to stop it and get its summary. */
  final class Loop implements AutoCloseable {
    final AtomicReference<EventPump.Summary> summary = new AtomicReference<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final Thread thread =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    summary.set(
                        daemon.run(
                            new EventPump.Options(
                                true, 0, null, Duration.ofMillis(20), 64 * 1024)));
                  } catch (Throwable t) {
                    failure.set(t);
                  }
                });

    void awaitLine(Predicate<JsonNode> p) throws InterruptedException {
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < end) {
        if (out.toString(StandardCharsets.UTF_8)
            .lines()
            .map(l -> EventJson.MAPPER.readTree(l))
            .anyMatch(p)) {
          return;
        }
        Thread.sleep(10);
      }
      throw new AssertionError(
          "no such line in: " + out.toString(StandardCharsets.UTF_8) + "\nstderr: " + err());
    }

    @Override
    public void close() {
      stop.requestStop();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertThat(thread.isAlive()).isFalse();
      assertThat(failure.get()).isNull();
    }
  }

  static Predicate<JsonNode> reload(String reason) {
    return n ->
        n.get("type").asString().equals("policy_reload")
            && n.get("reason").asString().equals(reason);
  }

  @Test
  void loopStreamsEventsAndReloadsWhenAsked() throws Exception {
    device.batches.add(RecordEncoder.encodeAll(List.of(Samples.exec(1), Samples.execDenied(2))));
    try (Loop loop = new Loop()) {
      loop.awaitLine(n -> n.get("type").asString().equals("decision"));
      Files.writeString(policy, PolicyApplyTest.POLICY + "---\n" + PolicyApplyTest.MONITOR);
      daemon.requestReload(PolicyDaemon.SIGHUP); // what the SIGHUP handler does
      loop.awaitLine(reload("sighup"));
    }
    List<JsonNode> l = lines();
    assertThat(l)
        .extracting(n -> n.get("type").asString())
        .containsExactly("policy_reload", "exec", "decision", "policy_reload");
    assertThat(l.get(0).get("reason").asString()).isEqualTo("start");
    assertThat(l.get(3).get("ok").asBoolean()).isTrue();
    assertThat(l.get(3).get("generation").asLong()).isEqualTo(2);
    assertThat(device.generation).isEqualTo(2);
    assertThat(daemon.reloads()).isEqualTo(1);
    assertThat(device.table).isEqualTo(PolicyPipeline.compile(List.of(policy)).table());
  }

  @Test
  void requestsBeforeTheLoopGetsToThemAreMerged() throws Exception {
    daemon.requestReload(PolicyDaemon.SIGHUP);
    daemon.requestReload(PolicyDaemon.FILE_CHANGE);
    assertThat(daemon.reloadPending()).isTrue();
    try (Loop loop = new Loop()) {
      loop.awaitLine(reload("sighup"));
      Thread.sleep(100);
    }
    assertThat(lines()).filteredOn(reload("file_change")::test).isEmpty();
    assertThat(device.generation).isEqualTo(2);
  }

  @Test
  void aChangedFileReloadsThroughTheWatcher() throws Exception {
    try (Loop loop = new Loop();
        PolicyWatcher w =
            PolicyWatcher.start(
                List.of(policy),
                PolicyDaemon.DEBOUNCE,
                () -> daemon.requestReload(PolicyDaemon.FILE_CHANGE))) {
      loop.awaitLine(reload("start"));
      Files.writeString(policy, PolicyApplyTest.POLICY.replace("action: deny", "action: denny"));
      loop.awaitLine(reload("file_change"));
      assertThat(device.generation).isEqualTo(1); // the broken file changed nothing
      Files.writeString(policy, PolicyApplyTest.MONITOR);
      loop.awaitLine(n -> reload("file_change").test(n) && n.get("ok").asBoolean());
    }
    List<JsonNode> reloads = lines().stream().filter(reload("file_change")).toList();
    assertThat(reloads).extracting(n -> n.get("ok").asBoolean()).containsExactly(false, true);
    assertThat(device.generation).isEqualTo(2);
  }

  @Test
  void aDirectoryStartsEmptyAndReloadsWithTheFilesAddedToIt() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policies.d"));
    PolicyDaemon d = daemonOf(dir);
    List<String> warnings = new java.util.ArrayList<>();
    d.start(PolicyPipeline.compile(List.of(dir), warnings::add));
    assertThat(warnings).singleElement().asString().contains("has no *.yaml or *.yml file");
    assertThat(d.current().compiled().policies()).isZero();
    Files.writeString(dir.resolve("a.yaml"), PolicyApplyTest.POLICY);
    Files.writeString(dir.resolve("b.yaml"), PolicyApplyTest.MONITOR);
    ObjectNode line = d.reload(PolicyDaemon.FILE_CHANGE);
    assertThat(line.get("ok").asBoolean()).isTrue();
    assertThat(line.get("policies").asInt()).isEqualTo(2);
    Files.delete(dir.resolve("a.yaml"));
    assertThat(d.reload(PolicyDaemon.FILE_CHANGE).get("policies").asInt()).isEqualTo(1);
  }

  @Test
  void theTableStaysInForceWhenTheLoopStops() throws Exception {
    try (Loop loop = new Loop()) {
      loop.awaitLine(reload("start"));
    }
    assertThat(device.table).isNotNull();
    assertThat(device.written).hasSize(1);
  }
}
