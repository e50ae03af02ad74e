package dev.ftguard.agent.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad settings give a typed exception whose message says what, where and how to fix it. */
class ExportConfigTest {
  @TempDir Path dir;

  @Test
  void missingDirectory() {
    Path file = dir.resolve("no/such/dir/events.jsonl");
    assertThatThrownBy(() -> RotatingFileSink.open(FileSinkConfig.of(file)))
        .isInstanceOfSatisfying(
            ExportConfigException.DirectoryMissing.class,
            e -> {
              assertThat(e.directory()).isEqualTo(dir.resolve("no/such/dir"));
              assertThat(e.setting()).isEqualTo("file.path");
            })
        .hasMessage(
            "file.path: output file "
                + file
                + ": directory "
                + dir.resolve("no/such/dir")
                + " does not exist; create it (mkdir -p "
                + dir.resolve("no/such/dir")
                + ") or choose a file in an existing directory");
  }

  @Test
  void parentIsAFile() throws IOException {
    Path notADir = Files.writeString(dir.resolve("plain"), "x");
    assertThatThrownBy(
            () -> RotatingFileSink.open(FileSinkConfig.of(notADir.resolve("events.jsonl"))))
        .isInstanceOf(ExportConfigException.DirectoryMissing.class)
        .hasMessageContaining(notADir + " is not a directory");
  }

