package dev.ftguard.agent.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Samples;
import dev.ftguard.agent.json.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Records, filters, the rate limit and the export stage. */
class ExporterTest {
  static final ExportRecord EXEC = ExportRecord.of(Samples.exec(1));
  static final ExportRecord FORK = ExportRecord.of(Samples.thread(2));
  static final ExportRecord EXIT = ExportRecord.of(Samples.exited(3));
  static final ExportRecord DENIED =
      ExportRecord.of(Samples.execDenied(4)); // /usr/bin/bash, exec-from-tmp
  static final ExportRecord CURL =
      ExportRecord.of(Samples.connectAudit(5, "169.254.169.254", Abi.AF_INET)); // metadata
  static final ExportRecord DROP =
      ExportRecord.drop(
          Instant.parse("2025-11-26T12:00:00Z"), new long[] {1, 0, 0}, new long[] {1, 0, 0});

  static ExportRecord reload() {
    ObjectNode o = EventJson.MAPPER.createObjectNode();
    o.put("type", "policy_reload");
    o.put("ok", true);
    return ExportRecord.notice(o);
  }

  @Test
  void recordsCarryTypeBinaryAndRuleFromTheTypedEvent() {
    assertThat(EXEC.type()).isEqualTo("exec");
    assertThat(EXEC.binary()).contains("/usr/bin/id");
    assertThat(EXEC.rule()).isEmpty();
    assertThat(FORK.binary()).isEmpty();
    assertThat(EXIT.type()).isEqualTo("exit");
    assertThat(DENIED.binary()).contains("/usr/bin/bash");
    assertThat(DENIED.rule()).contains("exec-from-tmp");
    assertThat(DROP.type()).isEqualTo("drop");
    assertThat(DROP.notice()).isTrue();
    assertThat(reload().notice()).isTrue();
    assertThat(EXEC.notice()).isFalse();
    assertThat(EXEC.line()).isEqualTo(EventJson.line(EventJson.event(Samples.exec(1))));
    assertThat(FORK.withBinary("/usr/bin/make").binary()).contains("/usr/bin/make");
    ExportRecord call = ExportRecord.of(Samples.callAudit(6));
    assertThat(call.type()).isEqualTo("call");
    assertThat(call.rule()).contains("mkdir-in-etc");
    assertThat(call.binary()).isEmpty();
    assertThat(call.notice()).isFalse();
  }

  @Test
  void aRecordCanCarryTheLineTheCallerWrote() {
    ObjectNode json = EventJson.event(Samples.execDenied(7));
    json.put("enriched", true);
    String line = EventJson.line(json);
    ExportRecord r = ExportRecord.of(Samples.execDenied(7), line);
    assertThat(r.line()).isSameAs(line);
    assertThat(r.type()).isEqualTo("decision");
    assertThat(r.rule()).contains("exec-from-tmp");
    assertThat(r.line()).endsWith(",\"enriched\":true}");
  }

