package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.Cidr;
import dev.ftguard.policy.FieldMatcher;
import dev.ftguard.policy.Glob;
import dev.ftguard.policy.PathMatcher;
import dev.ftguard.policy.Range;
import dev.ftguard.policy.RangeMatcher;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The values of a table ({@code struct ftg_value}), each checked against its slot or field. */
final class ValueReader extends TableBytes {
  private final long valuesAt;
  private final long stringsAt;
  private final int nStrings;

  ValueReader(byte[] bytes, long valuesAt, long stringsAt, int nStrings) {
    super(bytes);
    this.valuesAt = valuesAt;
    this.stringsAt = stringsAt;
    this.nStrings = nStrings;
  }

  /** A string value of a slot. */
  record Str(int type, String s) {}

  /** A value of a call field, checked against the field's kind. */
  Object fieldValue(dev.ftguard.policy.ArgType.Field f, long v, String what)
      throws TableFormatException {
    return switch (f.kind()) {
      case STRING -> value(Abi.SEL_BINARY, v, what);
      case ADDRESS -> value(Abi.SEL_ADDRESS, v, what);
      case INT -> {
        int type = u8(v + Abi.Val.TYPE);
        long lo = i64(v + Abi.Val.LO);
        long hi = i64(v + Abi.Val.HI);
        if (u8(v + Abi.Val.PREFIX_LEN) != 0
            || u16(v + Abi.Val.STR_LEN) != 0
            || u32(v + Abi.Val.STR_OFF) != 0
            || !allZero(t.asSlice(v + Abi.Val.ADDR, 16).toArray(JAVA_BYTE), 0)) {
          throw new TableFormatException(
              Abi.TERR_VALUE, v, what + " integer value has string or network fields set");
        }
        if (type == Abi.VAL_RANGE) {
          if (f.signed() ? lo > hi : Long.compareUnsigned(lo, hi) > 0) {
            throw new TableFormatException(
                Abi.TERR_VALUE, v + Abi.Val.LO, what + " range is empty");
          }
          yield new FieldMatcher.IntRange(lo, hi);
        }
        if (type == Abi.VAL_MASK_ALL || type == Abi.VAL_MASK_ANY) {
          if (lo == 0 || hi != 0) {
            throw new TableFormatException(
                Abi.TERR_VALUE, v + Abi.Val.LO, what + " mask is zero or has a high bound");
          }
          yield new FieldMatcher.Mask(lo, type == Abi.VAL_MASK_ALL);
        }
        throw new TableFormatException(
            Abi.TERR_VALUE, v + Abi.Val.TYPE, what + " has type " + type + ", not a range or mask");
      }
    };
  }

  /** The values of one field selector as one matcher (the compiler writes one kind per field). */
  static FieldMatcher fieldMatcher(List<Object> vs) {
    Object first = vs.getFirst();
    if (first instanceof Str) {
      return new FieldMatcher.Str(path(vs).orElseThrow());
    }
    if (first instanceof Cidr) {
      return new FieldMatcher.Addr(vs.stream().map(Cidr.class::cast).toList());
    }
    if (first instanceof FieldMatcher.Mask m && vs.size() == 1) {
      return m;
    }
    return new FieldMatcher.Ints(
        vs.stream()
            .map(o -> o instanceof FieldMatcher.IntRange r ? r : new FieldMatcher.IntRange(0, -1))
            .toList());
  }

