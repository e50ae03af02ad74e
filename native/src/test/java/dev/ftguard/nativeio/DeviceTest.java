package dev.ftguard.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import dev.ftguard.abi.EventDecoder;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.abi.RecordEncoder;
import java.io.FileOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exercises Device's real poll/read/ioctl path on a FIFO and on regular files. */
class DeviceTest {
  @TempDir Path tmp;

  static Path mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertThat(proc.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(proc.exitValue()).isZero();
    return p;
  }

  static ExitEvent exit(long seq) {
    return new ExitEvent(
        new Header(0, 0, 0, 0, seq, 1, 2, 3, 10, 10, 1, 0, 0, 0, "sh"), 0, Abi.EXIT_GROUP_DEAD);
  }

  @Test
  void missingDeviceIsEnoent() {
    assertThatThrownBy(() -> Device.open(tmp.resolve("ftguard")))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
  }

  @Test
  void readRecordsPollsThenReadsWholeRecords() throws Exception {
    Path fifo = mkfifo(tmp.resolve("fifo"));
    try (Device dev = Device.open(fifo);
        var writer = new FileOutputStream(fifo.toFile());
        Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(Abi.RECORD_MAX * 4L, 8);

      long t0 = System.nanoTime();
      assertThat(dev.readRecords(buf, 60)).isZero();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(55);
      assertThat(dev.readRecords(buf, 0)).isZero();

      byte[] records = RecordEncoder.encodeAll(List.of(exit(1), exit(2)));
      writer.write(records);
      writer.flush();
      long n = dev.readRecords(buf, 1000);
      assertThat(n).isEqualTo(records.length);
      var decoded = EventDecoder.nativeOrder().decode(buf, 0, n);
      assertThat(decoded.events()).extracting(e -> e.header().seq()).containsExactly(1L, 2L);
    }
  }

  @Test
  void waitIsWokenByArrivingData() throws Exception {
    Path fifo = mkfifo(tmp.resolve("fifo"));
    try (Device dev = Device.open(fifo);
        var writer = new FileOutputStream(fifo.toFile());
        Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(Abi.RECORD_MAX);
      Thread t =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      Thread.sleep(100);
                      writer.write(RecordEncoder.encode(exit(9)));
                      writer.flush();
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  });
      long t0 = System.nanoTime();
      long n = dev.readRecords(buf, 10_000);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      t.join();
      assertThat(n).isEqualTo(Abi.Exit.SIZE);
      assertThat(ms).isLessThan(5_000);
    }
  }

  @Test
  void bufferBelowRecordMaxIsRejected() throws Exception {
    Path fifo = mkfifo(tmp.resolve("fifo"));
    try (Device dev = Device.open(fifo);
        Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(() -> dev.readRecords(arena.allocate(Abi.RECORD_MAX - 8), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("FTG_RECORD_MAX");
    }
  }

  @Test
  void statsAndHooksOnSomethingElseAreEnotty() throws Exception {
    Path f = Files.writeString(tmp.resolve("plain"), "x");
    try (Device dev = Device.open(f)) {
      assertThatThrownBy(dev::stats)
          .isInstanceOfSatisfying(
              ErrnoException.class,
              e -> {
                assertThat(e.errnoName()).isEqualTo("ENOTTY");
                assertThat(e.subject()).isEqualTo(f.toString());
                assertThat(e.getMessage()).contains("FTG_IOC_STATS");
              });
      assertThatThrownBy(dev::hooks)
          .isInstanceOfSatisfying(
              ErrnoException.class, e -> assertThat(e.getMessage()).contains("FTG_IOC_HOOK_INFO"));
    }
  }

  @Test
  void tableIoctlsOnSomethingElseAreEnotty() throws Exception {
    Path f = Files.writeString(tmp.resolve("plain"), "x");
    try (Device dev = Device.openReadWrite(f)) {
      assertThatThrownBy(() -> dev.setTable(new byte[64]))
          .isExactlyInstanceOf(ErrnoException.class)
          .hasMessage(
              "ioctl(FTG_IOC_SET_TABLE) " + f + ": ENOTTY (Inappropriate ioctl for device)");
      assertThatThrownBy(dev::getTable)
          .isInstanceOfSatisfying(
              ErrnoException.class,
              e -> {
                assertThat(e.errnoName()).isEqualTo("ENOTTY");
                assertThat(e.call()).isEqualTo("ioctl(FTG_IOC_GET_TABLE)");
              });
    }
  }

  @Test
  void tableIoctlsAfterCloseAreEbadf() throws Exception {
    Path f = Files.writeString(tmp.resolve("plain"), "x");
    Device dev = Device.open(f);
    dev.close();
    assertThatThrownBy(() -> dev.setTable(new byte[8]))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
    assertThatThrownBy(dev::getTable)
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
  }

  @Test
  void useAfterCloseIsEbadfAndCloseIsIdempotent() throws Exception {
    Path f = Files.writeString(tmp.resolve("plain"), "x");
    Device dev = Device.open(f);
    dev.close();
    dev.close();
    try (Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(() -> dev.readRecords(arena.allocate(Abi.RECORD_MAX), 0))
          .isInstanceOfSatisfying(
              ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
    }
  }
}
