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
 * {@code ftguard run --policy FILE} in the VM: applies, streams decisions, reloads when the file
 * changes and on SIGHUP, keeps the old table when a reload is bad, stops on SIGTERM with exit 0,
 * and the kernel keeps enforcing afterwards, buffering the decisions for the next reader.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunDaemonIT {

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: daemon}
            spec:
              rules:
                - {name: no-%1$s, event: exec, match: {binary: {exact: [/opt/d/%1$s]}}, action: deny}
            """;

  private static final String PAYLOAD =
      """
            F=%1$s
            mkdir -p /pol /opt/d
            cp /usr/bin/true /opt/d/one; cp /usr/bin/true /opt/d/two
            put() { cat > /pol/p.yaml.new; mv /pol/p.yaml.new /pol/p.yaml; }
            try() { "$1"; echo $? > /out/$2.rc; }
            put <<'EOF'
            %2$s
            EOF
            $F load --ko %4$s
            env --default-signal=INT $F run --policy /pol/p.yaml > /out/run.jsonl 2> /out/run.err &
            d=$!
            wait_for '"reason":"start"' 1
            try /opt/d/one start-one; try /opt/d/two start-two
            put <<'EOF'
            %3$s
            EOF
            wait_for '"ok":true' 2
            try /opt/d/one changed-one; try /opt/d/two changed-two
            printf '    - {name: broken, event: exec, action: denny}\\n' >> /pol/p.yaml
            wait_for '"ok":false' 1
            try /opt/d/two bad-two
            kill -HUP $d
            wait_for '"ok":false' 2
            put <<'EOF'
            %2$s
            EOF
            wait_for '"ok":true' 3
            kill -HUP $d
            wait_for '"ok":true' 4
            try /opt/d/one final-one
            wait_for '"rule":"no-one"' 2
            stop_daemon
            try /opt/d/one after-one
            $F policy show --json > /out/show.json
            $F events > /out/after.jsonl
            $F policy clear
            try /opt/d/one cleared-one
            $F unload
            """;

  private GuestResult run;
  private List<JsonNode> lines;

  @BeforeAll
  void boot() throws Exception {
    run =
        FtguardGuest.runClean(
            FtguardGuest.guest("run-daemon", Duration.ofMinutes(8))
                .payload(
                    FtguardGuest.daemonScript(
                        PAYLOAD.formatted(
                            FtguardGuest.FTGUARD,
                            POLICY.formatted("one").strip(),
                            POLICY.formatted("two").strip(),
                            FtguardGuest.MODULE))));
    lines = FtguardGuest.readJsonLines(run, "run.jsonl");
  }

  private String rc(String name) throws Exception {
    return run.readOutFile(name + ".rc").strip();
  }

  private List<JsonNode> reloads() {
    return lines.stream().filter(l -> l.get("type").asString().equals("policy_reload")).toList();
  }

  @Test
  void appliesAtStartAndDenies() throws Exception {
    assertThat(rc("start-one")).isEqualTo("126");
    assertThat(rc("start-two")).isEqualTo("0");
    JsonNode start = reloads().getFirst();
    assertThat(start.get("ok").asBoolean()).isTrue();
    assertThat(start.get("reason").asString()).isEqualTo("start");
    assertThat(start.get("rules").asInt()).isEqualTo(1);
  }

  @Test
  void reloadsOnFileChangeAndSighupAndKeepsTheOldTableOnABadOne() throws Exception {
    List<JsonNode> r = reloads();
    assertThat(r)
        .extracting(l -> l.get("reason").asString() + ":" + l.get("ok").asBoolean())
        .containsExactly(
            "start:true",
            "file_change:true",
            "file_change:false",
            "sighup:false",
            "file_change:true",
            "sighup:true");
    long changed = r.get(1).get("generation").asLong();
    assertThat(changed).isGreaterThan(r.get(0).get("generation").asLong());
    assertThat(rc("changed-one")).isEqualTo("0");
    assertThat(rc("changed-two")).isEqualTo("126");
    // a bad reload names the problem and keeps what is in force
    JsonNode bad = r.get(2);
    assertThat(bad.get("kept_generation").asLong()).isEqualTo(changed);
    assertThat(bad.get("errors").toString()).contains("p.yaml:").contains("denny");
    assertThat(rc("bad-two")).isEqualTo("126");
    assertThat(run.readOutFile("run.err")).contains("stays in force");
    assertThat(r.get(5).get("generation").asLong())
        .isGreaterThan(r.get(4).get("generation").asLong());
    assertThat(rc("final-one")).isEqualTo("126");
  }

  @Test
  void streamsDecisionsWithProcessAndRule() {
    List<JsonNode> decisions =
        lines.stream().filter(l -> l.get("type").asString().equals("decision")).toList();
    assertThat(decisions)
        .extracting(d -> d.get("rule").asString() + ":" + d.get("binary").asString())
        .containsExactly(
            "no-one:/opt/d/one", "no-two:/opt/d/two", "no-two:/opt/d/two", "no-one:/opt/d/one");
    assertThat(decisions)
        .allSatisfy(
            d -> {
              assertThat(d.get("policy").asString()).isEqualTo("daemon");
              assertThat(d.get("label").asString()).isEqualTo("deny");
              assertThat(d.get("errno").asString()).isEqualTo("EPERM");
              assertThat(d.get("argv").get(0).asString()).isEqualTo(d.get("binary").asString());
              assertThat(d.get("pid").asInt()).isPositive();
              assertThat(d.get("ppid").asInt()).isPositive();
              assertThat(d.get("uid").asInt()).isZero();
            });
  }

  @Test
  void enforcementOutlivesTheDaemonAndItsDecisionsWaitForTheNextReader() throws Exception {
    assertThat(rc("run")).as(run.readOutFile("run.err")).isEqualTo("0");
    assertThat(rc("after-one")).isEqualTo("126");
    assertThat(FtguardGuest.readJson(run, "show.json").toString()).contains("no-one");
    List<JsonNode> after = FtguardGuest.readJsonLines(run, "after.jsonl");
    // the exec denied after the daemon stopped was buffered for the next reader
    assertThat(after)
        .filteredOn(d -> d.get("type").asString().equals("decision"))
        .extracting(d -> d.get("rule").asString() + ":" + d.get("binary").asString())
        .containsExactly("no-one:/opt/d/one");
    assertThat(rc("cleared-one")).isEqualTo("0");
  }
}
