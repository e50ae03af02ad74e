package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventDecoderTest {
  static final EventDecoder DEC = EventDecoder.nativeOrder();

  static Header hdr(long seq) {
    return new Header(
        0, 0, 0, 1, seq, 5_000_000_000L + seq, 1_764_157_740_123_456_789L, 42, 1234, 1234, 1,
        1000, 1000, 1000, "bash");
  }

  static ExecEvent exec(long seq) {
    return new ExecEvent(
        hdr(seq), 0, 0, 3, "/usr/bin/ls", List.of("ls", "-l", "/tmp"), 0, 0);
  }

  static ForkEvent fork(long seq) {
    return new ForkEvent(hdr(seq), 0x1200011L, 1240);
  }

  static ExitEvent exit(long seq) {
    return new ExitEvent(hdr(seq), 2 << 8, Abi.EXIT_GROUP_DEAD);
  }

  static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static void putU16(byte[] rec, long offset, int value) {
    MemorySegment.ofArray(rec).set(JAVA_SHORT_UNALIGNED, offset, (short) value);
  }

  @Test
  void decodesConcatenatedRecordsOfEveryType() {
    byte[] buf = RecordEncoder.encodeAll(List.of(exec(1), fork(2), exit(3)));
    DecodeResult r = DEC.decode(buf);

    assertThat(r.errors()).isEmpty();
    assertThat(r.consumed()).isEqualTo(buf.length);
    assertThat(r.events()).hasSize(3);
    ExecEvent e = (ExecEvent) r.events().get(0);
    assertThat(e.filename()).isEqualTo("/usr/bin/ls");
    assertThat(e.argv()).containsExactly("ls", "-l", "/tmp");
    assertThat(e.argc()).isEqualTo(3);
    assertThat(e.header().offset()).isZero();
    assertThat(e.header().size()).isEqualTo(128); // 104 + 11 + 11 = 126, padded to 128
    assertThat(e.header().comm()).isEqualTo("bash");
    assertThat(e.header().seq()).isEqualTo(1);
    assertThat(e.header().wallTime().toString()).isEqualTo("2025-11-26T11:49:00.123456789Z");
    ForkEvent f = (ForkEvent) r.events().get(1);
    assertThat(f.header().offset()).isEqualTo(128);
    assertThat(f.childPid()).isEqualTo(1240);
    assertThat(f.isThread()).isFalse();
    ExitEvent x = (ExitEvent) r.events().get(2);
    assertThat(x.groupDead()).isTrue();
    assertThat(x.status()).isEqualTo(new ExitStatus.Exited(2));
  }

  @Test
  void roundTripsThroughTheEncoderExceptOffsets() {
    ExecEvent e =
        new ExecEvent(
            hdr(9), -2, Abi.EXEC_EXECVEAT | Abi.EXEC_ARGV_TRUNC, 70, "rel/ä", List.of("", "x"), 3, 0x1000);
    Event back = DEC.decode(RecordEncoder.encode(e)).events().getFirst();
    ExecEvent d = (ExecEvent) back;
    assertThat(d.filename()).isEqualTo("rel/ä");
    assertThat(d.argv()).containsExactly("", "x");
    assertThat(d.result()).isEqualTo(-2);
    assertThat(d.isExecveat()).isTrue();
    assertThat(d.argvTruncated()).isTrue();
    assertThat(d.filenameTruncated()).isFalse();
    assertThat(d.syscall()).isEqualTo("execveat");
    assertThat(d.dirfd()).isEqualTo(3);
    assertThat(d.atFlags()).isEqualTo(0x1000);
  }

  @Test
  void decodesFromAByteBufferSliceAndASegmentSlice() {
    byte[] recs = RecordEncoder.encodeAll(List.of(fork(1), exit(2)));
    byte[] padded = concat(new byte[3], recs, new byte[5]);
    ByteBuffer bb = ByteBuffer.wrap(padded, 3, recs.length);
    assertThat(DEC.decode(bb).events()).hasSize(2);
    assertThat(bb.position()).isEqualTo(3);
    var r = DEC.decode(MemorySegment.ofArray(padded), 3, recs.length);
    assertThat(r.events()).extracting(ev -> ev.header().seq()).containsExactly(1L, 2L);
  }

  @Test
  void emptyBufferDecodesToNothing() {
    DecodeResult r = DEC.decode(new byte[0]);
    assertThat(r.items()).isEmpty();
    assertThat(r.consumed()).isZero();
  }

  @Test
  void truncatedHeaderIsAnErrorAtItsOffset() {
    byte[] buf = concat(RecordEncoder.encode(fork(1)), new byte[40]);
    DecodeResult r = DEC.decode(buf);
    assertThat(r.events()).hasSize(1);
    DecodeError err = r.errors().getFirst();
    assertThat(err.kind()).isEqualTo(DecodeError.Kind.TRUNCATED_HEADER);
    assertThat(err.offset()).isEqualTo(Abi.Fork.SIZE);
    assertThat(err.framingLost()).isTrue();
    assertThat(r.consumed()).isEqualTo(Abi.Fork.SIZE);
  }

  @Test
  void recordRunningPastTheBufferIsTruncated() {
    byte[] rec = RecordEncoder.encode(exec(1));
    byte[] cut = Arrays.copyOf(rec, rec.length - 8);
    DecodeError err = DEC.decode(cut).errors().getFirst();
    assertThat(err.kind()).isEqualTo(DecodeError.Kind.TRUNCATED_RECORD);
    assertThat(err.type()).isEqualTo(Abi.EV_EXEC);
    assertThat(err.message()).contains("size 128").contains("120 bytes");
  }

  @Test
  void sizesOutsideTheBoundsLoseFramingAndStopDecoding() {
    for (int bad : new int[] {0, 8, 72, 84, Abi.RECORD_MAX + 8, 0xfff8}) {
      byte[] rec = concat(RecordEncoder.encode(fork(1)), RecordEncoder.encode(exit(2)));
      putU16(rec, Abi.Hdr.RECORD_SIZE, bad);
      DecodeResult r = DEC.decode(rec);
      assertThat(r.items()).as("size %d", bad).hasSize(1);
      DecodeError err = r.errors().getFirst();
      assertThat(err.kind()).isEqualTo(DecodeError.Kind.BAD_SIZE);
      assertThat(err.offset()).isZero();
      assertThat(err.message()).contains("size " + bad);
    }
  }

  @Test
  void recordTooShortForItsTypeIsSkippedAndDecodingContinues() {
    byte[] shortFork = RecordEncoder.raw(Abi.EV_FORK, 88, hdr(1)); // fork needs 96
    byte[] buf = concat(shortFork, RecordEncoder.encode(exit(2)));
    DecodeResult r = DEC.decode(buf);
    assertThat(r.errors()).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(DecodeError.Kind.TOO_SHORT_FOR_TYPE);
      assertThat(e.framingLost()).isFalse();
    });
    assertThat(r.events()).singleElement().isInstanceOf(ExitEvent.class);
  }

  @Test
  void execLengthsAreCheckedAgainstBoundsAndRecordSize() {
    byte[] rec = RecordEncoder.encode(exec(1));
    byte[] tooLong = rec.clone();
    putU16(tooLong, Abi.Exec.FILENAME_LEN, Abi.PATH_MAX + 1);
    assertThat(DEC.decode(tooLong).errors().getFirst().message()).contains("FTG_PATH_MAX");

    byte[] argvTooLong = rec.clone();
    putU16(argvTooLong, Abi.Exec.ARGV_LEN, Abi.ARGV_MAX + 1);
    assertThat(DEC.decode(argvTooLong).errors().getFirst().message()).contains("FTG_ARGV_MAX");

    byte[] pastRecord = rec.clone();
    putU16(pastRecord, Abi.Exec.ARGV_LEN, 100);
    DecodeError err = DEC.decode(pastRecord).errors().getFirst();
    assertThat(err.kind()).isEqualTo(DecodeError.Kind.BAD_LENGTH);
    assertThat(err.framingLost()).isFalse();
  }

  @Test
  void unterminatedArgvIsRejected() {
    byte[] rec = RecordEncoder.encode(exec(1));
    putU16(rec, Abi.Exec.ARGV_LEN, 10); // "ls\0-l\0/tmp" without the last NUL
    DecodeError err = DEC.decode(rec).errors().getFirst();
    assertThat(err.kind()).isEqualTo(DecodeError.Kind.BAD_ARGV);
  }

  @Test
  void moreKeptArgumentsThanArgcIsRejected() {
    ExecEvent e = new ExecEvent(hdr(1), 0, 0, 1, "/bin/true", List.of("a", "b"), 0, 0);
    assertThat(DEC.decode(RecordEncoder.encode(e)).errors().getFirst().message())
        .contains("argc is 1");
  }

  @Test
  void moreThanArgcMaxArgumentsIsRejected() {
    List<String> many = java.util.Collections.nCopies(Abi.ARGC_MAX + 1, "a");
    ExecEvent e = new ExecEvent(hdr(1), 0, 0, 1000, "/bin/true", many, 0, 0);
    assertThat(DEC.decode(RecordEncoder.encode(e)).errors().getFirst().message())
        .contains("FTG_ARGC_MAX");
  }

  @Test
  void unknownTypeWithSaneSizeIsSkippedAndReported() {
    byte[] future = RecordEncoder.raw(77, 120, hdr(5));
    byte[] buf = concat(RecordEncoder.encode(fork(4)), future, RecordEncoder.encode(exit(6)));
    DecodeResult r = DEC.decode(buf);
    assertThat(r.errors()).isEmpty();
    assertThat(r.unknown()).containsExactly(new UnknownRecord(Abi.Fork.SIZE, 77, 120, 5));
    assertThat(r.events()).extracting(e -> e.header().seq()).containsExactly(4L, 6L);
    assertThat(r.items().get(1)).isInstanceOf(UnknownRecord.class);
  }

  @Test
  void typeZeroIsAnError() {
    DecodeResult r = DEC.decode(RecordEncoder.raw(0, 80, hdr(1)));
    assertThat(r.errors().getFirst().kind()).isEqualTo(DecodeError.Kind.BAD_TYPE);
  }

  @Test
  void longerFixedPartsFromANewerModuleAreAccepted() {
    byte[] rec = RecordEncoder.encode(exit(1));
    byte[] longer = Arrays.copyOf(rec, rec.length + 16);
    putU16(longer, Abi.Hdr.RECORD_SIZE, longer.length);
    assertThat(DEC.decode(longer).events()).singleElement().isInstanceOf(ExitEvent.class);
  }

  @Test
  void commWithoutNulIsCutAtSixteenBytes() {
    byte[] rec = RecordEncoder.encode(exit(1));
    Arrays.fill(rec, (int) Abi.Hdr.COMM, (int) Abi.Hdr.COMM + Abi.COMM_LEN, (byte) 'x');
    ExitEvent x = (ExitEvent) DEC.decode(rec).events().getFirst();
    assertThat(x.header().comm()).isEqualTo("x".repeat(16));
  }

  @Test
  void bigEndianDecoderReadsBigEndianRecords() {
    byte[] le = RecordEncoder.encode(exit(7));
    // a record whose size and type were written big-endian does not frame in host order
    byte[] be = le.clone();
    ByteBuffer.wrap(be).order(ByteOrder.BIG_ENDIAN).putShort(0, (short) Abi.EV_EXIT).putShort(2, (short) le.length);
    EventDecoder other =
        EventDecoder.withOrder(
            ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    assertThat(other.decode(be).items().getFirst()).isInstanceOf(ExitEvent.class);
  }

  @Test
  void randomGarbageNeverThrowsAndAlwaysTerminates() {
    Random rnd = new Random(20251126);
    byte[] good = RecordEncoder.encodeAll(List.of(exec(1), fork(2), exit(3)));
    for (int i = 0; i < 5000; i++) {
      byte[] buf;
      if (i % 2 == 0) {
        buf = new byte[rnd.nextInt(4096)];
        rnd.nextBytes(buf);
      } else {
        buf = good.clone();
        for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
          buf[rnd.nextInt(buf.length)] = (byte) rnd.nextInt(256);
        }
      }
      DecodeResult r = DEC.decode(buf);
      assertThat(r.consumed()).isBetween(0L, (long) buf.length);
      // every item is at a distinct, increasing offset
      long last = -1;
      for (Decoded d : r.items()) {
        assertThat(d.offset()).isGreaterThan(last);
        last = d.offset();
      }
      boolean lost = r.errors().stream().anyMatch(DecodeError::framingLost);
      assertThat(lost || r.consumed() == buf.length).isTrue();
    }
  }
}
