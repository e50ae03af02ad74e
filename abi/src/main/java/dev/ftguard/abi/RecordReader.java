package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One well-framed record on its way to an {@link Event}: its bytes, where it was in the buffer, its
 * type and size, and the reads and checks the record decoders share. Every error it makes carries
 * the record's offset and type.
 */
final class RecordReader {
  final MemorySegment rec;
  final long off;
  final int type;
  final int size;
  private final ValueLayout.OfShort u16;
  private final ValueLayout.OfInt i32;
  private final ValueLayout.OfLong i64;

  RecordReader(MemorySegment rec, long off, int type, int size, ByteOrder order) {
    this.rec = rec;
    this.off = off;
    this.type = type;
    this.size = size;
    this.u16 = SHORT.get(order);
    this.i32 = INT.get(order);
    this.i64 = LONG.get(order);
  }

  /**
   * The layouts by byte order, made once: a layout made per read ({@code withOrder}) costs an
   * object and a var handle look-up on every field of every record.
   */
  static final Map<ByteOrder, ValueLayout.OfShort> SHORT =
      Map.of(
          ByteOrder.LITTLE_ENDIAN, JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
          ByteOrder.BIG_ENDIAN, JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN));

  static final Map<ByteOrder, ValueLayout.OfInt> INT =
      Map.of(
          ByteOrder.LITTLE_ENDIAN, JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
          ByteOrder.BIG_ENDIAN, JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN));

  static final Map<ByteOrder, ValueLayout.OfLong> LONG =
      Map.of(
          ByteOrder.LITTLE_ENDIAN, JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
          ByteOrder.BIG_ENDIAN, JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN));

  int u8(long at) {
    return Byte.toUnsignedInt(rec.get(JAVA_BYTE, at));
  }

  int u16(long at) {
    return Short.toUnsignedInt(rec.get(u16, at));
  }

  int i32(long at) {
    return rec.get(i32, at);
  }

  long u32(long at) {
    return Integer.toUnsignedLong(i32(at));
  }

  long i64(long at) {
    return rec.get(i64, at);
  }

  byte byteAt(long at) {
    return rec.get(JAVA_BYTE, at);
  }

  byte[] bytes(long at, long len) {
    return rec.asSlice(at, len).toArray(JAVA_BYTE);
  }

  String string(long at, long len) {
    return string(rec, at, len);
  }

  String cString(long at, int max) {
    return cString(rec, at, max);
  }

  /**
   * Strings of up to this many bytes, all ASCII, come from {@link #RECENT} when it holds one with
   * the same bytes: records repeat their commands, binaries and arguments.
   */
  static final int RECENT_MAX_LEN = 64;

  /**
   * Strings decoded lately, by a hash of their bytes (a new one replaces the old): shared by every
   * decoder and thread, which only ever read or replace whole immutable strings.
   */
  private static final String[] RECENT = new String[1024];

  static String string(MemorySegment s, long at, long len) {
    if (len <= RECENT_MAX_LEN) {
      return recent(s, at, (int) len);
    }
    return decode(s, at, len);
  }

  private static String decode(MemorySegment s, long at, long len) {
    byte[] b = new byte[(int) len];
    MemorySegment.copy(s, JAVA_BYTE, at, b, 0, b.length);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The string of {@code n} bytes at {@code at}: the one decoded lately if it is the same. */
  private static String recent(MemorySegment s, long at, int n) {
    int h = 0;
    boolean ascii = true;
    for (int i = 0; i < n; i++) {
      byte b = s.get(JAVA_BYTE, at + i);
      h = 31 * h + b;
      ascii &= b >= 0;
    }
    if (!ascii) {
      return decode(s, at, n);
    }
    int slot = (h ^ (h >>> 12)) & (RECENT.length - 1);
    String known = RECENT[slot];
    if (known != null && known.length() == n) {
      int i = 0;
      while (i < n && known.charAt(i) == s.get(JAVA_BYTE, at + i)) {
        i++;
      }
      if (i == n) {
        return known;
      }
    }
    String fresh = decode(s, at, n);
    RECENT[slot] = fresh;
    return fresh;
  }

  /** A NUL-padded char array of at most {@code max} bytes (a missing NUL is tolerated). */
  static String cString(MemorySegment s, long at, int max) {
    int n = 0;
    while (n < max && s.get(JAVA_BYTE, at + n) != 0) {
      n++;
    }
    return string(s, at, n);
  }

  /** The common header. */
  Header header() {
    return new Header(
        off,
        type,
        size,
        u32(Abi.Hdr.CPU),
        i64(Abi.Hdr.SEQ),
        i64(Abi.Hdr.MONO_NS),
        i64(Abi.Hdr.WALL_NS),
        i64(Abi.Hdr.CGROUP_ID),
        u32(Abi.Hdr.PID),
        u32(Abi.Hdr.TGID),
        u32(Abi.Hdr.PPID),
        u32(Abi.Hdr.UID),
        u32(Abi.Hdr.GID),
        u32(Abi.Hdr.EUID),
        cString(Abi.Hdr.COMM, Abi.COMM_LEN));
  }

  /** Null when the record holds the {@code needed} bytes of its type's fixed part. */
  DecodeError tooShort(long needed) {
    if (size >= needed) {
      return null;
    }
    return new DecodeError(
        off,
        DecodeError.Kind.TOO_SHORT_FOR_TYPE,
        type,
        "type " + type + " has size " + size + ", its fixed part needs " + needed,
        false);
  }

  DecodeError badLength(String message) {
    return new DecodeError(off, DecodeError.Kind.BAD_LENGTH, type, message, false);
  }

  DecodeError badField(String message) {
    return new DecodeError(off, DecodeError.Kind.BAD_FIELD, type, message, false);
  }

  /** A variable-length part of a record: its length field, its value and its bound. */
  record Length(String field, int len, String maxName, int max) {}

  /**
   * Checks the variable-length parts of the record ({@code what} in messages): each against its
   * bound, then all of them, laid out from {@code start}, against the record's size. Null when they
   * fit.
   */
  DecodeError checkLengths(String what, long start, Length... parts) {
    long needed = start;
    for (Length p : parts) {
      if (p.len() > p.max()) {
        return badLength(
            what + " " + p.field() + " " + p.len() + " exceeds " + p.maxName() + " " + p.max());
      }
      needed += p.len();
    }
    if (needed > size) {
      List<String> lengths = new ArrayList<>();
      for (Length p : parts) {
        lengths.add(p.field() + " " + p.len());
      }
      return badLength(
          what
              + " "
              + String.join(" + ", lengths)
              + " need "
              + needed
              + " bytes, record size is "
              + size);
    }
    return null;
  }

  /**
   * Splits {@code len} bytes at {@code start} into NUL-terminated arguments (into {@code out}); an
   * error when the last is unterminated, there are more than {@code maxArgs} or more than {@code
   * argc}.
   */
  DecodeError splitArgv(
      String what, long start, int len, long argc, int maxArgs, List<String> out) {
    long end = start + len;
    long p = start;
    for (long i = start; i < end; i++) {
      if (byteAt(i) == 0) {
        out.add(string(p, i - p));
        p = i + 1;
      }
    }
    if (p != end) {
      return badArgv(
          what
              + " argv: last of "
              + len
              + " bytes is not NUL ("
              + (end - p)
              + " bytes unterminated)");
    }
    if (out.size() > maxArgs) {
      return badArgv(
          what + " argv holds " + out.size() + " arguments, more than FTG_ARGC_MAX " + maxArgs);
    }
    if (out.size() > argc) {
      return badArgv(what + " argv holds " + out.size() + " arguments but argc is " + argc);
    }
    return null;
  }

  private DecodeError badArgv(String message) {
    return new DecodeError(off, DecodeError.Kind.BAD_ARGV, type, message, false);
  }
}
