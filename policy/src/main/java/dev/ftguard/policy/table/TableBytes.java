package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.ftguard.abi.Abi;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** The bytes of a table being read: fixed-size fields in host byte order, and names. */
class TableBytes {
  final byte[] bytes;
  final MemorySegment t;

  TableBytes(byte[] bytes) {
    this.bytes = bytes;
    this.t = MemorySegment.ofArray(bytes);
  }

  /** A NUL-terminated, NUL-padded name of [a-z0-9-], as the kernel requires. */
  String name(long at, String what) throws TableFormatException {
    int n = 0;
    while (n < Abi.NAME_LEN && t.get(JAVA_BYTE, at + n) != 0) {
      byte c = t.get(JAVA_BYTE, at + n);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        throw new TableFormatException(
            Abi.TERR_NAME,
            at,
            what
                + " name has byte 0x"
                + Integer.toHexString(c & 0xff)
                + " at "
                + n
                + ", not [a-z0-9-]");
      }
      n++;
    }
    if (n == 0 || n == Abi.NAME_LEN) {
      throw new TableFormatException(
          Abi.TERR_NAME, at, what + " name is empty or not NUL-terminated");
    }
    for (int i = n; i < Abi.NAME_LEN; i++) {
      if (t.get(JAVA_BYTE, at + i) != 0) {
        throw new TableFormatException(Abi.TERR_NAME, at, what + " name is not NUL-padded");
      }
    }
    return new String(t.asSlice(at, n).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
  }

  static boolean allZero(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  int u8(long at) {
    return Byte.toUnsignedInt(t.get(JAVA_BYTE, at));
  }

  int u16(long at) {
    return Short.toUnsignedInt(t.get(JAVA_SHORT_UNALIGNED, at));
  }

  int i32(long at) {
    return t.get(JAVA_INT_UNALIGNED, at);
  }

  long u32(long at) {
    return Integer.toUnsignedLong(i32(at));
  }

  long i64(long at) {
    return t.get(JAVA_LONG_UNALIGNED, at);
  }
}
