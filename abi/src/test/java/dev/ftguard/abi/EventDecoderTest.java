package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventDecoderTest {
  static final EventDecoder DEC = EventDecoder.nativeOrder();

  static Header hdr(long seq) {
    return new Header(
        0,
        0,
        0,
        1,
        seq,
        5_000_000_000L + seq,
        1_764_157_740_123_456_789L,
        42,
        1234,
        1234,
        1,
        1000,
        1000,
        1000,
        "bash");
  }

  static ExecEvent exec(long seq) {
    return new ExecEvent(hdr(seq), 0, 0, 3, "/usr/bin/ls", List.of("ls", "-l", "/tmp"), 0, 0);
  }

  static ForkEvent fork(long seq) {
    return new ForkEvent(hdr(seq), 0x1200011L, 1240);
  }

  static ExitEvent exit(long seq) {
    return new ExitEvent(hdr(seq), 2 << 8, Abi.EXIT_GROUP_DEAD);
  }

  static DecisionEvent decision(long seq) {
    return new DecisionEvent(
        hdr(seq),
        7,
        3,
        DecisionEvent.Kind.EXEC,
        DecisionEvent.Action.DENY,
        DecisionEvent.Mode.ENFORCE,
        Abi.DEC_ARGV_TRUNC,
        -13,
        0,
        "no-tmp-exec",
        "exec-from-tmp",
        0,
        Optional.empty(),
        0,
        0,
        0,
        0,
        5,
        "/tmp/x",
        "",
        List.of("x", "-v"),
        0,
        "");
  }

  static DecisionEvent connect(long seq, String address, int family) {
    return new DecisionEvent(
        hdr(seq),
        9,
        0,
        DecisionEvent.Kind.CONNECT,
        DecisionEvent.Action.AUDIT,
        DecisionEvent.Mode.MONITOR,
        0,
        0,
        0,
        "egress",
        "metadata",
        family,
        Optional.of(InetAddress.ofLiteral(address)),
        443,
        0,
        0,
        0,
        0,
        "/usr/bin/curl",
        "",
        List.of(),
        0,
        "");
  }

  static void putU8(byte[] rec, long offset, int value) {
    rec[(int) offset] = (byte) value;
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
    assertThat(e.header().size()).isEqualTo(168); // 144 + 11 + 11 = 166, padded to 168
    assertThat(e.header().comm()).isEqualTo("bash");
    assertThat(e.header().seq()).isEqualTo(1);
    assertThat(e.header().wallTime().toString()).isEqualTo("2025-11-26T11:49:00.123456789Z");
    ForkEvent f = (ForkEvent) r.events().get(1);
    assertThat(f.header().offset()).isEqualTo(168);
    assertThat(f.childPid()).isEqualTo(1240);
    assertThat(f.isThread()).isFalse();
    ExitEvent x = (ExitEvent) r.events().get(2);
    assertThat(x.groupDead()).isTrue();
    assertThat(x.status()).isEqualTo(new ExitStatus.Exited(2));
  }

  @Test
  void shortAsciiStringsOfRecentRecordsAreReusedOthersDecodedEachTime() {
    String longArg = "x".repeat(RecordReader.RECENT_MAX_LEN + 1);
    ExecEvent e =
        new ExecEvent(hdr(5), 0, 0, 4, "/usr/bin/ls", List.of("ls", "été", longArg, "-l"), 0, 0);
    ExecEvent a = (ExecEvent) DEC.decode(RecordEncoder.encode(e)).events().getFirst();
    ExecEvent b = (ExecEvent) DEC.decode(RecordEncoder.encode(e)).events().getFirst();
    assertThat(b).isEqualTo(a);
    assertThat(b.argv()).isEqualTo(e.argv());
    assertThat(b.filename()).isEqualTo(e.filename());
    assertThat(b.header().comm()).isEqualTo(e.header().comm()).isSameAs(a.header().comm());
    assertThat(b.filename()).isSameAs(a.filename());
    assertThat(b.argv().get(3)).isSameAs(a.argv().get(3));
    assertThat(b.argv().get(1)).isEqualTo("été").isNotSameAs(a.argv().get(1)); // not ASCII
    assertThat(b.argv().get(2)).isEqualTo(longArg).isNotSameAs(a.argv().get(2)); // too long
    // same length, other bytes: never the recent string of another value
    ExecEvent other = new ExecEvent(hdr(6), 0, 0, 1, "/usr/bin/la", List.of("la"), 0, 0);
    ExecEvent c = (ExecEvent) DEC.decode(RecordEncoder.encode(other)).events().getFirst();
    assertThat(c.filename()).isEqualTo("/usr/bin/la");
    assertThat(c.argv()).containsExactly("la");
  }

  @Test
  void roundTripsThroughTheEncoderExceptOffsets() {
    ExecEvent e =
        new ExecEvent(
            hdr(9),
            -2,
            Abi.EXEC_EXECVEAT | Abi.EXEC_ARGV_TRUNC,
            70,
            "rel/ä",
            List.of("", "x"),
            3,
            0x1000);
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
    assertThat(err.message()).contains("size 168").contains("160 bytes");
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
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e -> {
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
    assertThat(DEC.decode(tooLong).errors().getFirst().message())
        .isEqualTo(
            "exec filename_len " + (Abi.PATH_MAX + 1) + " exceeds FTG_PATH_MAX " + Abi.PATH_MAX);

    byte[] argvTooLong = rec.clone();
    putU16(argvTooLong, Abi.Exec.ARGV_LEN, Abi.ARGV_MAX + 1);
    assertThat(DEC.decode(argvTooLong).errors().getFirst().message()).contains("FTG_ARGV_MAX");

    byte[] pastRecord = rec.clone();
    putU16(pastRecord, Abi.Exec.ARGV_LEN, 100);
    DecodeError err = DEC.decode(pastRecord).errors().getFirst();
    assertThat(err.kind()).isEqualTo(DecodeError.Kind.BAD_LENGTH);
    assertThat(err.message())
        .matches(
            "exec filename_len \\d+ \\+ argv_len 100 \\+ cwd_len 0 need \\d+ bytes, record size is "
                + rec.length);
    assertThat(err.framingLost()).isFalse();

    byte[] cwdTooLong = rec.clone();
    putU16(cwdTooLong, Abi.Exec.CWD_LEN, Abi.CWD_MAX + 1);
    assertThat(DEC.decode(cwdTooLong).errors().getFirst().message())
        .isEqualTo("exec cwd_len " + (Abi.CWD_MAX + 1) + " exceeds FTG_CWD_MAX " + Abi.CWD_MAX);

    byte[] cwdPastRecord = rec.clone();
    putU16(cwdPastRecord, Abi.Exec.CWD_LEN, 16);
    assertThat(DEC.decode(cwdPastRecord).errors().getFirst().message()).contains("cwd_len 16 need");
  }

  @Test
  void whatRanAndWhereComeWithASuccessfulExec() {
    var file =
        new ExecEvent.ExecFile(259, 0x10_0001, 1L << 40 | 12, 1_764_157_740L, 999_999_999, 3);
    ExecEvent e =
        new ExecEvent(
            hdr(3), 0, 0, 1, "x", List.of("x"), 0, 0, Optional.of(file), Optional.of("/srv/é"));
    assertThat(e.flags()).isEqualTo(Abi.EXEC_FILE);
    byte[] rec = RecordEncoder.encode(e);
    ExecEvent d = (ExecEvent) DEC.decode(rec).events().getFirst();
    assertThat(d.file()).contains(file);
    assertThat(d.cwd()).contains("/srv/é");
    assertThat(d.flags()).isEqualTo(Abi.EXEC_FILE);
    // the cwd follows the filename and the arguments
    assertThat(new String(rec, (int) Abi.Exec.DATA + 1 + 2, 7, StandardCharsets.UTF_8))
        .isEqualTo("/srv/é");

    // the flag, not the fields, says the file is there
    byte[] noFlag = rec.clone();
    putU16(noFlag, Abi.Exec.FLAGS, 0);
    ExecEvent n = (ExecEvent) DEC.decode(noFlag).events().getFirst();
    assertThat(n.file()).isEmpty();
    assertThat(n.cwd()).contains("/srv/é");
    // no cwd_len, no cwd
    ExecEvent failed = (ExecEvent) DEC.decode(RecordEncoder.encode(exec(4))).events().getFirst();
    assertThat(failed.cwd()).isEmpty();
    assertThat(failed.file()).isEmpty();
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
    ByteBuffer.wrap(be)
        .order(ByteOrder.BIG_ENDIAN)
        .putShort(0, (short) Abi.EV_EXIT)
        .putShort(2, (short) le.length);
    EventDecoder other =
        EventDecoder.withOrder(
            ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN);
    assertThat(other.decode(be).items().getFirst()).isInstanceOf(ExitEvent.class);
  }

  @Test
  void decisionRoundTripsThroughTheEncoder() {
    DecisionEvent d = decision(11);
    byte[] rec = RecordEncoder.encode(d);
    // 316 + "/tmp/x" 6 + NUL + no object + "x\0-v\0" 5 = 328
    assertThat(rec.length).isEqualTo(328);
    DecodeResult r = DEC.decode(rec);
    assertThat(r.errors()).isEmpty();
    DecisionEvent back = (DecisionEvent) r.events().getFirst();
    assertThat(back).usingRecursiveComparison().ignoringFields("header").isEqualTo(d);
    assertThat(back.header().type()).isEqualTo(Abi.EV_DECISION);
    assertThat(back.header().size()).isEqualTo(328);
    assertThat(back.header().seq()).isEqualTo(11);
    assertThat(back.kind().yamlName()).isEqualTo("exec");
    assertThat(back.action().yamlName()).isEqualTo("deny");
    assertThat(back.mode().yamlName()).isEqualTo("enforce");
    assertThat(back.label()).isEqualTo("deny");
    assertThat(back.errnoName()).contains("EACCES");
    assertThat(back.argvTruncated()).isTrue();
    assertThat(back.binaryTruncated()).isFalse();
    assertThat(back.argv()).containsExactly("x", "-v");
    assertThat(back.address()).isEmpty();
    assertThat(back.maskNames()).isEmpty();
  }

  @Test
  void theContentOfAContentRuleRoundTrips() {
    DecisionEvent d = decision(12);
    String hex = "00ff" + "ab".repeat(30);
    DecisionEvent known =
        new DecisionEvent(
            d.header(),
            d.generation(),
            d.rule(),
            d.kind(),
            d.action(),
            d.mode(),
            d.flags(),
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
            Abi.DEC_CONTENT_KNOWN,
            hex);
    byte[] rec = RecordEncoder.encode(known);
    assertThat(rec[(int) Abi.Decision.SHA256 + 1]).isEqualTo((byte) 0xff);
    DecisionEvent back = (DecisionEvent) DEC.decode(rec).events().getFirst();
    assertThat(back).usingRecursiveComparison().ignoringFields("header").isEqualTo(known);
    assertThat(back.contentLabel()).contains(hex);

    DecisionEvent unknown =
        new DecisionEvent(
            d.header(),
            d.generation(),
            d.rule(),
            d.kind(),
            d.action(),
            d.mode(),
            d.flags(),
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
            Abi.DEC_CONTENT_UNKNOWN,
            "");
    back = (DecisionEvent) DEC.decode(RecordEncoder.encode(unknown)).events().getFirst();
    assertThat(back.content()).isEqualTo(Abi.DEC_CONTENT_UNKNOWN);
    assertThat(back.sha256()).isEmpty();
    assertThat(back.contentLabel()).contains("unknown");
    assertThat(d.contentLabel()).isEmpty();
  }

  @Test
  void decisionDataFollowsTheFixedPartAtOffset316() {
    byte[] rec = RecordEncoder.encode(decision(1));
    MemorySegment seg = MemorySegment.ofArray(rec);
    // binary_len and object_len count the NUL; no object: object_len 0
    assertThat(seg.get(JAVA_SHORT_UNALIGNED, Abi.Decision.BINARY_LEN)).isEqualTo((short) 7);
    assertThat(seg.get(JAVA_SHORT_UNALIGNED, Abi.Decision.OBJECT_LEN)).isEqualTo((short) 0);
    assertThat(seg.get(JAVA_SHORT_UNALIGNED, Abi.Decision.ARGV_LEN)).isEqualTo((short) 5);
    assertThat(new String(rec, 316, 6, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("/tmp/x");
    assertThat(rec[322]).isZero();
    assertThat(new String(rec, 323, 5, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("x\0-v\0");
    assertThat(rec[(int) Abi.Decision.KIND]).isEqualTo((byte) Abi.KIND_EXEC);
    assertThat(rec[(int) Abi.Decision.ACTION]).isEqualTo((byte) Abi.ACT_DENY);

    // what the module writes for an open: binary, NUL, path, NUL, arguments
    byte[] open = RecordEncoder.encode(openWouldDeny(2));
    assertThat(new String(open, 316, 12, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("/usr/bin/vi\0");
    assertThat(new String(open, 328, 12, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("/etc/shadow\0");
    assertThat(MemorySegment.ofArray(open).get(JAVA_SHORT_UNALIGNED, Abi.Decision.OBJECT_LEN))
        .isEqualTo((short) 12);
  }

  @Test
  void unknownBinaryAndObjectHaveLengthZeroAndDecodeEmpty() {
    var d =
        new DecisionEvent(
            hdr(1),
            1,
            0,
            DecisionEvent.Kind.MODULE_LOAD,
            DecisionEvent.Action.AUDIT,
            DecisionEvent.Mode.ENFORCE,
            0,
            0,
            0,
            "p",
            "r",
            0,
            Optional.empty(),
            0,
            0,
            0,
            0,
            0,
            "",
            "",
            List.of(),
            0,
            "");
    byte[] rec = RecordEncoder.encode(d);
    assertThat(rec).hasSize(320);
    DecisionEvent back = (DecisionEvent) DEC.decode(rec).events().getFirst();
    assertThat(back.binary()).isEmpty();
    assertThat(back.object()).isEmpty();
    assertThat(back.argv()).isEmpty();
  }

  @Test
  void connectDecisionsCarryIpv4AndIpv6Addresses() {
    DecisionEvent v4 =
        (DecisionEvent)
            DEC.decode(RecordEncoder.encode(connect(1, "169.254.169.254", Abi.AF_INET)))
                .events()
                .getFirst();
    assertThat(v4.address())
        .containsInstanceOf(Inet4Address.class)
        .contains(InetAddress.ofLiteral("169.254.169.254"));
    assertThat(v4.port()).isEqualTo(443);
    assertThat(v4.label()).isEqualTo("audit");
    DecisionEvent v6 =
        (DecisionEvent)
            DEC.decode(RecordEncoder.encode(connect(2, "fd00:ec2::254", Abi.AF_INET6)))
                .events()
                .getFirst();
    assertThat(v6.address())
        .containsInstanceOf(Inet6Address.class)
        .contains(InetAddress.ofLiteral("fd00:ec2::254"));
    // an IPv4-mapped IPv6 destination stays an IPv6 address
    byte[] rec = RecordEncoder.encode(connect(3, "fd00::1", Abi.AF_INET6));
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
    System.arraycopy(mapped, 0, rec, (int) Abi.Decision.ADDR, 16);
    DecisionEvent m = (DecisionEvent) DEC.decode(rec).events().getFirst();
    assertThat(m.address()).get().isInstanceOf(Inet6Address.class);
    assertThat(m.address().get().getAddress()).containsExactly(mapped);
  }

  @Test
  void connectWithAnotherFamilyIsABadField() {
    byte[] rec = RecordEncoder.encode(connect(1, "10.0.0.1", Abi.AF_INET));
    putU16(rec, Abi.Decision.FAMILY, 1);
    DecodeError err = DEC.decode(rec).errors().getFirst();
    assertThat(err.kind()).isEqualTo(DecodeError.Kind.BAD_FIELD);
    assertThat(err.message()).contains("family 1");
    assertThat(err.framingLost()).isFalse();
  }

  static DecisionEvent openWouldDeny(long seq) {
    return new DecisionEvent(
        hdr(seq),
        1,
        0,
        DecisionEvent.Kind.OPEN,
        DecisionEvent.Action.DENY,
        DecisionEvent.Mode.MONITOR,
        Abi.DEC_WOULD,
        0,
        Abi.ACCESS_WRITE | Abi.ACCESS_TRUNCATE | (1 << 9),
        "p",
        "r",
        0,
        Optional.empty(),
        0,
        0,
        0,
        0,
        0,
        "/usr/bin/vi",
        "/etc/shadow",
        List.of(),
        0,
        "");
  }

  @Test
  void maskNamesDependOnTheKind() {
    DecisionEvent o =
        (DecisionEvent) DEC.decode(RecordEncoder.encode(openWouldDeny(1))).events().getFirst();
    assertThat(o.maskNames()).containsExactly("write", "truncate");
    assertThat(o.would()).isTrue();
    assertThat(o.label()).isEqualTo("would deny");
    assertThat(o.errnoName()).isEmpty();
    assertThat(o.binary()).isEqualTo("/usr/bin/vi");
    assertThat(o.object()).isEqualTo("/etc/shadow");
    var priv =
        new DecisionEvent(
            hdr(2),
            1,
            4,
            DecisionEvent.Kind.PRIVILEGE,
            DecisionEvent.Action.KILL,
            DecisionEvent.Mode.ENFORCE,
            0,
            0,
            Abi.GAIN_UID0 | Abi.GAIN_CAPS,
            "p",
            "r",
            0,
            Optional.empty(),
            0,
            0,
            0,
            0,
            0,
            "/home/u/x",
            "",
            List.of(),
            0,
            "");
    DecisionEvent p = (DecisionEvent) DEC.decode(RecordEncoder.encode(priv)).events().getFirst();
    assertThat(p.maskNames()).containsExactly("uid0", "capabilities");
    assertThat(p.newUid()).isZero();
    assertThat(p.action()).isEqualTo(DecisionEvent.Action.KILL);
  }

  @Test
  void truncatedDecisionIsAnError() {
    byte[] rec = RecordEncoder.encode(decision(1));
    DecodeError err = DEC.decode(Arrays.copyOf(rec, rec.length - 8)).errors().getFirst();
    assertThat(err.kind()).isEqualTo(DecodeError.Kind.TRUNCATED_RECORD);
    assertThat(err.type()).isEqualTo(Abi.EV_DECISION);
    assertThat(err.framingLost()).isTrue();

    DecodeResult r =
        DEC.decode(
            concat(RecordEncoder.raw(Abi.EV_DECISION, 272, hdr(1)), RecordEncoder.encode(exit(2))));
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(DecodeError.Kind.TOO_SHORT_FOR_TYPE);
              assertThat(e.message()).contains("needs 316");
            });
    assertThat(r.events()).singleElement().isInstanceOf(ExitEvent.class);
  }

  @Test
  void decisionLengthsAreCheckedAgainstBoundsAndRecordSize() {
    byte[] rec = RecordEncoder.encode(decision(1));
    byte[] binary = rec.clone();
    putU16(binary, Abi.Decision.BINARY_LEN, Abi.PATH_MAX + 2);
    assertThat(DEC.decode(binary).errors().getFirst().message())
        .isEqualTo("decision binary_len 514 exceeds FTG_PATH_MAX + 1 = " + (Abi.PATH_MAX + 1));
    byte[] object = rec.clone();
    putU16(object, Abi.Decision.OBJECT_LEN, Abi.PATH_MAX + 2);
    assertThat(DEC.decode(object).errors().getFirst().message()).contains("object_len 514");
    byte[] argv = rec.clone();
    putU16(argv, Abi.Decision.ARGV_LEN, Abi.DEC_ARGV_MAX + 1);
    assertThat(DEC.decode(argv).errors().getFirst().message()).contains("FTG_DEC_ARGV_MAX");
    byte[] past = rec.clone();
    putU16(past, Abi.Decision.ARGV_LEN, 100);
    DecodeError err = DEC.decode(past).errors().getFirst();
    assertThat(err.kind()).isEqualTo(DecodeError.Kind.BAD_LENGTH);
    assertThat(err.message())
        .matches(
            "decision binary_len \\d+ \\+ object_len \\d+ \\+ argv_len 100 need \\d+ bytes,"
                + " record size is "
                + rec.length);
    assertThat(err.type()).isEqualTo(Abi.EV_DECISION);
    assertThat(err.framingLost()).isFalse();
    // binary_len one short: its last byte is the binary's 'x', not the NUL
    byte[] shorter = rec.clone();
    putU16(shorter, Abi.Decision.BINARY_LEN, 6);
    DecodeError nul = DEC.decode(shorter).errors().getFirst();
    assertThat(nul.kind()).isEqualTo(DecodeError.Kind.BAD_FIELD);
    assertThat(nul.message()).contains("decision binary");
    // an object whose last byte is not NUL
    byte[] open = RecordEncoder.encode(openWouldDeny(1));
    putU16(open, Abi.Decision.OBJECT_LEN, 11);
    assertThat(DEC.decode(open).errors().getFirst().message()).contains("decision object");
    // argv_len one short: the last argument is unterminated
    byte[] unterminated = rec.clone();
    putU16(unterminated, Abi.Decision.ARGV_LEN, 4);
    assertThat(DEC.decode(unterminated).errors().getFirst().kind())
        .isEqualTo(DecodeError.Kind.BAD_ARGV);
    // more arguments than argc
    byte[] argc = rec.clone();
    MemorySegment.ofArray(argc)
        .set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, Abi.Decision.ARGC, 1);
    assertThat(DEC.decode(argc).errors().getFirst().message()).contains("argc is 1");
    // a binary of FTG_PATH_MAX bytes and its NUL is what the module writes when it truncates
    String longest = "/" + "b".repeat(Abi.PATH_MAX - 1);
    var big =
        new DecisionEvent(
            hdr(3),
            1,
            0,
            DecisionEvent.Kind.EXEC,
            DecisionEvent.Action.AUDIT,
            DecisionEvent.Mode.ENFORCE,
            Abi.DEC_BINARY_TRUNC,
            0,
            0,
            "p",
            "r",
            0,
            Optional.empty(),
            0,
            0,
            0,
            0,
            0,
            longest,
            "",
            List.of(),
            0,
            "");
    DecisionEvent b = (DecisionEvent) DEC.decode(RecordEncoder.encode(big)).events().getFirst();
    assertThat(b.binary()).isEqualTo(longest);
    assertThat(b.binaryTruncated()).isTrue();
  }

  @Test
  void unknownKindActionOrModeIsABadField() {
    byte[] rec = RecordEncoder.encode(decision(1));
    byte[] kind = rec.clone();
    putU8(kind, Abi.Decision.KIND, Abi.KINDS);
    assertThat(DEC.decode(kind).errors().getFirst().message())
        .isEqualTo("decision kind 7 is not an enum ftg_kind value (0..6)");
    byte[] action = rec.clone();
    putU8(action, Abi.Decision.ACTION, 200);
    assertThat(DEC.decode(action).errors().getFirst().message()).contains("action 200");
    byte[] mode = rec.clone();
    putU8(mode, Abi.Decision.MODE, 2);
    DecodeResult r = DEC.decode(concat(mode, RecordEncoder.encode(exit(2))));
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(DecodeError.Kind.BAD_FIELD);
              assertThat(e.message())
                  .isEqualTo("decision mode 2 is not an enum ftg_mode value (0..1)");
            });
    assertThat(r.events()).hasSize(1);
  }

  @Test
  void namesWithoutNulAreCutAtSixtyFourBytes() {
    byte[] rec = RecordEncoder.encode(decision(1));
    Arrays.fill(
        rec, (int) Abi.Decision.POLICY, (int) Abi.Decision.POLICY + Abi.NAME_LEN, (byte) 'p');
    DecisionEvent d = (DecisionEvent) DEC.decode(rec).events().getFirst();
    assertThat(d.policy()).isEqualTo("p".repeat(64));
    assertThat(d.ruleName()).isEqualTo("exec-from-tmp");
  }

  @Test
  void enumsMirrorTheHeaderValues() {
    for (DecisionEvent.Kind k : DecisionEvent.Kind.values()) {
      assertThat(Abi.CONSTANTS.get("FTG_KIND_" + k.name())).isEqualTo((long) k.value());
      assertThat(DecisionEvent.Kind.of(k.value())).contains(k);
    }
    for (DecisionEvent.Action a : DecisionEvent.Action.values()) {
      assertThat(Abi.CONSTANTS.get("FTG_ACT_" + a.name())).isEqualTo((long) a.value());
    }
    for (DecisionEvent.Mode m : DecisionEvent.Mode.values()) {
      assertThat(Abi.CONSTANTS.get("FTG_MODE_" + m.name())).isEqualTo((long) m.value());
    }
    assertThat(DecisionEvent.Kind.values()).hasSize(Abi.KINDS);
    assertThat(DecisionEvent.Action.values()).hasSize(Abi.ACTIONS);
    assertThat(DecisionEvent.Kind.of(-1)).isEmpty();
  }

  @Test
  void statsRoundTripThroughTheStruct() {
    Stats s =
        new Stats(
            3,
            5,
            5,
            1,
            100,
            90,
            new long[] {1, 2, 3},
            4096,
            10,
            7,
            12,
            2048,
            new long[] {0, 4, 3, 2, 1},
            4,
            3,
            6,
            5,
            11,
            true,
            new long[] {1, 0, 2},
            21,
            22,
            23,
            24);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(Abi.STATS);
      s.encode(seg);
      Stats back = Stats.decode(seg);
      assertThat(back).isEqualTo(s);
      assertThat(back.decisions(Abi.ACT_DENY)).isEqualTo(3);
      assertThat(back.decisionsTotal()).isEqualTo(10);
      assertThat(back.tableGeneration()).isEqualTo(7);
      assertThat(back.locked()).isTrue();
      assertThat(back.tamper(Abi.TAMPER_TABLE)).isEqualTo(2);
      assertThat(seg.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, Abi.Stat.KILLED))
          .isEqualTo(3);
      assertThat(back.callHooks()).isEqualTo(6);
      assertThat(back.callHooksAttached()).isEqualTo(5);
      assertThat(back.callSkipped()).isEqualTo(11);
    }
  }

  @Test
  void randomGarbageNeverThrowsAndAlwaysTerminates() {
    Random rnd = new Random(20251126);
    byte[] good =
        RecordEncoder.encodeAll(
            List.of(exec(1), fork(2), decision(3), connect(4, "fd00::1", Abi.AF_INET6), exit(5)));
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

  @Test
  void callEventsRoundTripWithEveryFieldType() {
    CallEvent audit = Samples.callAudit(1);
    CallEvent denied = Samples.callDenied(2);
    DecodeResult r = DEC.decode(RecordEncoder.encodeAll(List.of(audit, denied)));
    assertThat(r.errors()).isEmpty();
    assertThat(r.events()).hasSize(2);
    CallEvent a = (CallEvent) r.events().get(0);
    assertThat(a.function()).isEqualTo("__x64_sys_mkdirat");
    assertThat(a.policy()).isEqualTo("watch-dirs");
    assertThat(a.ruleName()).isEqualTo("mkdir-in-etc");
    assertThat(a.fields()).containsExactlyElementsOf(audit.fields());
    assertThat(((CallEvent.IntField) a.fields().get(0)).text()).isEqualTo("-100");
    assertThat(a.denied()).isFalse();
    CallEvent d = (CallEvent) r.events().get(1);
    assertThat(d.denied()).isTrue();
    assertThat(d.retval()).isEqualTo(-13);
    assertThat(d.fields().get(3).fault()).isTrue();
    assertThat(((CallEvent.AddrField) d.fields().get(1)).address(Abi.AF_INET))
        .map(InetAddress::getHostAddress)
        .contains("10.0.0.7");
    assertThat(((CallEvent.AddrField) d.fields().get(1)).address(0)).isEmpty();
  }

  @Test
  void callRecordsWithBadLengthsAreSkippedWithTheirOffset() {
    byte[] good = RecordEncoder.encode(Samples.callAudit(1));
    byte[] longName = good.clone();
    putU16(longName, Abi.Call.FUNCTION_LEN, Abi.FUNC_NAME_MAX + 1);
    byte[] fieldsPast = good.clone();
    putU16(fieldsPast, Abi.Call.FIELDS_LEN, good.length);
    byte[] moreFields = good.clone();
    putU8(moreFields, Abi.Call.NR_FIELDS, 4);
    byte[] badType = good.clone();
    long firstField = Abi.Call.DATA + RecordEncoder.align("__x64_sys_mkdirat".length() + 1);
    putU8(badType, firstField + Abi.Call.FIELD_TYPE, 9);
    byte[] noNul = good.clone();
    noNul[(int) Abi.Call.DATA + "__x64_sys_mkdirat".length()] = 'x';
    for (byte[] bad : List.of(longName, fieldsPast, moreFields, badType, noNul)) {
      DecodeResult r = DEC.decode(concat(bad, RecordEncoder.encode(exit(2))));
      assertThat(r.errors())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.offset()).isZero();
                assertThat(e.type()).isEqualTo(Abi.EV_CALL);
                assertThat(e.message()).startsWith("call ");
              });
      assertThat(r.events()).singleElement().isInstanceOf(ExitEvent.class);
    }
  }
}
