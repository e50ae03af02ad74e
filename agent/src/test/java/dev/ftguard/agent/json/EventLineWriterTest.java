package dev.ftguard.agent.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventDecoder;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.abi.RecordEncoder;
import dev.ftguard.abi.Samples;
import dev.ftguard.agent.enrich.BinaryHash;
import dev.ftguard.agent.enrich.CgroupInfo;
import dev.ftguard.agent.enrich.Enrichment;
import dev.ftguard.agent.enrich.ProcessJson;
import dev.ftguard.agent.process.Ancestor;
import dev.ftguard.agent.process.ProcessView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The streaming writer writes, byte for byte, the lines the Jackson tree of each event wrote before
 * it ({@link TreeReference}): every event kind, with and without enrichment in each of its shapes,
 * and the tree {@link EventJson#event} reads back serializes to the same line.
 */
class EventLineWriterTest {
  static final CallFieldNames NAMES =
      CallFieldNames.of(
          Map.of(
              "__x64_sys_mkdirat", List.of("dfd", "path", "mode"),
              "__x64_sys_bind", List.of("addr.family", "addr.address", "addr.port", "label")));

  /** Every sample event, decoded from kernel bytes, and a few with unusual values. */
  static List<Event> events() {
    List<Event> samples =
        new ArrayList<>(
            List.of(
                Samples.exec(1),
                Samples.execInPlace(1),
                Samples.failedExecveat(2),
                Samples.thread(3),
                Samples.killed(4),
                Samples.exited(5),
                Samples.execDenied(6),
                Samples.openWouldDeny(7),
                Samples.openDeniedByIdentity(8),
                Samples.connectAudit(9, "169.254.169.254", Abi.AF_INET),
                Samples.connectAudit(10, "2001:db8::1", Abi.AF_INET6),
                Samples.connectAudit(11, "::ffff:10.0.0.1", Abi.AF_INET6),
                Samples.ptraceKilled(12),
                Samples.privilegeKill(13),
                Samples.moduleAudit(14),
                Samples.callAudit(15),
                Samples.callDenied(16),
                Samples.unloadRefused(17),
                Samples.ftraceOff(18)));
    List<Event> out = new ArrayList<>();
    for (Event e : samples) {
      out.add(EventDecoder.nativeOrder().decode(RecordEncoder.encode(e)).events().getFirst());
    }
    // values the kernel does not send but the writer must still get right (not decoded)
    Header odd = new Header(0, 0, 0, 1, -1L, -2L, 0, -3L, 7, 7, 0, 0, 0, 0, "q\"\\\n\t\u0001é€😀");
    out.add(new ForkEvent(odd, -1L, 9));
    out.add(
        new ExecEvent(
            odd, 0, 0, 3, "/bin/\u2028x", List.of("a\u0000b", "</script>", "\uFFFD"), 0, 0));
    out.add(
        new CallEvent(
            odd,
            1,
            2,
            3,
            DecisionEvent.Action.AUDIT,
            DecisionEvent.Mode.MONITOR,
            0,
            0,
            "p",
            "r",
            "f",
            List.of(new CallEvent.IntField(-1, 0), new CallEvent.IntField(Long.MIN_VALUE, 0))));
    return out;
  }

  static final ProcessView VIEW =
      new ProcessView(
          4242,
          1,
          "b00t-4242-99-0",
          Optional.of("b00t-1-1-0"),
          "/usr/bin/id",
          List.of("id", "-u"),
          99,
          ProcessView.Origin.EXEC,
          ProcessView.State.LIVE,
          List.of(
              new Ancestor("/usr/bin/bash", 1000, List.of("bash", "-l"), "b00t-1000-5-0"),
              new Ancestor("/sbin/init", 1, List.of("/sbin/init"), "b00t-1-1-0")));

  /** The enrichment in each of its shapes, null for none. */
  static List<Enrichment> enrichments() {
    List<Enrichment> out = new ArrayList<>();
    out.add(null);
    out.add(
        new Enrichment(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            new BinaryHash.Unavailable("process unknown")));
    List<BinaryHash> hashes =
        List.of(
            new BinaryHash.Hashed("ab".repeat(32), 12345),
            BinaryHash.PENDING,
            new BinaryHash.TooLarge(1L << 40, 1L << 30),
            new BinaryHash.Unavailable("exited before its binary was read"));
    ProcessView orphan =
        new ProcessView(
            7,
            0,
            "b00t-7-x",
            Optional.empty(),
            "",
            List.of(),
            -1,
            ProcessView.Origin.UNKNOWN,
            ProcessView.State.EXITED,
            List.of());
    out.addAll(rendered(orphan));
    for (BinaryHash h : hashes) {
      out.add(
          new Enrichment(
              Optional.of(VIEW),
              Optional.of("b00t-4250-100-0"),
              Optional.of("/srv/app"),
              Optional.of(
                  CgroupInfo.of(
                      "/kubepods.slice/kubepods-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/"
                          + "cri-containerd-"
                          + "c0ffee".repeat(10)
                          + "abcd.scope")),
              Optional.of("root"),
              Optional.of("wheel"),
              Optional.of("nobody"),
              h));
      out.add(
          new Enrichment(
              Optional.of(orphan),
              Optional.empty(),
              Optional.empty(),
              Optional.of(CgroupInfo.of("/system.slice/ssh.service")),
              Optional.of("user"),
              Optional.empty(),
              Optional.empty(),
              h));
    }
    return out;
  }

  /** Process parts rendered for the same image, another parent and another image. */
  static List<Enrichment> rendered(ProcessView orphan) {
    List<Enrichment> out = new ArrayList<>();
    ProcessView reparented =
        new ProcessView(
            VIEW.tgid(),
            VIEW.ppid(),
            VIEW.execId(),
            Optional.empty(),
            VIEW.binary(),
            VIEW.argv(),
            VIEW.startTicks(),
            VIEW.origin(),
            VIEW.state(),
            VIEW.ancestors().subList(0, 1));
    for (ProcessJson rendered :
        List.of(ProcessJson.of(VIEW), ProcessJson.of(reparented), ProcessJson.of(orphan))) {
      for (ProcessView p : List.of(VIEW, reparented)) {
        out.add(
            new Enrichment(
                Optional.of(p),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                BinaryHash.PENDING,
                rendered));
      }
    }
    return out;
  }

  static String write(Event e, CallFieldNames names, Enrichment x) throws IOException {
    var bytes = new ByteArrayOutputStream();
    var w = new EventLineWriter(bytes);
    w.line(e, names, x);
    w.flush();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyEventKindAndEnrichmentAsTheTreeWroteIt() throws IOException {
    int lines = 0;
    for (Event e : events()) {
      for (CallFieldNames names : List.of(CallFieldNames.NONE, NAMES)) {
        for (Enrichment x : enrichments()) {
          String expected =
              x == null ? TreeReference.line(e, names) : TreeReference.line(e, names, x);
          assertThat(write(e, names, x)).isEqualTo(expected + "\n");
          assertThat(EventJson.line(EventJson.event(e, names, x))).isEqualTo(expected);
          lines++;
        }
      }
    }
    assertThat(lines).isEqualTo(22 * 2 * 16);
  }

  @Test
  void linesFollowEachOtherOnOneGenerator() throws IOException {
    var bytes = new ByteArrayOutputStream();
    var w = new EventLineWriter(bytes);
    var expected = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      Event e = events().get(i % 21);
      Enrichment x = enrichments().get(i % 16);
      w.line(e, NAMES, x);
      expected
          .append(x == null ? TreeReference.line(e, NAMES) : TreeReference.line(e, NAMES, x))
          .append('\n');
    }
    w.flush();
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
  }

  @Test
  void timesAreWrittenAsInstantPrintsThem() throws IOException {
    SplittableRandom r = new SplittableRandom(14);
    List<Long> times =
        new ArrayList<>(List.of(0L, 1L, 999_999_999L, 1_000_000L, 1_000L, -1L, Long.MIN_VALUE));
    times.add(951_782_400_000_000_000L); // 2000-02-29
    times.add(4_107_542_400_000_000_000L); // 2100-03-01
    for (int i = 0; i < 20_000; i++) {
      long t = r.nextLong();
      times.add(
          switch (i % 4) {
            case 0 -> t;
            case 1 -> t / 1_000_000 * 1_000_000;
            case 2 -> t / 1000 * 1000;
            default -> t / 1_000_000_000 * 1_000_000_000;
          });
    }
    for (long t : times) {
      Header h = new Header(0, 0, 0, 0, 1, 1, t, 0, 1, 1, 0, 0, 0, 0, "x");
      String line = write(new ForkEvent(h, 0, 2), CallFieldNames.NONE, null);
      String expected =
          Instant.ofEpochSecond(
                  Long.divideUnsigned(t, 1_000_000_000L), Long.remainderUnsigned(t, 1_000_000_000L))
              .toString();
      assertThat(line)
          .as("wall_ns %s", Long.toUnsignedString(t))
          .contains("\"time\":\"" + expected + "\"");
    }
  }
}
