package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.GuestResult;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code ftguard run}'s process lineage in the VM: a three-level chain of programs (each forks and
 * execs the next) shows the full ancestry on the last one's events, with exec ids that link each
 * process to its parent; events carry user names and the binary's SHA-256; and every line the
 * daemon wrote validates against docs/schema/ftguard-events.schema.json.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LineageIT {

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: lineage}
            spec:
              rules:
                - {name: level3, event: exec, match: {binary: {exact: [/opt/l/level3]}}, action: audit}
            """;

  private static final String PAYLOAD =
      """
            F=%1$s
            T=%2$s
            mkdir -p /pol /opt/l
            for n in 1 2 3; do cp $T /opt/l/level$n; done
            cat > /pol/p.yaml <<'EOF'
            %3$s
            EOF
            $F load --ko %4$s
            $F run --policy /pol/p.yaml > /out/run.jsonl 2> /out/run.err &
            d=$!
            daemon_started
            /opt/l/level1 spawn /opt/l/level2 spawn /opt/l/level3 sleep 6 > /out/chain.txt
            sleep 1
            /opt/l/level1 spawn /opt/l/level2 spawn /opt/l/level3 sleep 6 > /out/chain2.txt
            sha256sum $T | cut -d' ' -f1 > /out/sha.txt
            await 300 "no level3 line" has '"rule":"level3"' 2
            sleep 2
            stop_daemon
            $F unload
            """;

  private GuestResult run;
  private List<JsonNode> lines;

  @BeforeAll
  void boot() throws Exception {
    run =
        FtguardGuest.runClean(
            FtguardGuest.withTestFiles(FtguardGuest.guest("lineage", Duration.ofMinutes(6)))
                .payload(
                    FtguardGuest.daemonScript(
                        PAYLOAD.formatted(
                            FtguardGuest.FTGUARD,
                            FtguardGuest.TEST_HELPER,
                            POLICY.strip(),
                            FtguardGuest.MODULE))));
    lines = FtguardGuest.readJsonLines(run, "run.jsonl");
  }

  private JsonNode execOf(String binary) {
    return lines.stream()
        .filter(
            l ->
                l.get("type").asString().equals("exec")
                    && l.get("filename").asString().equals(binary))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no exec of " + binary));
  }

  @Test
  void aThreeLevelChainShowsItsFullLineage() throws Exception {
    assertThat(run.readOutFile("run.rc").strip()).as(run.readOutFile("run.err")).isEqualTo("0");
    JsonNode l1 = execOf("/opt/l/level1").get("process");
    JsonNode l2 = execOf("/opt/l/level2").get("process");
    JsonNode l3 = execOf("/opt/l/level3").get("process");
    assertThat(l3.get("binary").asString()).isEqualTo("/opt/l/level3");
    assertThat(l3.get("argv").toString()).isEqualTo("[\"/opt/l/level3\",\"sleep\",\"6\"]");
    // the exec ids link each process to its parent
    assertThat(l3.get("parent_exec_id").asString()).isEqualTo(l2.get("exec_id").asString());
    assertThat(l2.get("parent_exec_id").asString()).isEqualTo(l1.get("exec_id").asString());
    assertThat(List.of(l1, l2, l3))
        .extracting(p -> p.get("exec_id").asString())
        .doesNotHaveDuplicates();
    // the ancestor chain, nearest first: level2, level1, then the shell that ran the payload
    List<JsonNode> anc = List.copyOf(l3.get("ancestors").valueStream().toList());
    assertThat(anc).hasSizeGreaterThanOrEqualTo(3);
    assertThat(anc.get(0).get("binary").asString()).isEqualTo("/opt/l/level2");
    assertThat(anc.get(0).get("exec_id").asString()).isEqualTo(l2.get("exec_id").asString());
    assertThat(anc.get(1).get("binary").asString()).isEqualTo("/opt/l/level1");
    assertThat(anc.get(1).get("argv").get(1).asString()).isEqualTo("spawn");
    // the audited decision of level3 carries the same process
    JsonNode decision =
        lines.stream()
            .filter(l -> l.has("rule") && l.get("rule").asString().equals("level3"))
            .findFirst()
            .orElseThrow();
    assertThat(decision.get("process").get("ancestors").get(0).get("binary").asString())
        .isEqualTo("/opt/l/level2");
  }

  @Test
  void eventsCarryUserNamesAndTheBinarysHash() throws Exception {
    JsonNode exec = execOf("/opt/l/level3");
    assertThat(exec.get("user").asString()).isEqualTo("root");
    String sha = run.readOutFile("sha.txt").strip();
    // hashed off the hot path from /proc/PID/exe while the process lives (it sleeps 6 s; the
    // daemon can lag seconds behind under TCG), cached by (device, inode, change time): the
    // later events of level3 carry the SHA-256 of the binary
    List<JsonNode> hashed =
        lines.stream()
            .filter(
                l ->
                    l.has("process")
                        && l.get("process").get("binary").asString().equals("/opt/l/level3"))
            .filter(l -> l.get("process").get("binary_hash").has("sha256"))
            .toList();
    assertThat(hashed)
        .isNotEmpty()
        .allSatisfy(
            l ->
                assertThat(l.get("process").get("binary_hash").get("sha256").asString())
                    .isEqualTo(sha));
  }

  @Test
  void everyLineValidatesAgainstTheSchema() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode schemaJson =
        mapper.readTree(
            Files.readString(Repository.root().resolve("docs/schema/ftguard-events.schema.json")));
    Schema schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
    assertThat(lines).hasSizeGreaterThan(10);
    for (JsonNode line : lines) {
      List<String> errors = schema.validate(line).stream().map(Error::toString).toList();
      assertThat(errors).as(line.toString()).isEmpty();
    }
  }
}
