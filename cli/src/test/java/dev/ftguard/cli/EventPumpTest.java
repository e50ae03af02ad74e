package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.RecordEncoder;
import dev.ftguard.abi.Samples;
import dev.ftguard.agent.json.EventJson;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class EventPumpTest {
  final FakeSource source = new FakeSource();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final StringWriter errText = new StringWriter();
  final PrintWriter err = new PrintWriter(errText, true);
  final StopSignal stop = new StopSignal();
  final Clock clock = Clock.fixed(Instant.parse("2025-11-26T12:00:00Z"), ZoneOffset.UTC);

  EventPump pump(EventPump.Options options) {
    return new EventPump(source, out, err, options, stop, clock);
  }

  List<JsonNode> lines() {
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .satisfiesAnyOf(t -> assertThat(t).isEmpty(), t -> assertThat(t).endsWith("\n"));
    return text.lines().map(l -> EventJson.MAPPER.readTree(l)).toList();
  }

  @Test
  void drainPrintsBufferedEventsAndStopsAtTheFirstEmptyRead() throws Exception {
    source.batches.add(RecordEncoder.encodeAll(List.of(Samples.exec(1), Samples.thread(2))));
    source.batches.add(RecordEncoder.encode(Samples.exited(3)));
    var s = pump(EventPump.Options.of(false, 0, null)).run();

    assertThat(lines())
        .extracting(n -> n.get("type").asString())
        .containsExactly("exec", "fork", "exit");
    assertThat(lines()).extracting(n -> n.get("seq").asLong()).containsExactly(1L, 2L, 3L);
    assertThat(s.events()).isEqualTo(3);
    assertThat(s.exec()).isEqualTo(1);
    assertThat(source.reads).isEqualTo(3);
    assertThat(source.waits).containsOnly(0L); // draining never waits
    assertThat(errText.toString()).isEmpty();
  }

  @Test
  void countLimitsPrintedEvents() throws Exception {
    source.batches.add(
        RecordEncoder.encodeAll(List.of(Samples.exec(1), Samples.exec(2), Samples.exec(3))));
    var s = pump(EventPump.Options.of(true, 2, null)).run();
    assertThat(lines()).hasSize(2);
    assertThat(s.events()).isEqualTo(2);
  }

  @Test
  void growingDropCountersAreReportedInBand() throws Exception {
    source.dropped = new long[] {4, 0, 0}; // before we started: baseline, not reported
    source.batches.add(RecordEncoder.encode(Samples.exec(1)));
    source.batches.add(RecordEncoder.encode(Samples.exec(5)));
    source.afterRead =
        n -> {
          if (n == 1) {
            source.dropped = new long[] {7, 1, 0}; // lost while the first batch was read
          }
        };
    var s = pump(EventPump.Options.of(false, 0, null)).run();

    List<JsonNode> l = lines();
    assertThat(l).extracting(n -> n.get("type").asString()).containsExactly("exec", "drop", "exec");
    JsonNode drop = l.get(1);
    assertThat(drop.get("dropped").get("buffer_full").asLong()).isEqualTo(3);
    assertThat(drop.get("dropped").get("nomem").asLong()).isEqualTo(1);
    assertThat(drop.get("count").asLong()).isEqualTo(4);
    assertThat(drop.get("dropped_since_load").get("buffer_full").asLong()).isEqualTo(7);
    assertThat(drop.get("time").asString()).isEqualTo("2025-11-26T12:00:00Z");
    assertThat(s.droppedTotal()).isEqualTo(4);
    assertThat(EventPump.describe(s))
        .contains("dropped 4 records (buffer_full 3, nomem 1, reader_fault 0)");
  }

  @Test
  void abiVersionMismatchIsRefused() {
    source.abiVersion = Abi.ABI_VERSION + 1;
    assertThatThrownBy(() -> pump(EventPump.Options.of(false, 0, null)).run())
        .isInstanceOfSatisfying(
            UserException.class, u -> assertThat(u.exitCode()).isEqualTo(ExitCode.INCOMPATIBLE))
        .hasMessageContaining("ABI version " + (Abi.ABI_VERSION + 1));
  }

  @Test
  void badAndUnknownRecordsGoToStderrAndDecodingContinues() throws Exception {
    byte[] future = RecordEncoder.raw(99, 96, Samples.hdr(2, 1));
    byte[] bad = RecordEncoder.raw(Abi.EV_FORK, 80, Samples.hdr(3, 1)); // too short for fork
    source.batches.add(
        concat(
            RecordEncoder.encode(Samples.exec(1)),
            future,
            future,
            bad,
            RecordEncoder.encode(Samples.exited(4))));
    var s = pump(EventPump.Options.of(false, 0, null)).run();
    assertThat(lines()).hasSize(2);
    assertThat(s.unknown()).isEqualTo(2);
    assertThat(s.decodeErrors()).isEqualTo(1);
    assertThat(errText.toString().lines().filter(l -> l.contains("unknown type 99")).count())
        .isEqualTo(1);
    assertThat(errText.toString())
        .contains("its fixed part needs 96 (record skipped)")
        .doesNotContain("Exception");
  }

  @Test
  void followStopsCleanlyWhenTheShutdownHookRuns() throws Exception {
    AtomicLong seq = new AtomicLong();
    source.generator =
        () ->
            RecordEncoder.encodeAll(
                List.of(
                    Samples.exec(seq.incrementAndGet()), Samples.exited(seq.incrementAndGet())));
    var options = new EventPump.Options(true, 0, null, Duration.ofMillis(20), 64 * 1024);
    var result = new java.util.concurrent.atomic.AtomicReference<EventPump.Summary>();
    Thread loop =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    result.set(pump(options).run());
                    err.println(EventPump.describe(result.get()));
                  } catch (Exception e) {
                    throw new RuntimeException(e);
                  } finally {
                    stop.finished(0);
                  }
                });
    Thread.sleep(100);
    AtomicInteger haltCode = new AtomicInteger(-1);
    Thread hook =
        Thread.ofPlatform().start(stop.hook(Duration.ofSeconds(5), haltCode::set, err::flush));
    hook.join(TimeUnit.SECONDS.toMillis(10));
    loop.join(TimeUnit.SECONDS.toMillis(10));

    assertThat(loop.isAlive()).isFalse();
    assertThat(haltCode.get()).isZero();
    List<JsonNode> l = lines(); // every line parses; output ends with a newline
    assertThat(l).isNotEmpty();
    assertThat(l).extracting(n -> n.get("seq").asLong()).isSorted();
    assertThat(result.get().events()).isEqualTo(l.size());
    assertThat(errText.toString()).contains("events (exec").contains("no records dropped");
  }

  @Test
  void hookDoesNothingAfterANormalEnd() {
    stop.finished(0);
    AtomicInteger haltCode = new AtomicInteger(-1);
    stop.hook(Duration.ofSeconds(1), haltCode::set, () -> {}).run();
    assertThat(haltCode.get()).isEqualTo(-1);
  }

  @Test
  void finishedRemovesTheInstalledHook() {
    Thread hook = stop.install(Duration.ofMillis(50), () -> {});
    stop.finished(0, hook);
    assertThat(Runtime.getRuntime().removeShutdownHook(hook)).isFalse(); // already removed
  }

  @Test
  void finishedKeepsTheHookWhenAStopWasRequested() {
    Thread hook = stop.install(Duration.ofMillis(50), () -> {});
    stop.requestStop(); // as the hook does on a signal: it must stay to halt with our code
    stop.finished(3, hook);
    assertThat(Runtime.getRuntime().removeShutdownHook(hook)).isTrue(); // was still there
  }

  @Test
  void hookHaltsWith130WhenTheLoopDoesNotFinish() {
    AtomicInteger haltCode = new AtomicInteger(-1);
    stop.hook(Duration.ofMillis(50), haltCode::set, () -> {}).run();
    assertThat(stop.stopRequested()).isTrue();
    assertThat(haltCode.get()).isEqualTo(130);
  }

  @Test
  void hookFlushesWhatTheStuckLoopWroteBeforeHalting() throws IOException {
    var sink = new ByteArrayOutputStream();
    var buffered = new BufferedOutputStream(sink, 64 * 1024);
    var errSink = new StringWriter();
    var errWriter = new PrintWriter(errSink);
    buffered.write("{\"type\":\"exec\"}\n".getBytes(StandardCharsets.UTF_8));
    errWriter.print("ftguard: partial summary");
    AtomicInteger haltCode = new AtomicInteger(-1);

    stop.hook(Duration.ofMillis(50), haltCode::set, StopSignal.flushing(buffered, errWriter)).run();

    assertThat(haltCode.get()).isEqualTo(130);
    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"exec\"}\n");
    assertThat(errSink.toString()).isEqualTo("ftguard: partial summary");
  }

  @Test
  void hookFlushIgnoresAClosedStdout() throws IOException {
    var closed =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
          }
        };
    var buffered = new BufferedOutputStream(closed, 16);
    buffered.write("x".getBytes(StandardCharsets.UTF_8));
    AtomicInteger haltCode = new AtomicInteger(-1);

    stop.hook(
            Duration.ofMillis(10),
            haltCode::set,
            StopSignal.flushing(buffered, new PrintWriter(new StringWriter())))
        .run();

    assertThat(haltCode.get()).isEqualTo(130);
  }

  @Test
  void followEndsAtTheTimeout() throws Exception {
    var realClock = Clock.systemUTC();
    var options =
        new EventPump.Options(true, 0, Duration.ofMillis(150), Duration.ofMillis(50), 64 * 1024);
    long t0 = System.nanoTime();
    var s = new EventPump(source, out, err, options, stop, realClock).run();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(ms).isBetween(140L, 3000L);
    assertThat(s.events()).isZero();
    assertThat(source.waits).allMatch(w -> w <= 50);
  }

  @Test
  void closedOutputStopsQuietly() throws Exception {
    source.batches.add(RecordEncoder.encode(Samples.exec(1)));
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
          }
        };
    var s =
        new EventPump(source, broken, err, EventPump.Options.of(true, 0, null), stop, clock).run();
    assertThat(s.outputClosed()).isTrue();
  }

  static byte[] concat(byte[]... parts) {
    var o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  @Test
  void eventsOfOneReadGoOutInTheOrderOfTheirCalls() {
    // a child's fork read before its parent's exec (the CPUs' buffers merged out of order)
    var exec = Samples.exec(5);
    var fork = Samples.thread(4);
    var forkLater =
        new dev.ftguard.abi.ForkEvent(
            new dev.ftguard.abi.Header(
                0, 0, 0, 3, 6, exec.header().monoNs() + 1, 0, 7, 1, 1, 1, 0, 0, 0, "sh"),
            0,
            99);
    var unknown = new dev.ftguard.abi.UnknownRecord(0, 77, 96, 9);
    List<dev.ftguard.abi.Decoded> read = List.of(forkLater, unknown, exec, fork);
    assertThat(EventPump.inCallOrder(read)).containsExactly(fork, unknown, exec, forkLater);
  }
}
