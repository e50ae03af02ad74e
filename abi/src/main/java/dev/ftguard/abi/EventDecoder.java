package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the bytes returned by {@code read(/dev/ftguard)}: whole records, concatenated, each
 * starting with {@code struct ftg_event_header} whose {@code size} covers the whole record.
 *
 * <p>Every size and length is checked against the record and the header's bounds before any byte
 * is read, so a bad buffer yields a {@link DecodeError} with its offset and never an exception.
 * When a record's size is unusable the framing is lost and decoding stops there; when only the
 * content is bad the record is skipped. Records of unknown type with a sane size are skipped as
 * {@link UnknownRecord}s (newer modules may add types). Every step advances by at least one
 * header, so decoding always terminates.
 *
 * <p>Multi-byte fields are read in the host byte order unless another order is given (tests
 * only). Thread-safe: no state.
 */
public final class EventDecoder {
  private final ByteOrder order;

  private EventDecoder(ByteOrder order) {
    this.order = order;
  }

  private static final EventDecoder NATIVE = new EventDecoder(ByteOrder.nativeOrder());

  /** A decoder for records in the host byte order (what the kernel writes). */
  public static EventDecoder nativeOrder() {
    return NATIVE;
  }

  /** A decoder for the given byte order. */
  public static EventDecoder withOrder(ByteOrder order) {
    return order == ByteOrder.nativeOrder() ? NATIVE : new EventDecoder(order);
  }

  /** Decodes {@code segment} in full (its byte size is the number of bytes read). */
  public DecodeResult decode(MemorySegment segment) {
    return decode(segment, 0, segment.byteSize());
  }

  /** Decodes the {@code length} bytes of {@code segment} from {@code start}. */
  public DecodeResult decode(MemorySegment segment, long start, long length) {
    return decodeSlice(segment.asSlice(start, length));
  }

  /** Decodes the remaining bytes of {@code buffer} (position to limit); does not move it. */
  public DecodeResult decode(ByteBuffer buffer) {
    return decodeSlice(MemorySegment.ofBuffer(buffer));
  }

  public DecodeResult decode(byte[] bytes) {
    return decodeSlice(MemorySegment.ofArray(bytes));
  }

  private DecodeResult decodeSlice(MemorySegment seg) {
    final long end = seg.byteSize();
    final long hdrSize = Abi.Hdr.SIZE;
    List<Decoded> items = new ArrayList<>();
    long off = 0;
    while (off < end) {
      long left = end - off;
      if (left < hdrSize) {
        items.add(
            new DecodeError(
                off,
                DecodeError.Kind.TRUNCATED_HEADER,
                left >= 2 ? u16(seg, off + Abi.Hdr.TYPE) : -1,
                left + " bytes left, a record header needs " + hdrSize,
                true));
        break;
      }
      int type = u16(seg, off + Abi.Hdr.TYPE);
      int size = u16(seg, off + Abi.Hdr.RECORD_SIZE);
      if (size < hdrSize || size > Abi.RECORD_MAX || size % Abi.RECORD_ALIGN != 0) {
        items.add(
            new DecodeError(
                off,
                DecodeError.Kind.BAD_SIZE,
                type,
                "type "
                    + type
                    + " has size "
                    + size
                    + ", expected a multiple of "
                    + Abi.RECORD_ALIGN
                    + " in ["
                    + hdrSize
                    + ", "
                    + Abi.RECORD_MAX
                    + "]",
                true));
        break;
      }
      if (size > left) {
        items.add(
            new DecodeError(
                off,
                DecodeError.Kind.TRUNCATED_RECORD,
                type,
                "type " + type + " has size " + size + " but only " + left + " bytes are left",
                true));
        break;
      }
      MemorySegment rec = seg.asSlice(off, size);
      items.add(decodeRecord(rec, off, type, size));
      off += size;
    }
    return new DecodeResult(items, off);
  }

  private Decoded decodeRecord(MemorySegment rec, long off, int type, int size) {
    return switch (type) {
      case Abi.EV_EXEC -> decodeExec(rec, off, size);
      case Abi.EV_FORK -> {
        if (size < Abi.Fork.SIZE) {
          yield tooShort(off, type, size, Abi.Fork.SIZE);
        }
        yield new ForkEvent(
            header(rec, off, type, size),
            i64(rec, Abi.Fork.CLONE_FLAGS),
            i32(rec, Abi.Fork.CHILD_PID));
      }
      case Abi.EV_EXIT -> {
        if (size < Abi.Exit.SIZE) {
          yield tooShort(off, type, size, Abi.Exit.SIZE);
        }
        yield new ExitEvent(
            header(rec, off, type, size), i32(rec, Abi.Exit.CODE), i32(rec, Abi.Exit.FLAGS));
      }
      case 0 ->
          new DecodeError(
              off, DecodeError.Kind.BAD_TYPE, 0, "type 0 is not a record type", false);
      default -> new UnknownRecord(off, type, size, i64(rec, Abi.Hdr.SEQ));
    };
  }

