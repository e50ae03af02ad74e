package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.PolicySet;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TableReaderTest {
  static final String ONE =
      """
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: p}
      spec:
        rules:
          - name: r
            event: exec
            match:
              binary: {exact: [/bin/sh], glob: ["/x/*"]}
              uid: {notIn: [0]}
            action: deny
          - name: c
            event: connect
            match:
              address: ["10.0.0.0/8", "fd00::/8"]
              port: {in: [53]}
            action: audit
      """;

  // layout of ONE: policies at 64 (1), rules at 136 (2), values at 600 (6), strings at 840
  static final long RULE0 = 136;
  static final long RULE1 = 136 + 232;
  static final long VALUES = 600;

  static byte[] one() throws Exception {
    return TableCompiler.compile(TableFixtures.load(ONE));
  }

  static TableFormatException rejected(Consumer<MemorySegment> damage) throws Exception {
    byte[] b = one();
    damage.accept(MemorySegment.ofArray(b));
    return catchThrowableOfType(TableFormatException.class, () -> TableReader.read(b));
  }

  static void assertRejected(
      int error, long offset, String fragment, Consumer<MemorySegment> damage) throws Exception {
    TableFormatException e = rejected(damage);
    assertThat(e).as("rejected with %s", Abi.TABLE_ERROR_NAMES.get(error)).isNotNull();
    assertThat(e.errorName()).isEqualTo(Abi.TABLE_ERROR_NAMES.get(error));
    assertThat(e.error()).isEqualTo(error);
    assertThat(e.offset()).isEqualTo(offset);
    assertThat(e.getMessage()).contains(fragment);
  }

  static void i32(MemorySegment t, long at, int v) {
    t.set(JAVA_INT_UNALIGNED, at, v);
  }

  @Test
  void layoutOfTheFixtureIsAsAssumed() throws Exception {
    MemorySegment t = MemorySegment.ofArray(one());
    assertThat(t.get(JAVA_INT_UNALIGNED, 24)).isEqualTo((int) RULE0);
    assertThat(t.get(JAVA_INT_UNALIGNED, 32)).isEqualTo((int) VALUES);
    assertThat(t.get(JAVA_INT_UNALIGNED, 36)).isEqualTo(6);
    CompiledTable read = TableReader.read(one());
    assertThat(read.size()).isEqualTo(t.byteSize());
    assertThat(read.policies()).singleElement().satisfies(p -> assertThat(p.rules()).hasSize(2));
  }

  @Test
  void headerErrors() throws Exception {
    assertRejected(Abi.TERR_MAGIC, 0, "magic", t -> i32(t, 0, 0x12345678));
    assertRejected(Abi.TERR_VERSION, 4, "version 1", t -> i32(t, 4, 1));
    assertRejected(Abi.TERR_SIZE, 8, "header size 8", t -> i32(t, 8, 8));
    int unknown = Integer.lowestOneBit(~Abi.TABLE_FLAGS_ALL);
    assertRejected(
        Abi.TERR_FLAGS, 12, "flags 0x" + Integer.toHexString(unknown), t -> i32(t, 12, unknown));
    assertRejected(Abi.TERR_SECTION, 16, "misaligned", t -> i32(t, 16, 52));
    assertRejected(Abi.TERR_SECTION, 16, "inside the header", t -> i32(t, 16, 40));
    assertRejected(Abi.TERR_SECTION, 40, "past the table", t -> i32(t, 44, 1 << 20));
    assertRejected(Abi.TERR_COUNT, 28, "FTG_TABLE_RULES_MAX", t -> i32(t, 28, 10_001));
    assertRejected(Abi.TERR_SECTION, 24, "overlaps", t -> i32(t, 24, 64));
    assertRejected(Abi.TERR_SECTION, 48, "misaligned", t -> i32(t, 48, 12));
    assertRejected(Abi.TERR_COUNT, 52, "FTG_TABLE_HOOKS_MAX", t -> i32(t, 52, 65));
  }

  @Test
  void wrongLengthsAreSizeErrors() throws Exception {
    byte[] b = one();
    TableFormatException longer =
        catchThrowableOfType(
            TableFormatException.class, () -> TableReader.read(Arrays.copyOf(b, b.length + 8)));
    assertThat(longer.error()).isEqualTo(Abi.TERR_SIZE);
    assertThat(longer.getMessage()).contains("bytes were given");
    TableFormatException tiny =
        catchThrowableOfType(TableFormatException.class, () -> TableReader.read(new byte[47]));
    assertThat(tiny.error()).isEqualTo(Abi.TERR_SIZE);
    assertThat(
            catchThrowableOfType(TableFormatException.class, () -> TableReader.read(new byte[0]))
                .error())
        .isEqualTo(Abi.TERR_SIZE);
  }

  @Test
  void policyErrors() throws Exception {
    assertRejected(Abi.TERR_NAME, 64, "not [a-z0-9-]", t -> t.set(JAVA_BYTE, 64, (byte) 'P'));
    assertRejected(Abi.TERR_NAME, 64, "empty", t -> t.set(JAVA_BYTE, 64, (byte) 0));
    assertRejected(Abi.TERR_NAME, 64, "not NUL-padded", t -> t.set(JAVA_BYTE, 64 + 5, (byte) 'x'));
    assertRejected(
        Abi.TERR_NAME, 64, "not NUL-terminated", t -> t.asSlice(64, 64).fill((byte) 'a'));
    assertRejected(Abi.TERR_MODE, 64 + 64, "mode 2", t -> i32(t, 64 + 64, 2));
  }

  @Test
  void ruleErrors() throws Exception {
    assertRejected(Abi.TERR_NAME, RULE0, "rule 0 name", t -> t.set(JAVA_BYTE, RULE0, (byte) '_'));
    assertRejected(Abi.TERR_POLICY, RULE1 + 64, "policy 1", t -> i32(t, RULE1 + 64, 1));
    assertRejected(
        Abi.TERR_KIND, RULE0 + 68, "kind 7", t -> t.set(JAVA_BYTE, RULE0 + 68, (byte) 7));
    assertRejected(Abi.TERR_HOOK, RULE0 + 160, "names hook 1", t -> i32(t, RULE0 + 160, 1));
    assertRejected(Abi.TERR_FLAGS, RULE0 + 164, "reserved", t -> i32(t, RULE0 + 164, 1));
    assertRejected(
        Abi.TERR_SELECTOR, RULE0 + 168, "not a field of its hook", t -> i32(t, RULE0 + 172, 1));
    assertRejected(
        Abi.TERR_HOOK,
        RULE1 + 160,
        "on hook 0 of 0",
        t -> t.set(JAVA_BYTE, RULE1 + 68, (byte) Abi.KIND_CALL));
    assertRejected(
        Abi.TERR_ACTION, RULE0 + 69, "action 9", t -> t.set(JAVA_BYTE, RULE0 + 69, (byte) 9));
    assertRejected(
        Abi.TERR_ERRNO,
        RULE1 + 70,
        "does not deny",
        t -> t.set(JAVA_SHORT_UNALIGNED, RULE1 + 70, (short) 1));
    assertRejected(
        Abi.TERR_ERRNO,
        RULE0 + 70,
        "err 0",
        t -> t.set(JAVA_SHORT_UNALIGNED, RULE0 + 70, (short) 0));
    assertRejected(
        Abi.TERR_ERRNO,
        RULE0 + 70,
        "err 10 (ECHILD)",
        t -> t.set(JAVA_SHORT_UNALIGNED, RULE0 + 70, (short) 10));
    assertRejected(
        Abi.TERR_FLAGS,
        RULE0 + 72,
        "flags 0x81",
        t -> i32(t, RULE0 + 72, Abi.RULE_NEGATE_UID | 0x80));
    assertRejected(
        Abi.TERR_FLAGS,
        RULE0 + 72,
        "flags 0x3",
        t -> i32(t, RULE0 + 72, Abi.RULE_NEGATE_UID | Abi.RULE_NEGATE_EUID));
    assertRejected(
        Abi.TERR_FLAGS,
        RULE0 + 72,
        "flags 0x11",
        t -> i32(t, RULE0 + 72, Abi.RULE_NEGATE_UID | Abi.RULE_FILELESS));
    assertRejected(
        Abi.TERR_FLAGS, RULE1 + 72, "flags 0x1", t -> i32(t, RULE1 + 72, Abi.RULE_NEGATE_UID));
    assertRejected(Abi.TERR_MASK, RULE0 + 76, "mask 0x1", t -> i32(t, RULE0 + 76, 1));
    // a connect rule with an OBJECT selector; an absent selector with a first index
    assertRejected(
        Abi.TERR_SELECTOR,
        RULE1 + 80 + 8,
        "slot 1",
        t -> {
          i32(t, RULE1 + 88, 0);
          i32(t, RULE1 + 92, 1);
        });
    assertRejected(
        Abi.TERR_SELECTOR, RULE1 + 80 + 16, "no values but first 3", t -> i32(t, RULE1 + 96, 3));
    assertRejected(Abi.TERR_SELECTOR, RULE0 + 80, "runs past", t -> i32(t, RULE0 + 84, 7));
  }

  @Test
  void valueErrors() throws Exception {
    // value 0: exact "/bin/sh"; value 1: glob "/x/*"; value 2: uid range; 3: port (slot 6);
    // 4, 5: networks (slot 7)
    long v0 = VALUES;
    long v1 = VALUES + 40;
    long v2 = VALUES + 80;
    long v3 = VALUES + 160;
    long v4 = VALUES + 200;
    long v5 = VALUES + 120;
    assertRejected(Abi.TERR_VALUE, v0, "type 4", t -> t.set(JAVA_BYTE, v0, (byte) Abi.VAL_RANGE));
    assertRejected(
        Abi.TERR_VALUE, v0, "non-zero range", t -> t.set(JAVA_LONG_UNALIGNED, v0 + 8, 1L));
    assertRejected(Abi.TERR_STRING, v0 + 4, "outside", t -> i32(t, v0 + 4, 1000));
    assertRejected(
        Abi.TERR_STRING, v0 + 4, "empty", t -> t.set(JAVA_SHORT_UNALIGNED, v0 + 2, (short) 0));
    assertRejected(
        Abi.TERR_STRING,
        v0 + 4,
        "longer than FTG_TABLE_STR_MAX",
        t -> t.set(JAVA_SHORT_UNALIGNED, v0 + 2, (short) 256));
    long strings = 840;
    assertRejected(Abi.TERR_STRING, v0 + 4, "NUL", t -> t.set(JAVA_BYTE, strings + 1, (byte) 0));
    assertRejected(
        Abi.TERR_STRING, v0 + 4, "UTF-8", t -> t.set(JAVA_BYTE, strings + 1, (byte) 0xff));
    assertRejected(
        Abi.TERR_GLOB,
        v1 + 4,
        "unclosed class",
        t -> t.set(JAVA_BYTE, strings + 7 + 3, (byte) '['));
    assertRejected(
        Abi.TERR_VALUE, v2, "not FTG_VAL_RANGE", t -> t.set(JAVA_BYTE, v2, (byte) Abi.VAL_EXACT));
    assertRejected(Abi.TERR_VALUE, v2 + 8, "is empty", t -> t.set(JAVA_LONG_UNALIGNED, v2 + 8, 5L));
    assertRejected(
        Abi.TERR_VALUE,
        v2 + 8,
        "above 4294967294",
        t -> t.set(JAVA_LONG_UNALIGNED, v2 + 16, 1L << 32));
    assertRejected(
        Abi.TERR_VALUE, v5 + 8, "above 65535", t -> t.set(JAVA_LONG_UNALIGNED, v5 + 16, 65_536L));
    assertRejected(
        Abi.TERR_VALUE, v3 + 1, "prefix length 33", t -> t.set(JAVA_BYTE, v3 + 1, (byte) 33));
    assertRejected(
        Abi.TERR_VALUE,
        v3 + 1,
        "past an IPv4 address",
        t -> t.set(JAVA_BYTE, v3 + 24 + 4, (byte) 1));
    assertRejected(
        Abi.TERR_VALUE, v3 + 24, "host bits", t -> t.set(JAVA_BYTE, v3 + 24 + 1, (byte) 1));
    assertRejected(
        Abi.TERR_VALUE,
        v4 + 24,
        "host bits set past /8",
        t -> t.set(JAVA_BYTE, v4 + 24 + 15, (byte) 1));
    assertRejected(
        Abi.TERR_VALUE, v4, "not a network", t -> t.set(JAVA_BYTE, v4, (byte) Abi.VAL_EXACT));
  }

  static final String DIGEST = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  static final String CONTENT =
      """
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: p}
      spec:
        rules:
          - name: r
            event: exec
            match:
              sha256: [%s]
            action: deny
      """
          .formatted(DIGEST.toUpperCase(java.util.Locale.ROOT));

  @Test
  void aDigestRoundTripsInLowerCaseAndIsChecked() throws Exception {
    byte[] good = TableCompiler.compile(TableFixtures.load(CONTENT));
    CompiledTable read = TableReader.read(good);
    var rule = read.policies().getFirst().rules().getFirst();
    assertThat(((dev.ftguard.policy.Match.Exec) rule.match()).sha256()).containsExactly(DIGEST);
    MemorySegment t = MemorySegment.ofArray(good);
    // one rule at 136, one value at 368, the digest at the start of the strings
    long v = t.get(JAVA_INT_UNALIGNED, 32);
    long strings = t.get(JAVA_INT_UNALIGNED, 40);
    assertThat(t.get(JAVA_BYTE, v)).isEqualTo((byte) Abi.VAL_SHA256);
    assertThat(t.get(JAVA_INT_UNALIGNED, 136 + 80 + 8 * Abi.SEL_SHA256 + 4)).isEqualTo(1);
    for (var damage :
        List.<Consumer<MemorySegment>>of(
            m -> m.set(JAVA_BYTE, strings + 5, (byte) 'g'),
            m -> m.set(JAVA_BYTE, strings + 5, (byte) 'A'),
            m -> m.set(JAVA_SHORT_UNALIGNED, v + 2, (short) 63),
            m -> m.set(JAVA_BYTE, v, (byte) Abi.VAL_EXACT),
            m -> m.set(JAVA_LONG_UNALIGNED, v + 8, 1L))) {
      byte[] b = good.clone();
      damage.accept(MemorySegment.ofArray(b));
      TableFormatException e =
          catchThrowableOfType(TableFormatException.class, () -> TableReader.read(b));
      assertThat(e).isNotNull();
      assertThat(e.error()).isEqualTo(Abi.TERR_VALUE);
    }
  }

  @Test
  void randomBytesOnlyEverGiveTableFormatExceptions() {
    Random rnd = new Random(20261126);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[rnd.nextInt(i % 10 == 0 ? 4096 : 256)];
      rnd.nextBytes(b);
      if (b.length >= 48 && rnd.nextBoolean()) {
        // a plausible header, so that the reader gets further
        MemorySegment t = MemorySegment.ofArray(b);
        i32(t, 0, Abi.TABLE_MAGIC);
        i32(t, 4, Abi.TABLE_VERSION);
        i32(t, 8, b.length);
        i32(t, 12, 0);
      }
      readExpectingOnlyFormatErrors(b);
    }
  }

  @Test
  void corruptedTablesOnlyEverGiveTableFormatExceptions() throws Exception {
    Random rnd = new Random(1126);
    List<PolicySet> sets =
        List.of(
            TableFixtures.everything(),
            TableFixtures.examples(),
            TableFixtures.load(ONE),
            new PolicySet(List.of(), new LinkedHashMap<>()));
    int accepted = 0;
    for (PolicySet set : sets) {
      byte[] good = TableCompiler.compile(set);
      for (int i = 0; i < 5_000; i++) {
        byte[] b = good.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int k = 0; k < flips; k++) {
          int at = rnd.nextInt(b.length);
          switch (rnd.nextInt(4)) {
            case 0 -> b[at] = (byte) rnd.nextInt(256);
            case 1 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
            case 2 -> b[at] = 0;
            default -> b[at] = (byte) 0xff;
          }
        }
        if (rnd.nextInt(10) == 0) {
          b = Arrays.copyOf(b, rnd.nextInt(b.length + 16));
        }
        if (readExpectingOnlyFormatErrors(b)) {
          accepted++;
        }
      }
    }
    // some corruptions hit bytes that do not matter (padding, priorities, names' letters)
    assertThat(accepted).isPositive();
  }

  /** True if the bytes were read; false on a TableFormatException; fails on anything else. */
  static boolean readExpectingOnlyFormatErrors(byte[] b) {
    try {
      CompiledTable t = TableReader.read(b);
      assertThat(t.size()).isEqualTo(b.length);
      // whatever was read is a model the compiler takes back
      try {
        TableCompiler.compile(t.toPolicySet());
      } catch (TableTooLargeException e) {
        fail("read back a table that does not compile: " + e);
      }
      return true;
    } catch (TableFormatException e) {
      assertThat(e.error()).isBetween(Abi.TERR_SIZE, Abi.TERR_HOOK);
      assertThat(e.offset()).isBetween(0L, (long) Math.max(0, b.length - 1));
      return false;
    } catch (RuntimeException | Error e) {
      throw new AssertionError(
          "reading "
              + b.length
              + " bytes threw "
              + e
              + " instead of a TableFormatException: "
              + Arrays.toString(Arrays.copyOf(b, Math.min(b.length, 128))),
          e);
    }
  }
}
