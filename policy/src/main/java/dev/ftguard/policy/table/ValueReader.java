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

  /** The fields of one {@code struct ftg_value} at {@code v}; {@code at} names it in errors. */
  private record Raw(
      long v,
      String at,
      int type,
      int prefixLen,
      int strLen,
      long strOff,
      long lo,
      long hi,
      byte[] addr) {
    boolean addrZero() {
      return allZero(addr, 0);
    }
  }

  /** One value, checked against its slot: a {@link Str}, a {@link Range} or a {@link Cidr}. */
  Object value(int slot, long v, String what) throws TableFormatException {
    Raw raw =
        new Raw(
            v,
            what + " value " + (v - valuesAt) / Abi.Val.SIZE,
            u8(v + Abi.Val.TYPE),
            u8(v + Abi.Val.PREFIX_LEN),
            u16(v + Abi.Val.STR_LEN),
            u32(v + Abi.Val.STR_OFF),
            i64(v + Abi.Val.LO),
            i64(v + Abi.Val.HI),
            t.asSlice(v + Abi.Val.ADDR, 16).toArray(JAVA_BYTE));
    return switch (slot) {
      case Abi.SEL_BINARY, Abi.SEL_OBJECT, Abi.SEL_PARENT, Abi.SEL_ANCESTOR, Abi.SEL_ARGV ->
          stringValue(slot, raw);
      case Abi.SEL_UID, Abi.SEL_EUID, Abi.SEL_PORT -> rangeValue(slot, raw);
      case Abi.SEL_ADDRESS -> networkValue(raw);
      case Abi.SEL_SHA256 -> sha256Value(raw);
      default -> throw new AssertionError("slot " + slot);
    };
  }

  /** A string value: exact (the only type of ARGV), prefix or glob; valid UTF-8 without NUL. */
  private Str stringValue(int slot, Raw r) throws TableFormatException {
    long v = r.v();
    int type = r.type();
    if (type != Abi.VAL_EXACT
        && (slot == Abi.SEL_ARGV || (type != Abi.VAL_PREFIX && type != Abi.VAL_GLOB))) {
      throw new TableFormatException(
          Abi.TERR_VALUE,
          v + Abi.Val.TYPE,
          r.at() + " has type " + type + ", not a string type for slot " + slot);
    }
    String s = stringAt(r, "a string");
    if (type == Abi.VAL_GLOB && !Glob.kernelAccepts(s.getBytes(StandardCharsets.UTF_8))) {
      throw new TableFormatException(
          Abi.TERR_GLOB,
          v + Abi.Val.STR_OFF,
          r.at()
              + " glob '"
              + s
              + "' has more than "
              + Glob.MAX_STARS
              + " '*' or an unclosed class");
    }
    return new Str(type, s);
  }

  /**
   * The string a value points at ({@code what}: "a string", "a digest"), bounds and UTF-8 checked.
   */
  private String stringAt(Raw r, String what) throws TableFormatException {
    long v = r.v();
    if (r.prefixLen() != 0 || r.lo() != 0 || r.hi() != 0 || !r.addrZero()) {
      throw new TableFormatException(
          Abi.TERR_VALUE, v, r.at() + " is " + what + " with non-zero range or network fields");
    }
    long strOff = r.strOff();
    int strLen = r.strLen();
    if (strLen == 0 || strLen > Abi.TABLE_STR_MAX || strOff + strLen > nStrings) {
      throw new TableFormatException(
          Abi.TERR_STRING,
          v + Abi.Val.STR_OFF,
          r.at()
              + " string ["
              + strOff
              + ", "
              + (strOff + strLen)
              + ") is empty, longer than FTG_TABLE_STR_MAX or outside the "
              + nStrings
              + "-byte string area");
    }
    return utf8(t.asSlice(stringsAt + strOff, strLen).toArray(JAVA_BYTE), v, r.at());
  }

  /** The string of bytes {@code b}, which must hold no NUL and be valid UTF-8. */
  private static String utf8(byte[] b, long v, String at) throws TableFormatException {
    for (byte x : b) {
      if (x == 0) {
        throw new TableFormatException(
            Abi.TERR_STRING, v + Abi.Val.STR_OFF, at + " string contains a NUL");
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new TableFormatException(
          Abi.TERR_STRING, v + Abi.Val.STR_OFF, at + " string is not valid UTF-8");
    }
  }

  /** A SHA-256 digest: {@code FTG_SHA256_HEX_LEN} lower-case hex digits in the string area. */
  private Str sha256Value(Raw r) throws TableFormatException {
    long v = r.v();
    if (r.type() != Abi.VAL_SHA256) {
      throw new TableFormatException(
          Abi.TERR_VALUE,
          v + Abi.Val.TYPE,
          r.at() + " has type " + r.type() + ", not FTG_VAL_SHA256");
    }
    String s = stringAt(r, "a digest");
    int strLen = r.strLen();
    if (strLen != Abi.SHA256_HEX_LEN) {
      throw new TableFormatException(
          Abi.TERR_VALUE,
          v + Abi.Val.STR_LEN,
          r.at() + " digest has " + strLen + " bytes, not " + Abi.SHA256_HEX_LEN);
    }
    if (!dev.ftguard.policy.Sha256.isDigest(s)) {
      throw new TableFormatException(
          Abi.TERR_VALUE,
          v + Abi.Val.STR_OFF,
          r.at() + " digest '" + s + "' is not lower-case hex");
    }
    return new Str(Abi.VAL_SHA256, s);
  }

  /** A range of ids (up to {@code FTG_ID_MAX}) or ports (up to {@code FTG_PORT_MAX}). */
  private static Range rangeValue(int slot, Raw r) throws TableFormatException {
    long v = r.v();
    if (r.type() != Abi.VAL_RANGE) {
      throw new TableFormatException(
          Abi.TERR_VALUE,
          v + Abi.Val.TYPE,
          r.at() + " has type " + r.type() + ", not FTG_VAL_RANGE");
    }
    long max = slot == Abi.SEL_PORT ? Abi.PORT_MAX : Abi.ID_MAX;
    long lo = r.lo();
    long hi = r.hi();
    if (r.prefixLen() != 0
        || r.strLen() != 0
        || r.strOff() != 0
        || !r.addrZero()
        || Long.compareUnsigned(lo, hi) > 0
        || Long.compareUnsigned(hi, max) > 0) {
      throw new TableFormatException(
          Abi.TERR_VALUE,
          v + Abi.Val.LO,
          r.at()
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

  /** An IPv4 or IPv6 network without host bits. */
  private static Cidr networkValue(Raw r) throws TableFormatException {
    long v = r.v();
    int type = r.type();
    if (type != Abi.VAL_CIDR4 && type != Abi.VAL_CIDR6) {
      throw new TableFormatException(
          Abi.TERR_VALUE, v + Abi.Val.TYPE, r.at() + " has type " + type + ", not a network");
    }
    if (r.strLen() != 0 || r.strOff() != 0 || r.lo() != 0 || r.hi() != 0) {
      throw new TableFormatException(
          Abi.TERR_VALUE, v, r.at() + " is a network with non-zero string or range fields");
    }
    int bits = type == Abi.VAL_CIDR4 ? 32 : 128;
    int prefixLen = r.prefixLen();
    byte[] addr = r.addr();
    if (prefixLen > bits || (bits == 32 && !allZero(addr, 4))) {
      throw new TableFormatException(
          Abi.TERR_VALUE,
          v + Abi.Val.PREFIX_LEN,
          r.at()
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
            r.at() + " network has host bits set past /" + prefixLen);
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