  private Decoded decodeExec(MemorySegment rec, long off, int size) {
    int type = Abi.EV_EXEC;
    if (size < Abi.Exec.SIZE) {
      return tooShort(off, type, size, Abi.Exec.SIZE);
    }
    int filenameLen = u16(rec, Abi.Exec.FILENAME_LEN);
    int argvLen = u16(rec, Abi.Exec.ARGV_LEN);
    if (filenameLen > Abi.PATH_MAX) {
      return badLength(off, "exec filename_len " + filenameLen + " exceeds FTG_PATH_MAX " + Abi.PATH_MAX);
    }
    if (argvLen > Abi.ARGV_MAX) {
      return badLength(off, "exec argv_len " + argvLen + " exceeds FTG_ARGV_MAX " + Abi.ARGV_MAX);
    }
    long needed = Abi.Exec.DATA + filenameLen + argvLen;
    if (needed > size) {
      return badLength(
          off,
          "exec filename_len "
              + filenameLen
              + " + argv_len "
              + argvLen
              + " need "
              + needed
              + " bytes, record size is "
              + size);
    }
    long argc = u32(rec, Abi.Exec.ARGC);
    String filename = string(rec, Abi.Exec.DATA, filenameLen);
    List<String> argv = new ArrayList<>();
    long argStart = Abi.Exec.DATA + filenameLen;
    long argEnd = argStart + argvLen;
    long p = argStart;
    for (long i = argStart; i < argEnd; i++) {
      if (rec.get(JAVA_BYTE, i) == 0) {
        argv.add(string(rec, p, i - p));
        p = i + 1;
      }
    }
    if (p != argEnd) {
      return new DecodeError(
          off,
          DecodeError.Kind.BAD_ARGV,
          type,
          "exec argv: last of " + argvLen + " bytes is not NUL (" + (argEnd - p) + " bytes unterminated)",
          false);
    }
    if (argv.size() > Abi.ARGC_MAX) {
      return new DecodeError(
          off,
          DecodeError.Kind.BAD_ARGV,
          type,
          "exec argv holds " + argv.size() + " arguments, more than FTG_ARGC_MAX " + Abi.ARGC_MAX,
          false);
    }
    if (argv.size() > argc) {
      return new DecodeError(
          off,
          DecodeError.Kind.BAD_ARGV,
          type,
          "exec argv holds " + argv.size() + " arguments but argc is " + argc,
          false);
    }
    return new ExecEvent(
        header(rec, off, type, size),
        i32(rec, Abi.Exec.RESULT),
        i32(rec, Abi.Exec.FLAGS),
        argc,
        filename,
        argv,
        i32(rec, Abi.Exec.DIRFD),
        i32(rec, Abi.Exec.AT_FLAGS));
  }

  private static DecodeError tooShort(long off, int type, int size, long needed) {
    return new DecodeError(
        off,
        DecodeError.Kind.TOO_SHORT_FOR_TYPE,
        type,
        "type " + type + " has size " + size + ", its fixed part needs " + needed,
        false);
  }

  private static DecodeError badLength(long off, String message) {
    return new DecodeError(off, DecodeError.Kind.BAD_LENGTH, Abi.EV_EXEC, message, false);
  }

  private Header header(MemorySegment rec, long off, int type, int size) {
    return new Header(
        off,
        type,
        size,
        u32(rec, Abi.Hdr.CPU),
        i64(rec, Abi.Hdr.SEQ),
        i64(rec, Abi.Hdr.MONO_NS),
        i64(rec, Abi.Hdr.WALL_NS),
        i64(rec, Abi.Hdr.CGROUP_ID),
        u32(rec, Abi.Hdr.PID),
        u32(rec, Abi.Hdr.TGID),
        u32(rec, Abi.Hdr.PPID),
        u32(rec, Abi.Hdr.UID),
        u32(rec, Abi.Hdr.GID),
        u32(rec, Abi.Hdr.EUID),
        cString(rec, Abi.Hdr.COMM, Abi.COMM_LEN));
  }

  private int u16(MemorySegment s, long at) {
    return Short.toUnsignedInt(s.get(JAVA_SHORT_UNALIGNED.withOrder(order), at));
  }

  private int i32(MemorySegment s, long at) {
    return s.get(JAVA_INT_UNALIGNED.withOrder(order), at);
  }

  private long u32(MemorySegment s, long at) {
    return Integer.toUnsignedLong(i32(s, at));
  }

  private long i64(MemorySegment s, long at) {
    return s.get(JAVA_LONG_UNALIGNED.withOrder(order), at);
  }

  static String string(MemorySegment s, long at, long len) {
    return new String(s.asSlice(at, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
  }

  /** A NUL-padded char array of at most {@code max} bytes (a missing NUL is tolerated). */
  static String cString(MemorySegment s, long at, int max) {
    int n = 0;
    while (n < max && s.get(JAVA_BYTE, at + n) != 0) {
      n++;
    }
    return string(s, at, n);
  }
}
