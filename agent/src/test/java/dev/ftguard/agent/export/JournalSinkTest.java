package dev.ftguard.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.Samples;
import dev.ftguard.abi.TamperEvent;
import dev.ftguard.agent.json.EventJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** The journal's priorities (one per event type and decision) and the {@code <N>} prefix. */
class JournalSinkTest {
  @TempDir Path tmp;

  private static DecisionEvent decision(Action action, boolean would) {
    DecisionEvent d = Samples.execDenied(1);
    return new DecisionEvent(
        d.header(),
        d.generation(),
        d.rule(),
        d.kind(),
        action,
        would ? DecisionEvent.Mode.MONITOR : DecisionEvent.Mode.ENFORCE,
        would ? d.flags() | Abi.DEC_WOULD : d.flags() & ~Abi.DEC_WOULD,
        d.result(),
        d.mask(),
        d.policy(),
        d.ruleName(),
        d.family(),
        d.address(),
        d.port(),
        d.targetPid(),
        d.newUid(),
        d.newEuid(),
        d.argc(),
        d.binary(),
        d.object(),
        d.argv(),
        d.content(),
        d.sha256());
  }

  private static CallEvent call(Action action, boolean would) {
    CallEvent c = Samples.callDenied(2);
    return new CallEvent(
        c.header(),
        c.generation(),
        c.rule(),
        c.hook(),
        action,
        would ? DecisionEvent.Mode.MONITOR : DecisionEvent.Mode.ENFORCE,
        would ? c.flags() | Abi.DEC_WOULD : c.flags() & ~Abi.DEC_WOULD,
        c.retval(),
        c.policy(),
        c.ruleName(),
        c.function(),
        c.fields());
  }

  private static TamperEvent tamperWentAhead() {
    TamperEvent t = Samples.unloadRefused(3);
    return new TamperEvent(t.header(), t.what(), 0, t.generation(), false, t.target());
  }

  private record Case(Event event, Priority expected) {}

  private static List<Case> cases() {
    List<Case> cases = new java.util.ArrayList<>();
    cases.add(new Case(Samples.exec(1), Priority.INFO));
    cases.add(new Case(Samples.thread(2), Priority.DEBUG));
    cases.add(new Case(Samples.exited(3), Priority.DEBUG));
    cases.add(new Case(Samples.unloadRefused(4), Priority.WARNING));
    cases.add(new Case(Samples.ftraceOff(5), Priority.WARNING));
    cases.add(new Case(tamperWentAhead(), Priority.ERR));
    for (Action a : Action.values()) {
      Priority enforced =
          switch (a) {
            case ALLOW, AUDIT -> Priority.INFO;
            case DENY, KILL, DENY_KILL -> Priority.WARNING;
          };
      Priority would =
          switch (a) {
            case ALLOW, AUDIT -> Priority.INFO;
            case DENY, KILL, DENY_KILL -> Priority.NOTICE;
          };
      cases.add(new Case(decision(a, false), enforced));
      cases.add(new Case(decision(a, true), would));
      cases.add(new Case(call(a, false), enforced));
      cases.add(new Case(call(a, true), would));
    }
    return cases;
  }

  @Test
  void everyEventTypeAndDecisionHasItsPriority() {
    Set<Class<?>> covered = new HashSet<>();
    for (Case c : cases()) {
      assertThat(Priority.of(c.event())).as(c.event().toString()).isEqualTo(c.expected());
      assertThat(ExportRecord.of(c.event()).priority()).isEqualTo(c.expected());
      covered.add(c.event().getClass());
    }
    // a new kind of event must be given its priority here too
    assertThat(covered).containsExactlyInAnyOrder(Event.class.getPermittedSubclasses());
    // deny, kill and tamper: warning or higher; allow and audit: info
    assertThat(Priority.WARNING.level()).isEqualTo(4);
    assertThat(Priority.ERR.level()).isEqualTo(3);
    assertThat(Priority.NOTICE.level()).isEqualTo(5);
    assertThat(Priority.INFO.level()).isEqualTo(6);
    assertThat(Priority.DEBUG.level()).isEqualTo(7);
  }

  @Test
  void noticesHaveTheirPriority() {
    ExportRecord drop =
        ExportRecord.drop(Instant.EPOCH, new long[] {1, 0, 0}, new long[] {1, 0, 0});
    assertThat(drop.priority()).isEqualTo(Priority.WARNING);
    ObjectNode ok =
        EventJson.MAPPER.createObjectNode().put("type", "policy_reload").put("ok", true);
    ObjectNode failed =
        EventJson.MAPPER.createObjectNode().put("type", "policy_reload").put("ok", false);
    assertThat(ExportRecord.notice(ok).priority()).isEqualTo(Priority.NOTICE);
    assertThat(ExportRecord.notice(failed).priority()).isEqualTo(Priority.ERR);
    assertThat(ExportRecord.of(Samples.thread(1)).withBinary("/bin/sh").priority())
        .isEqualTo(Priority.DEBUG);
  }

  @Test
  void journalLinesArePrefixedAndTheFileGetsThePlainLines() throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Path file = tmp.resolve("events.jsonl");
    Exporter exporter =
        new Exporter(
            ExportFilter.ALL,
            Optional.empty(),
            List.of(
                new JournalSink(
                    new StreamSink(stdout, FlushPolicy.everyLine(), false, System::nanoTime)),
                RotatingFileSink.open(FileSinkConfig.of(file))),
            ExportListener.NONE);
    List<ExportRecord> records =
        List.of(
            ExportRecord.of(Samples.execDenied(1)),
            ExportRecord.of(Samples.exec(2)),
            ExportRecord.of(Samples.thread(3)),
            ExportRecord.of(Samples.connectAudit(4, "10.0.0.1", Abi.AF_INET)),
            ExportRecord.of(Samples.unloadRefused(5)));
    for (ExportRecord r : records) {
      exporter.export(r);
    }
    exporter.close();
    List<String> journal = stdout.toString(StandardCharsets.UTF_8).lines().toList();
    List<String> plain = records.stream().map(ExportRecord::line).toList();
    assertThat(journal)
        .containsExactly(
            "<4>" + plain.get(0),
            "<6>" + plain.get(1),
            "<7>" + plain.get(2),
            "<6>" + plain.get(3),
            "<4>" + plain.get(4));
    assertThat(Files.readAllLines(file)).containsExactlyElementsOf(plain);
    assertThat(Arrays.stream(Priority.values()).map(Priority::prefix))
        .containsExactly("<0>", "<1>", "<2>", "<3>", "<4>", "<5>", "<6>", "<7>");
  }
}