  @Test
  void pathIsADirectory() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("logs"));
    assertThatThrownBy(() -> RotatingFileSink.open(FileSinkConfig.of(sub)))
        .isInstanceOf(ExportConfigException.NotARegularFile.class)
        .hasMessage(
            "file.path: output file "
                + sub
                + " is a directory; give a file name in it, e.g. "
                + sub.resolve("events.jsonl"));
  }

  @Test
  void pathIsASymbolicLink() throws IOException {
    Path target = Files.writeString(dir.resolve("elsewhere"), "");
    Path link = Files.createSymbolicLink(dir.resolve("events.jsonl"), target);
    assertThatThrownBy(() -> RotatingFileSink.open(FileSinkConfig.of(link)))
        .isInstanceOf(ExportConfigException.NotARegularFile.class)
        .hasMessageContaining("is a symbolic link; ftguard does not follow links");
    assertThat(Files.readString(target)).isEmpty();
  }

  @Test
  void directoryNotWritable() throws IOException {
    // root may write anywhere but on a read-only file system: test what this machine allows
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    Path target = Files.isWritable(ro) ? Path.of("/proc/sys") : ro;
    assumeThat(Files.isWritable(target)).as("a directory this process cannot write").isFalse();
    Path file = target.resolve("events.jsonl");
    assertThatThrownBy(() -> RotatingFileSink.open(FileSinkConfig.of(file)))
        .isInstanceOfSatisfying(
            ExportConfigException.NotWritable.class, e -> assertThat(e.path()).isEqualTo(target))
        .hasMessageStartingWith(
            "file.path: output file "
                + file
                + ": directory "
                + target
                + " is not writable by this process (uid ")
        .hasMessageContaining("; run as a user who may write there");
  }

  @Test
  void twoSinksOnOneFile() throws IOException {
    Path file = dir.resolve("events.jsonl");
    try (RotatingFileSink first = RotatingFileSink.open(FileSinkConfig.of(file))) {
      first.write("{\"type\":\"exec\"}");
      assertThatThrownBy(
              () -> RotatingFileSink.open(FileSinkConfig.of(dir.resolve("./events.jsonl"))))
          .isInstanceOfSatisfying(
              ExportConfigException.InUse.class,
              e -> assertThat(e.path()).endsWith(Path.of("events.jsonl")))
          .hasMessageContaining("is being written by another ftguard (it holds ")
          .hasMessageEndingWith(
              "; stop the other one, or give each its own file: two writers would rotate each"
                  + " other's files away");
      first.write("{\"type\":\"fork\"}"); // the refused one did not take the first one's lock
    }
    try (RotatingFileSink again = RotatingFileSink.open(FileSinkConfig.of(file))) {
      again.write("{\"type\":\"exit\"}");
    }
    assertThat(Files.readAllLines(file)).hasSize(3);
  }

  @Test
  void sizeBelowTheMinimum() {
    assertThatThrownBy(() -> FileSinkConfig.of(dir.resolve("e.jsonl")).withMaxBytes(1000))
        .isInstanceOfSatisfying(
            ExportConfigException.SizeTooSmall.class,
            e -> {
              assertThat(e.given()).isEqualTo(1000);
              assertThat(e.minimum()).isEqualTo(65536);
              assertThat(e.setting()).isEqualTo("file.max_bytes");
            })
        .hasMessage(
            "file.max_bytes: size limit 1000 bytes is below the minimum of 65536 bytes (64 KiB):"
                + " each file must hold many lines, and tiny files would rotate on every burst;"
                + " use at least 65536 bytes, e.g. 104857600 (100 MiB)");
    assertThat(FileSinkConfig.of(dir.resolve("e.jsonl")).withMaxBytes(65536).maxBytes())
        .isEqualTo(65536);
  }

  @Test
  void keptCountOutOfRange() {
    for (int keep : new int[] {0, -1, 1001}) {
      assertThatThrownBy(() -> FileSinkConfig.of(dir.resolve("e.jsonl")).withKeep(keep))
          .isInstanceOf(ExportConfigException.OutOfRange.class)
          .hasMessage(
              "file.keep: number of rotated files to keep "
                  + keep
                  + " is out of range; use 1 to 1000");
    }
  }

  @Test
  void modeThatLocksTheOwnerOut() {
    assertThatThrownBy(
            () ->
                FileSinkConfig.of(dir.resolve("e.jsonl"))
                    .withPermissions(PosixFilePermissions.fromString("r--r-----")))
        .isInstanceOf(ExportConfigException.OutOfRange.class)
        .hasMessage(
            "file.mode: file mode r--r----- is out of range; use a mode that lets the owner read"
                + " and write, e.g. rw-r----- (0640)");
  }

  @Test
  void badFlushPolicies() {
    assertThatThrownBy(() -> FlushPolicy.batched(0, Duration.ofSeconds(1)))
        .isInstanceOf(ExportConfigException.OutOfRange.class)
        .hasMessage("flush.max_lines: batch size 0 is out of range; use 1 to 1000000 lines");
    assertThatThrownBy(() -> FlushPolicy.batched(10, Duration.ZERO))
        .isInstanceOf(ExportConfigException.OutOfRange.class)
        .hasMessage(
            "flush.max_delay: batch delay PT0S is out of range; use more than 0 and at most 60 s");
  }

  @Test
  void badBinaryPattern() {
    assertThatThrownBy(() -> ExportFilter.of(List.of(), Optional.of("/usr/bin/(curl"), List.of()))
        .isInstanceOfSatisfying(
            ExportConfigException.BadPattern.class,
            e -> assertThat(e.pattern()).isEqualTo("/usr/bin/(curl"))
        .hasMessageStartingWith(
            "filter.binary: regular expression '/usr/bin/(curl' is not valid: Unclosed group")
        .hasMessageEndingWith(
            "; write a java.util.regex pattern, e.g. ^/usr/bin/(curl|wget)$ (escape a literal dot"
                + " as \\.)");
  }

  @Test
  void unknownTypeNames() {
    assertThatThrownBy(() -> ExportFilter.of(List.of("exec", "exce"), Optional.empty(), List.of()))
        .isInstanceOfSatisfying(
            ExportConfigException.UnknownType.class, e -> assertThat(e.type()).isEqualTo("exce"))
        .hasMessage(
            "filter.types: unknown line type 'exce'; use one of call, decision, exec, exit, fork, tamper");
    assertThatThrownBy(() -> new RateLimit(10, 10, Set.of("drop")))
        .isInstanceOf(ExportConfigException.UnknownType.class)
        .hasMessage(
            "rate.exempt: unknown line type 'drop'; use one of call, decision, exec, exit, fork, tamper");
  }

  @Test
  void badRateLimits() {
    for (double rate : new double[] {0, -1, Double.NaN, 2e9}) {
      assertThatThrownBy(() -> RateLimit.of(rate, 10))
          .isInstanceOf(ExportConfigException.OutOfRange.class)
          .hasMessageStartingWith(
              "rate.per_second: export rate limit " + rate + " events/s is out of range");
    }
    assertThatThrownBy(() -> RateLimit.of(100, 0))
        .isInstanceOf(ExportConfigException.OutOfRange.class)
        .hasMessage(
            "rate.burst: export rate limit burst 0 is out of range; use 1 to 1000000000 events"
                + " (e.g. the rate times a few seconds)");
  }
}