  @Test
  void aRecordsTypeMustBeItsLinesType() {
    String line = EventJson.line(EventJson.event(Samples.exec(1)));
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> new ExportRecord("fork", Optional.empty(), Optional.empty(), Priority.INFO, line))
        .withMessageContaining("differs from the line's \"type\": exec");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new ExportRecord(
                    "exec", Optional.empty(), Optional.empty(), Priority.INFO, "{\"seq\":1}"))
        .withMessageContaining("differs from the line's \"type\": null");
    assertThat(
            new ExportRecord("exec", Optional.empty(), Optional.empty(), Priority.INFO, line)
                .line())
        .isEqualTo(ExportRecord.of(Samples.exec(1)).line());
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ExportRecord.notice(EventJson.MAPPER.createObjectNode()))
        .withMessageContaining("needs a string \"type\"");
  }

  @Test
  void typeFilter() {
    ExportFilter f = ExportFilter.of(List.of("exec", "decision"), Optional.empty(), List.of());
    assertThat(f.reject(EXEC)).isEmpty();
    assertThat(f.reject(DENIED)).isEmpty();
    assertThat(f.reject(FORK)).contains(ExportDropReason.FILTERED_TYPE);
    assertThat(f.reject(EXIT)).contains(ExportDropReason.FILTERED_TYPE);
    assertThat(f.reject(DROP)).isEmpty();
    assertThat(f.reject(reload())).isEmpty();
  }

  @Test
  void binaryFilterFindsThePatternAndRejectsRecordsWithoutBinary() {
    ExportFilter f = ExportFilter.of(List.of(), Optional.of("^/usr/bin/(curl|id)$"), List.of());
    assertThat(f.reject(EXEC)).isEmpty(); // exec filename /usr/bin/id
    assertThat(f.reject(CURL)).isEmpty(); // decision binary /usr/bin/curl
    assertThat(f.reject(DENIED)).contains(ExportDropReason.FILTERED_BINARY); // /usr/bin/bash
    assertThat(f.reject(FORK)).contains(ExportDropReason.FILTERED_BINARY); // no binary
    assertThat(f.reject(FORK.withBinary("/usr/bin/curl"))).isEmpty(); // once enriched
    assertThat(f.reject(DROP)).isEmpty();

    ExportFilter unanchored = ExportFilter.of(List.of(), Optional.of("bash"), List.of());
    assertThat(unanchored.reject(DENIED)).isEmpty();
    assertThat(unanchored.reject(EXEC)).contains(ExportDropReason.FILTERED_BINARY);
  }

  @Test
  void ruleFilterKeepsOnlyDecisionsAndCallsOfTheRules() {
    ExportFilter f =
        ExportFilter.of(List.of(), Optional.empty(), List.of("metadata", "mkdir-in-etc"));
    assertThat(f.reject(CURL)).isEmpty();
    assertThat(f.reject(ExportRecord.of(Samples.callAudit(9)))).isEmpty();
    assertThat(f.reject(ExportRecord.of(Samples.callDenied(9))))
        .contains(ExportDropReason.FILTERED_RULE);
    assertThat(f.reject(DENIED)).contains(ExportDropReason.FILTERED_RULE);
    assertThat(f.reject(EXEC)).contains(ExportDropReason.FILTERED_RULE);
    assertThat(f.reject(DROP)).isEmpty();
  }

  @Test
  void everyCriterionMustHoldAndTheFirstFailingOneIsTheReason() {
    ExportFilter f =
        ExportFilter.of(List.of("decision"), Optional.of("curl"), List.of("exec-from-tmp"));
    assertThat(f.reject(EXEC)).contains(ExportDropReason.FILTERED_TYPE);
    assertThat(f.reject(DENIED)).contains(ExportDropReason.FILTERED_BINARY);
    assertThat(f.reject(CURL)).contains(ExportDropReason.FILTERED_RULE);
    assertThat(ExportFilter.ALL.reject(EXEC)).isEmpty();
  }

  @Test
  void tokenBucketStartsFullRefillsWithTimeAndCapsAtTheBurst() {
    AtomicLong now = new AtomicLong(5_000_000_000L);
    RateLimiter limiter = new RateLimiter(RateLimit.of(10, 3), now::get);
    assertThat(acquire(limiter, 5)).containsExactly(true, true, true, false, false);
    now.addAndGet(99_999_999); // 0.0999... s: not yet a token
    assertThat(limiter.tryAcquire()).isFalse();
    now.addAndGet(1); // 0.1 s at 10/s: one token
    assertThat(acquire(limiter, 2)).containsExactly(true, false);
    now.addAndGet(60_000_000_000L); // a minute: the bucket holds 3, not 600
    assertThat(acquire(limiter, 4)).containsExactly(true, true, true, false);
    assertThat(limiter.admitted()).isEqualTo(7);
    assertThat(limiter.limited()).isEqualTo(5);
  }

  @Test
  void fractionalRatesAddUpToWholeTokens() {
    AtomicLong now = new AtomicLong();
    RateLimiter limiter = new RateLimiter(RateLimit.of(3, 1), now::get);
    assertThat(limiter.tryAcquire()).isTrue();
    for (int i = 0; i < 3; i++) {
      now.addAndGet(333_333_333);
      assertThat(limiter.tryAcquire()).as("token %d", i).isTrue();
      assertThat(limiter.tryAcquire()).isFalse();
    }
  }

  static List<Boolean> acquire(RateLimiter l, int n) {
    List<Boolean> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(l.tryAcquire());
    }
    return out;
  }

  /** A sink that keeps its lines. */
  static final class Collect implements Sink {
    final List<String> lines = new ArrayList<>();
    int flushes;
    boolean closed;

    @Override
    public void write(String line) {
      lines.add(line);
    }

    @Override
    public void flush() {
      flushes++;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void exporterFiltersLimitsCountsAndWritesEachLineToEverySink() throws IOException {
    AtomicLong now = new AtomicLong();
    RateLimiter limiter = new RateLimiter(new RateLimit(1, 2, Set.of("decision")), now::get);
    ExportFilter filter = ExportFilter.of(List.of("exec", "decision"), Optional.empty(), List.of());
    Map<ExportDropReason, List<String>> told = new EnumMap<>(ExportDropReason.class);
    Collect a = new Collect();
    Collect b = new Collect();
    Exporter exporter =
        new Exporter(
            filter,
            Optional.of(limiter),
            List.of(a, b),
            (reason, record) ->
                told.computeIfAbsent(reason, _ -> new ArrayList<>()).add(record.type()));

    List<ExportRecord> in = new ArrayList<>();
    for (long seq = 1; seq <= 10; seq++) {
      in.add(ExportRecord.of(Samples.exec(seq))); // 2 pass (the burst), 8 are limited
      in.add(ExportRecord.of(Samples.thread(100 + seq))); // filtered by type
    }
    in.add(ExportRecord.of(Samples.execDenied(200))); // decisions are exempt from the limit
    in.add(ExportRecord.of(Samples.execDenied(201)));
    in.add(DROP); // notices pass everything
    in.add(reload());
    for (ExportRecord r : in) {
      exporter.export(r);
    }
    now.addAndGet(1_000_000_000L);
    assertThat(exporter.export(ExportRecord.of(Samples.exec(11)))).isTrue();
    assertThat(exporter.export(ExportRecord.of(Samples.exec(12)))).isFalse();
    exporter.flush();

    List<String> types =
        a.lines.stream().map(l -> EventJson.MAPPER.readTree(l).get("type").asString()).toList();
    assertThat(types)
        .containsExactly("exec", "exec", "decision", "decision", "drop", "policy_reload", "exec");
    assertThat(a.lines.getFirst()).isEqualTo(EventJson.line(EventJson.event(Samples.exec(1))));
    assertThat(b.lines).isEqualTo(a.lines);
    assertThat(a.flushes).isEqualTo(1);

    ExportStats stats = exporter.stats();
    assertThat(stats.exported()).isEqualTo(7);
    assertThat(stats.dropped(ExportDropReason.FILTERED_TYPE)).isEqualTo(10);
    assertThat(stats.dropped(ExportDropReason.RATE_LIMITED)).isEqualTo(9);
    assertThat(stats.dropped(ExportDropReason.FILTERED_BINARY)).isZero();
    assertThat(stats.dropped(ExportDropReason.FILTERED_RULE)).isZero();
    assertThat(stats.droppedTotal()).isEqualTo(19);
    assertThat(told.get(ExportDropReason.FILTERED_TYPE)).hasSize(10).containsOnly("fork");
    assertThat(told.get(ExportDropReason.RATE_LIMITED)).hasSize(9).containsOnly("exec");
    assertThat(limiter.limited()).isEqualTo(9);

    exporter.close();
    assertThat(a.closed).isTrue();
    assertThat(b.closed).isTrue();
  }

  @Test
  void aFailingSinkDoesNotKeepTheLineFromTheOthers() throws IOException {
    Sink broken =
        new Sink() {
          @Override
          public void write(String line) throws IOException {
            throw new IOException("Broken pipe");
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Collect after = new Collect();
    Exporter exporter =
        new Exporter(
            ExportFilter.ALL, Optional.empty(), List.of(broken, after), ExportListener.NONE);
    assertThatIOException().isThrownBy(() -> exporter.export(EXEC)).withMessage("Broken pipe");
    assertThat(after.lines).containsExactly(EXEC.line());
  }

  @Test
  void streamSinkWritesWholeLinesAndFlushesByPolicy() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong now = new AtomicLong();
    boolean[] closed = {false};
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) {
            bytes.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
          }

          @Override
          public void close() {
            closed[0] = true;
          }
        };
    StreamSink sink =
        new StreamSink(
            out, FlushPolicy.batched(2, java.time.Duration.ofSeconds(5)), false, now::get);
    sink.write(EXEC.line());
    assertThat(bytes.size()).isZero();
    sink.write(FORK.line());
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(EXEC.line() + "\n" + FORK.line() + "\n");
    sink.write(EXIT.line());
    sink.close();
    assertThat(bytes.toString(StandardCharsets.UTF_8)).endsWith("}\n" + EXIT.line() + "\n");
    assertThat(closed[0]).isFalse(); // standard output stays open
    assertThat(sink.lines()).isEqualTo(3);
    assertThatIOException().isThrownBy(() -> sink.write(EXEC.line())).withMessage("sink is closed");
  }
}
