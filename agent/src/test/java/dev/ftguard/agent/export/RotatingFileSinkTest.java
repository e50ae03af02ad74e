package dev.ftguard.agent.export;

import static dev.ftguard.agent.export.ExportFixtures.line;
import static dev.ftguard.agent.export.ExportFixtures.oneTo;
import static dev.ftguard.agent.export.ExportFixtures.range;
import static dev.ftguard.agent.export.ExportFixtures.read;
import static dev.ftguard.agent.export.ExportFixtures.readAll;
import static dev.ftguard.agent.export.ExportFixtures.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation, compression, flushing and recovery of the file sink, on real files. */
class RotatingFileSinkTest {
  @TempDir Path dir;

  Path active() {
    return dir.resolve("events.jsonl");
  }

  FileSinkConfig config() {
    return FileSinkConfig.of(active());
  }

  /** The names of the files in the directory but the lock file, sorted. */
  List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals("events.jsonl.lock"))
          .sorted()
          .toList();
    }
  }

  @Test
  void oneHundredThousandLinesAcrossManyRotationsAreAllThereOnceInOrder() throws IOException {
    long max = 1024 * 1024;
    int n = 100_000;
    FileSinkConfig config = config().withMaxBytes(max).withKeep(FileSinkConfig.MAX_KEEP);
    RotatingFileSink.Stats stats;
    RotatingFileSink sink = RotatingFileSink.open(config);
    try {
      for (long seq = 1; seq <= n; seq++) {
        sink.write(line(seq));
      }
    } finally {
      sink.close();
    }
    stats = sink.stats();

    assertThat(stats.lines()).isEqualTo(n);
    assertThat(stats.rotations()).isGreaterThan(30);
    assertThat(stats.compressFailures()).isZero();
    assertThat(stats.compressed()).isEqualTo(stats.rotations());
    List<Path> files = RotatedFiles.oldestFirst(active());
    assertThat(files).hasSize((int) stats.rotations() + 1);
    assertThat(files.getLast()).isEqualTo(active());
    assertThat(files.subList(0, files.size() - 1))
        .allSatisfy(f -> assertThat(f.getFileName().toString()).endsWith(".gz"));
    assertThat(names()).noneMatch(name -> name.endsWith(".tmp"));
    long total = 0;
    for (Path f : files) {
      List<String> lines = read(f);
      long bytes =
          lines.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1).sum();
      assertThat(bytes).as("%s", f).isLessThanOrEqualTo(max).isPositive();
      total += bytes;
    }
    assertThat(total).isEqualTo(stats.bytes());
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(n));
  }

  @Test
  void rotationKeepsTheConfiguredNumberOfFilesAndDeletesTheOldest() throws IOException {
    FileSinkConfig config = config().withMaxBytes(FileSinkConfig.MIN_MAX_BYTES).withKeep(3);
    long n = 2_000; // about 13 files of 64 KiB
    try (RotatingFileSink sink = RotatingFileSink.open(config)) {
      for (long seq = 1; seq <= n; seq++) {
        sink.write(line(seq));
      }
      assertThat(sink.stats().rotations()).isGreaterThan(6);
    }
    assertThat(names())
        .containsExactly(
            "events.jsonl", "events.jsonl.1.gz", "events.jsonl.2.gz", "events.jsonl.3.gz");
    assertThat(dir.resolve("events.jsonl.lock")).exists();
    assertThat(RotatedFiles.oldestFirst(active())).hasSize(4);
    List<Long> seqs = seqs(readAll(active()));
    // what is left is the newest lines, without a gap
    assertThat(seqs).isEqualTo(range(n - seqs.size() + 1, n));
    assertThat(seqs.size()).isLessThan((int) n);
    // each kept rotated file is full: the next line would not have fitted
    for (int i = 1; i <= 3; i++) {
      long bytes =
          read(dir.resolve("events.jsonl." + i + ".gz")).stream()
              .mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1)
              .sum();
      assertThat(bytes)
          .isBetween(FileSinkConfig.MIN_MAX_BYTES - 1024, FileSinkConfig.MIN_MAX_BYTES);
    }
  }

  @Test
  void withoutCompressionRotatedFilesStayPlain() throws IOException {
    FileSinkConfig config =
        config().withMaxBytes(FileSinkConfig.MIN_MAX_BYTES).withKeep(20).withCompress(false);
    try (RotatingFileSink sink = RotatingFileSink.open(config)) {
      for (long seq = 1; seq <= 1_000; seq++) {
        sink.write(line(seq));
      }
    }
    assertThat(names())
        .contains("events.jsonl.1", "events.jsonl.2")
        .noneMatch(f -> f.endsWith(".gz"));
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(1_000));
  }

  @Test
  void aLineLongerThanTheLimitGetsAFileOfItsOwnAndIsNotSplit() throws IOException {
    String big = "{\"type\":\"exec\",\"seq\":2,\"pad\":\"" + "x".repeat(100_000) + "\"}";
    FileSinkConfig config = config().withMaxBytes(FileSinkConfig.MIN_MAX_BYTES).withCompress(false);
    try (RotatingFileSink sink = RotatingFileSink.open(config)) {
      sink.write(line(1));
      sink.write(big);
      sink.write(line(3));
    }
    assertThat(read(dir.resolve("events.jsonl.2"))).containsExactly(line(1));
    assertThat(read(dir.resolve("events.jsonl.1"))).containsExactly(big);
    assertThat(read(active())).containsExactly(line(3));
  }

  @Test
  void linesWithLineBreaksAreRefused() throws IOException {
    try (RotatingFileSink sink = RotatingFileSink.open(config())) {
      org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
          .isThrownBy(() -> sink.write("{\"a\":1}\n{\"b\":2}"))
          .withMessageContaining("line break");
    }
    assertThat(Files.size(active())).isZero();
  }

  @Test
  void reopeningAppendsAndEndsALineCutByACrash() throws IOException {
    Files.writeString(active(), line(1) + "\n" + line(2).substring(0, 40));
    try (RotatingFileSink sink = RotatingFileSink.open(config())) {
      sink.write(line(3));
      assertThat(sink.stats().repairedLines()).isEqualTo(1);
    }
    assertThat(read(active())).containsExactly(line(1), line(2).substring(0, 40), line(3));
    // a complete file is left as it is
    try (RotatingFileSink sink = RotatingFileSink.open(config())) {
      sink.write(line(4));
      assertThat(sink.stats().repairedLines()).isZero();
    }
    assertThat(read(active())).hasSize(4).endsWith(line(4));
  }

  @Test
  void batchedFlushWritesOutAtTheLineCountAndTheDelay() throws IOException {
    AtomicLong now = new AtomicLong(1_000);
    FileSinkConfig config = config().withFlush(FlushPolicy.batched(3, Duration.ofSeconds(1)));
    try (RotatingFileSink sink = RotatingFileSink.open(config, now::get)) {
      sink.write(line(1));
      sink.write(line(2));
      assertThat(Files.size(active())).isZero();
      sink.write(line(3));
      assertThat(read(active())).hasSize(3);

      sink.write(line(4));
      now.addAndGet(999_999_999);
      sink.write(line(5));
      assertThat(read(active())).hasSize(3);
      now.addAndGet(1);
      sink.write(line(6)); // the oldest pending line is now 1 s old
      assertThat(read(active())).hasSize(6);

      sink.write(line(7));
      assertThat(read(active())).hasSize(6);
      sink.flush();
      assertThat(read(active())).hasSize(7);
    }
  }

  @Test
  void everyLineFlushWritesEachLineAtOnce() throws IOException {
    FileSinkConfig config = config().withFlush(FlushPolicy.everyLine()).withFsync(true);
    try (RotatingFileSink sink = RotatingFileSink.open(config)) {
      for (long seq = 1; seq <= 5; seq++) {
        sink.write(line(seq));
        assertThat(seqs(read(active()))).isEqualTo(oneTo(seq));
      }
    }
  }

  @Test
  void filesAreCreatedWithTheConfiguredMode() throws IOException {
    try (RotatingFileSink sink =
        RotatingFileSink.open(
            config()
                .withPermissions(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))) {
      sink.write(line(1));
    }
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(active())))
        .isEqualTo("rw-------");
  }

  // ---- crash safety -----------------------------------------------------------------------

  /** Writes {@code n} lines with compression off, so that plain rotated files are left. */
  void writePlain(long from, long to, int keep) throws IOException {
    FileSinkConfig config =
        config().withMaxBytes(FileSinkConfig.MIN_MAX_BYTES).withKeep(keep).withCompress(false);
    try (RotatingFileSink sink = RotatingFileSink.open(config)) {
      for (long seq = from; seq <= to; seq++) {
        sink.write(line(seq));
      }
    }
  }

  @Test
  void aCrashAtAnyStepOfTheCompressionLosesAndDuplicatesNothing() throws IOException {
    List<RotatedFiles.Step> steps =
        Stream.of(RotatedFiles.Step.values())
            .filter(s -> s.name().startsWith("COMPRESS_"))
            .toList();
    assertThat(steps).hasSize(5);
    for (RotatedFiles.Step step : steps) {
      clean();
      writePlain(1, 500, 10); // events.jsonl.1 .. .3 and the active file
      assertThat(names()).contains("events.jsonl.1", "events.jsonl.2");
      RotatedFiles files =
          new RotatedFiles(
              active(),
              FileSinkConfig.DEFAULT_PERMISSIONS,
              s -> {
                if (s == step) {
                  throw new ExportFixtures.SimulatedCrash(s.name());
                }
              });
      try {
        files.compress(1);
        throw new AssertionError("no crash at " + step);
      } catch (ExportFixtures.SimulatedCrash expected) {
        // the machine is down here
      }
      // right after the crash, a reader already finds every line once
      assertThat(seqs(readAll(active()))).as("after a crash at %s", step).isEqualTo(oneTo(500));

      // the next start settles the files: everything compressed, no temporary left, nothing lost
      try (RotatingFileSink sink =
          RotatingFileSink.open(config().withMaxBytes(FileSinkConfig.MIN_MAX_BYTES))) {
        sink.write(line(501));
      }
      assertThat(names())
          .as("after a crash at %s", step)
          .noneMatch(n -> n.endsWith(".tmp"))
          .noneMatch(n -> n.matches("events\\.jsonl\\.\\d+"));
      assertThat(seqs(readAll(active()))).as("after a crash at %s", step).isEqualTo(oneTo(501));
    }
  }

  @Test
  void aCrashAtAnyStepOfTheRotationLosesAndDuplicatesNothing() throws IOException {
    List<RotatedFiles.Step> steps =
        Stream.of(RotatedFiles.Step.values()).filter(s -> s.name().startsWith("ROTATE_")).toList();
    assertThat(steps).hasSize(4);
    int keep = 3;
    for (RotatedFiles.Step step : steps) {
      clean();
      AtomicLong rotations = new AtomicLong();
      RotatedFiles.StepHook hook =
          s -> {
            if (s == RotatedFiles.Step.ROTATE_RENAMED_ACTIVE) {
              rotations.incrementAndGet();
            }
            if (s == step && rotations.get() >= keep + 1) {
              throw new ExportFixtures.SimulatedCrash(s.name());
            }
          };
      FileSinkConfig config =
          config()
              .withMaxBytes(FileSinkConfig.MIN_MAX_BYTES)
              .withKeep(keep)
              .withFlush(FlushPolicy.everyLine());
      RotatingFileSink sink = RotatingFileSink.open(config, System::nanoTime, hook);
      long written = 0;
      try {
        for (long seq = 1; seq <= 100_000; seq++) {
          sink.write(line(seq));
          written = seq;
        }
        throw new AssertionError("no crash at " + step);
      } catch (ExportFixtures.SimulatedCrash expected) {
        sink.abandon();
      }
      List<Long> afterCrash = seqs(readAll(active()));
      // the kept files hold the newest lines up to the last one written, without a gap
      assertThat(afterCrash)
          .as("after a crash at %s", step)
          .isEqualTo(range(written - afterCrash.size() + 1, written));

      try (RotatingFileSink again = RotatingFileSink.open(config)) {
        for (long seq = written + 1; seq <= written + 1_000; seq++) {
          again.write(line(seq));
        }
      }
      List<Long> after = seqs(readAll(active()));
      assertThat(after)
          .as("after a crash at %s and a restart", step)
          .isEqualTo(range(written + 1_000 - after.size() + 1, written + 1_000));
      assertThat(names()).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void staleTemporaryFilesAreIgnoredByReadersAndDeletedAtOpening() throws IOException {
    writePlain(1, 500, 10);
    byte[] garbage = "not gzip at all".getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("events.jsonl.1.gz.tmp"), garbage); // next to its plain file
    Files.write(dir.resolve("events.jsonl.7.gz.tmp"), garbage); // an orphan
    assertThat(RotatedFiles.oldestFirst(active())).noneMatch(p -> p.toString().endsWith(".tmp"));
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(500));

    try (RotatingFileSink sink = RotatingFileSink.open(config())) {
      assertThat(sink.stats().compressed()).isGreaterThanOrEqualTo(2);
    }
    assertThat(names()).noneMatch(n -> n.endsWith(".tmp")).contains("events.jsonl.1.gz");
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(500));
  }

  @Test
  void aRotatedFileThatCannotBeCompressedStaysAndTheSinkStillOpens() throws IOException {
    writePlain(1, 500, 10);
    long rotated = names().stream().filter(n -> n.matches("events\\.jsonl\\.\\d+")).count();
    assertThat(rotated).isGreaterThanOrEqualTo(2);
    Path blocker = Files.createDirectories(dir.resolve("events.jsonl.2.gz.tmp/in-the-way"));
    try (RotatingFileSink sink = RotatingFileSink.open(config())) {
      sink.write(line(501));
      RotatingFileSink.Stats stats = sink.stats();
      assertThat(stats.compressFailures()).isEqualTo(1);
      assertThat(stats.lastCompressFailure())
          .hasValueSatisfying(m -> assertThat(m).contains("events.jsonl.2.gz.tmp"));
      assertThat(stats.compressed()).isEqualTo(rotated - 1); // all but slot 2
    }
    assertThat(names()).contains("events.jsonl.1.gz", "events.jsonl.2");
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(501));
    Files.delete(blocker);
    try (RotatingFileSink sink = RotatingFileSink.open(config())) {
      assertThat(sink.stats().compressFailures()).isZero();
    }
    assertThat(names()).contains("events.jsonl.2.gz").doesNotContain("events.jsonl.2");
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(501));
  }

  @Test
  void anIncompleteGzipNextToItsPlainFileIsRedone() throws IOException {
    writePlain(1, 500, 10);
    Path plain = dir.resolve("events.jsonl.1");
    byte[] content = Files.readAllBytes(plain);
    byte[] gz = gzip(content);
    Files.write(dir.resolve("events.jsonl.1.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(500)); // the plain file is read

    try (RotatingFileSink sink = RotatingFileSink.open(config())) {
      sink.flush();
    }
    assertThat(Files.exists(plain)).isFalse();
    try (InputStream in = RotatedFiles.open(dir.resolve("events.jsonl.1.gz"))) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(500));
  }

  @Test
  void aCompleteGzipNextToItsPlainFileWins() throws IOException {
    writePlain(1, 500, 10);
    Path plain = dir.resolve("events.jsonl.1");
    Files.write(dir.resolve("events.jsonl.1.gz"), gzip(Files.readAllBytes(plain)));
    try (RotatingFileSink sink = RotatingFileSink.open(config().withCompress(false))) {
      sink.flush();
    }
    assertThat(Files.exists(plain)).isFalse();
    assertThat(names()).contains("events.jsonl.1.gz", "events.jsonl.2"); // no compression asked
    assertThat(seqs(readAll(active()))).isEqualTo(oneTo(500));
  }

  static byte[] gzip(byte[] data) throws IOException {
    var out = new java.io.ByteArrayOutputStream();
    try (OutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  void clean() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
  }
}