  /** One value, checked against its slot: a {@link Str}, a {@link Range} or a {@link Cidr}. */
  Object value(int slot, long v, String what) throws TableFormatException {
    int type = u8(v + Abi.Val.TYPE);
    int prefixLen = u8(v + Abi.Val.PREFIX_LEN);
    int strLen = u16(v + Abi.Val.STR_LEN);
    long strOff = u32(v + Abi.Val.STR_OFF);
    long lo = i64(v + Abi.Val.LO);
    long hi = i64(v + Abi.Val.HI);
    byte[] addr = t.asSlice(v + Abi.Val.ADDR, 16).toArray(JAVA_BYTE);
    boolean addrZero = allZero(addr, 0);
    String at = what + " value " + (v - valuesAt) / Abi.Val.SIZE;
    switch (slot) {
      case Abi.SEL_BINARY, Abi.SEL_OBJECT, Abi.SEL_PARENT, Abi.SEL_ANCESTOR, Abi.SEL_ARGV -> {
        if (type != Abi.VAL_EXACT
            && (slot == Abi.SEL_ARGV || (type != Abi.VAL_PREFIX && type != Abi.VAL_GLOB))) {
          throw new TableFormatException(
              Abi.TERR_VALUE,
              v + Abi.Val.TYPE,
              at + " has type " + type + ", not a string type for slot " + slot);
        }
        if (prefixLen != 0 || lo != 0 || hi != 0 || !addrZero) {
          throw new TableFormatException(
              Abi.TERR_VALUE, v, at + " is a string with non-zero range or network fields");
        }
        if (strLen == 0 || strLen > Abi.TABLE_STR_MAX || strOff + strLen > nStrings) {
          throw new TableFormatException(
              Abi.TERR_STRING,
              v + Abi.Val.STR_OFF,
              at
                  + " string ["
                  + strOff
                  + ", "
                  + (strOff + strLen)
                  + ") is empty, longer than FTG_TABLE_STR_MAX or outside the "
                  + nStrings
                  + "-byte string area");
        }
        byte[] b = t.asSlice(stringsAt + strOff, strLen).toArray(JAVA_BYTE);
        for (byte x : b) {
          if (x == 0) {
            throw new TableFormatException(
                Abi.TERR_STRING, v + Abi.Val.STR_OFF, at + " string contains a NUL");
          }
        }
        String s;
        try {
          s =
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)
                  .decode(ByteBuffer.wrap(b))
                  .toString();
        } catch (CharacterCodingException e) {
          throw new TableFormatException(
              Abi.TERR_STRING, v + Abi.Val.STR_OFF, at + " string is not valid UTF-8");
        }
        if (type == Abi.VAL_GLOB && !Glob.kernelAccepts(b)) {
          throw new TableFormatException(
              Abi.TERR_GLOB,
              v + Abi.Val.STR_OFF,
              at
                  + " glob '"
                  + s
                  + "' has more than "
                  + Glob.MAX_STARS
                  + " '*' or an unclosed class");
        }
        return new Str(type, s);
      }
      case Abi.SEL_UID, Abi.SEL_EUID, Abi.SEL_PORT -> {
        if (type != Abi.VAL_RANGE) {
          throw new TableFormatException(
              Abi.TERR_VALUE, v + Abi.Val.TYPE, at + " has type " + type + ", not FTG_VAL_RANGE");
        }
        long max = slot == Abi.SEL_PORT ? 65_535 : 0xfffffffeL;
        if (prefixLen != 0
            || strLen != 0
            || strOff != 0
            || !addrZero
            || Long.compareUnsigned(lo, hi) > 0
            || Long.compareUnsigned(hi, max) > 0) {
          throw new TableFormatException(
              Abi.TERR_VALUE,
              v + Abi.Val.LO,
              at
                  + " range "
                  + Long.toUnsignedString(lo)
                  + "-"
                  + Long.toUnsignedString(hi)
                  + " is empty, above "
                  + max
                  + ", or has non-range fields set");
        }
        return new Range(lo, hi);
      }
      case Abi.SEL_ADDRESS -> {
        if (type != Abi.VAL_CIDR4 && type != Abi.VAL_CIDR6) {
          throw new TableFormatException(
              Abi.TERR_VALUE, v + Abi.Val.TYPE, at + " has type " + type + ", not a network");
        }
        if (strLen != 0 || strOff != 0 || lo != 0 || hi != 0) {
          throw new TableFormatException(
              Abi.TERR_VALUE, v, at + " is a network with non-zero string or range fields");
        }
        int bits = type == Abi.VAL_CIDR4 ? 32 : 128;
        if (prefixLen > bits || (bits == 32 && !allZero(addr, 4))) {
          throw new TableFormatException(
              Abi.TERR_VALUE,
              v + Abi.Val.PREFIX_LEN,
              at
                  + " network has prefix length "
                  + prefixLen
                  + " (at most "
                  + bits
                  + ") or bytes past an IPv4 address");
        }
        for (int i = prefixLen; i < bits; i++) {
          if ((addr[i / 8] & (0x80 >> (i % 8))) != 0) {
            throw new TableFormatException(
                Abi.TERR_VALUE,
                v + Abi.Val.ADDR,
                at + " network has host bits set past /" + prefixLen);
          }
        }
        try {
          InetAddress a =
              bits == 32
                  ? InetAddress.getByAddress(Arrays.copyOf(addr, 4))
                  : Inet6Address.getByAddress(null, addr, -1);
          return new Cidr(a, prefixLen);
        } catch (UnknownHostException e) {
          throw new AssertionError("4 or 16 bytes are always an address", e);
        }
      }
      default -> throw new AssertionError("slot " + slot);
    }
  }

  static Optional<PathMatcher> path(List<Object> values) {
    if (values == null) {
      return Optional.empty();
    }
    List<String> exact = new ArrayList<>();
    List<String> prefix = new ArrayList<>();
    List<String> glob = new ArrayList<>();
    for (Object o : values) {
      Str s = (Str) o;
      (s.type() == Abi.VAL_EXACT ? exact : s.type() == Abi.VAL_PREFIX ? prefix : glob).add(s.s());
    }
    return Optional.of(new PathMatcher(exact, prefix, glob));
  }

  static Optional<RangeMatcher> range(List<Object> values, boolean negated) {
    return values == null
        ? Optional.empty()
        : Optional.of(new RangeMatcher(negated, values.stream().map(Range.class::cast).toList()));
  }
}
