package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the bytes returned by {@code read(/dev/ftguard)}: whole records, concatenated, each
 * starting with {@code struct ftg_event_header} whose {@code size} covers the whole record.
 *
 * <p>Every size and length is checked against the record and the header's bounds before any byte is
 * read, so a bad buffer yields a {@link DecodeError} with its offset and never an exception. When a
 * record's size is unusable the framing is lost and decoding stops there; when only the content is
 * bad the record is skipped. Records of unknown type with a sane size are skipped as {@link
 * UnknownRecord}s (newer modules may add types). Every step advances by at least one header, so
 * decoding always terminates.
 *
 * <p>Multi-byte fields are read in the host byte order unless another order is given (tests only).
 * Thread-safe: no state.
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
      case Abi.EV_DECISION -> decodeDecision(rec, off, size);
      case Abi.EV_CALL -> decodeCall(rec, off, size);
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
          new DecodeError(off, DecodeError.Kind.BAD_TYPE, 0, "type 0 is not a record type", false);
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
    DecodeError bad =
        checkLengths(
            off,
            type,
            "exec",
            Abi.Exec.DATA,
            size,
            new Length("filename_len", filenameLen, "FTG_PATH_MAX", Abi.PATH_MAX),
            new Length("argv_len", argvLen, "FTG_ARGV_MAX", Abi.ARGV_MAX));
    if (bad != null) {
      return bad;
    }
    long argc = u32(rec, Abi.Exec.ARGC);
    String filename = string(rec, Abi.Exec.DATA, filenameLen);
    List<String> argv = new ArrayList<>();
    bad = splitArgv(rec, off, type, "exec", Abi.Exec.DATA + filenameLen, argvLen, argc, argv);
    if (bad != null) {
      return bad;
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

  /** A variable-length part of a record: its length field, its value and its bound. */
  private record Length(String field, int len, String maxName, int max) {}

  /**
   * Checks the variable-length parts of a record of type {@code type} ({@code what} in messages):
   * each against its bound, then all of them, laid out from {@code start}, against the record's
   * {@code size}. Null when they fit.
   */
  private static DecodeError checkLengths(
      long off, int type, String what, long start, int size, Length... parts) {
    long needed = start;
    List<String> lengths = new ArrayList<>();
    for (Length p : parts) {
      if (p.len() > p.max()) {
        return badLength(
            off,
            type,
            what + " " + p.field() + " " + p.len() + " exceeds " + p.maxName() + " " + p.max());
      }
      needed += p.len();
      lengths.add(p.field() + " " + p.len());
    }
    if (needed > size) {
      return badLength(
          off,
          type,
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
   * error when the last is unterminated, there are more than {@link Abi#ARGC_MAX} (exec records
   * only: decisions are bounded by their {@link Abi#DEC_ARGV_MAX} bytes) or more than {@code argc}.
   */
  private static DecodeError splitArgv(
      MemorySegment rec,
      long off,
      int type,
      String what,
      long start,
      int len,
      long argc,
      List<String> out) {
    long end = start + len;
    long p = start;
    for (long i = start; i < end; i++) {
      if (rec.get(JAVA_BYTE, i) == 0) {
        out.add(string(rec, p, i - p));
        p = i + 1;
      }
    }
    if (p != end) {
      return new DecodeError(
          off,
          DecodeError.Kind.BAD_ARGV,
          type,
          what
              + " argv: last of "
              + len
              + " bytes is not NUL ("
              + (end - p)
              + " bytes unterminated)",
          false);
    }
    if (type == Abi.EV_EXEC && out.size() > Abi.ARGC_MAX) {
      return new DecodeError(
          off,
          DecodeError.Kind.BAD_ARGV,
          type,
          what + " argv holds " + out.size() + " arguments, more than FTG_ARGC_MAX " + Abi.ARGC_MAX,
          false);
    }
    if (out.size() > argc) {
      return new DecodeError(
          off,
          DecodeError.Kind.BAD_ARGV,
          type,
          what + " argv holds " + out.size() + " arguments but argc is " + argc,
          false);
    }
    return null;
  }

  private Decoded decodeDecision(MemorySegment rec, long off, int size) {
    int type = Abi.EV_DECISION;
    if (size < Abi.Decision.DATA) {
      return tooShort(off, type, size, Abi.Decision.DATA);
    }
    int kindValue = u8(rec, Abi.Decision.KIND);
    int actionValue = u8(rec, Abi.Decision.ACTION);
    int modeValue = u8(rec, Abi.Decision.MODE);
    Optional<DecisionEvent.Kind> kind = DecisionEvent.Kind.of(kindValue);
    if (kind.isEmpty()) {
      return notEnum(off, "kind", kindValue, "ftg_kind", Abi.KINDS);
    }
    Optional<DecisionEvent.Action> action = DecisionEvent.Action.of(actionValue);
    if (action.isEmpty()) {
      return notEnum(off, "action", actionValue, "ftg_action", Abi.ACTIONS);
    }
    Optional<DecisionEvent.Mode> mode = DecisionEvent.Mode.of(modeValue);
    if (mode.isEmpty()) {
      return notEnum(off, "mode", modeValue, "ftg_mode", DecisionEvent.Mode.values().length);
    }
    int binaryLen = u16(rec, Abi.Decision.BINARY_LEN);
    int objectLen = u16(rec, Abi.Decision.OBJECT_LEN);
    int argvLen = u16(rec, Abi.Decision.ARGV_LEN);
    // binary and its NUL, object and its NUL, arguments each ended by a NUL; binary_len and
    // object_len count the string's NUL (0: unknown), so at most FTG_PATH_MAX + 1
    long binaryAt = Abi.Decision.DATA;
    long objectAt = binaryAt + binaryLen;
    long argvAt = objectAt + objectLen;
    DecodeError bad =
        checkLengths(
            off,
            type,
            "decision",
            binaryAt,
            size,
            new Length("binary_len", binaryLen, "FTG_PATH_MAX + 1 =", Abi.PATH_MAX + 1),
            new Length("object_len", objectLen, "FTG_PATH_MAX + 1 =", Abi.PATH_MAX + 1),
            new Length("argv_len", argvLen, "FTG_DEC_ARGV_MAX", Abi.DEC_ARGV_MAX));
    if (bad != null) {
      return bad;
    }
    if (binaryLen > 0 && rec.get(JAVA_BYTE, objectAt - 1) != 0) {
      return badField(
          off, "decision binary: its last byte (binary_len " + binaryLen + ") is not NUL");
    }
    if (objectLen > 0 && rec.get(JAVA_BYTE, argvAt - 1) != 0) {
      return badField(
          off, "decision object: its last byte (object_len " + objectLen + ") is not NUL");
    }
    long argc = u32(rec, Abi.Decision.ARGC);
    List<String> argv = new ArrayList<>();
    bad = splitArgv(rec, off, type, "decision", argvAt, argvLen, argc, argv);
    if (bad != null) {
      return bad;
    }
    int family = u16(rec, Abi.Decision.FAMILY);
    Optional<InetAddress> address = Optional.empty();
    if (kind.get() == DecisionEvent.Kind.CONNECT) {
      byte[] addr = rec.asSlice(Abi.Decision.ADDR, 16).toArray(JAVA_BYTE);
      try {
        address =
            switch (family) {
              case Abi.AF_INET ->
                  Optional.of(InetAddress.getByAddress(java.util.Arrays.copyOf(addr, 4)));
              case Abi.AF_INET6 -> Optional.of(Inet6Address.getByAddress(null, addr, -1));
              default -> null;
            };
      } catch (UnknownHostException e) {
        throw new AssertionError("4 or 16 address bytes are always valid", e);
      }
      if (address == null) {
        return badField(
            off,
            "decision family "
                + family
                + " of a connect is neither AF_INET ("
                + Abi.AF_INET
                + ") nor AF_INET6 ("
                + Abi.AF_INET6
                + ")");
      }
    }
    return new DecisionEvent(
        header(rec, off, type, size),
        i64(rec, Abi.Decision.GENERATION),
        u32(rec, Abi.Decision.RULE),
        kind.get(),
        action.get(),
        mode.get(),
        u8(rec, Abi.Decision.FLAGS),
        i32(rec, Abi.Decision.RESULT),
        i32(rec, Abi.Decision.MASK),
        cString(rec, Abi.Decision.POLICY, Abi.NAME_LEN),
        cString(rec, Abi.Decision.RULE_NAME, Abi.NAME_LEN),
        family,
        address,
        u16(rec, Abi.Decision.PORT),
        u32(rec, Abi.Decision.TARGET_PID),
        u32(rec, Abi.Decision.NEW_UID),
        u32(rec, Abi.Decision.NEW_EUID),
        argc,
        string(rec, binaryAt, Math.max(0, binaryLen - 1)),
        string(rec, objectAt, Math.max(0, objectLen - 1)),
        argv);
  }

  /**
   * A call record: the function's name (function_len bytes, NUL included, padded to 8), then
   * nr_fields fields of fields_len bytes in all, each a {@code struct ftg_field} and its value
   * padded to 8; every length is checked against its type and the record.
   */
  private Decoded decodeCall(MemorySegment rec, long off, int size) {
    int type = Abi.EV_CALL;
    if (size < Abi.Call.DATA) {
      return tooShort(off, type, size, Abi.Call.DATA);
    }
    int actionValue = u8(rec, Abi.Call.ACTION);
    int modeValue = u8(rec, Abi.Call.MODE);
    Optional<DecisionEvent.Action> action = DecisionEvent.Action.of(actionValue);
    if (action.isEmpty()) {
      return callField(
          off,
          "action "
              + actionValue
              + " is not an enum ftg_action value (0.."
              + (Abi.ACTIONS - 1)
              + ")");
    }
    Optional<DecisionEvent.Mode> mode = DecisionEvent.Mode.of(modeValue);
    if (mode.isEmpty()) {
      return callField(off, "mode " + modeValue + " is not an enum ftg_mode value (0..1)");
    }
    int functionLen = u16(rec, Abi.Call.FUNCTION_LEN);
    int fieldsLen = u16(rec, Abi.Call.FIELDS_LEN);
    int nrFields = u8(rec, Abi.Call.NR_FIELDS);
    long fieldsAt = Abi.Call.DATA + align8(functionLen);
    if (functionLen < 2 || functionLen > Abi.FUNC_NAME_MAX) {
      return callField(
          off,
          "function_len " + functionLen + " is outside 2..FTG_FUNC_NAME_MAX " + Abi.FUNC_NAME_MAX);
    }
    if (nrFields > Abi.CALL_FIELDS_MAX) {
      return callField(
          off, "nr_fields " + nrFields + " exceeds FTG_CALL_FIELDS_MAX " + Abi.CALL_FIELDS_MAX);
    }
    if (fieldsAt + fieldsLen > size) {
      return badLength(
          off,
          type,
          "call function_len "
              + functionLen
              + " (padded) + fields_len "
              + fieldsLen
              + " need "
              + (fieldsAt + fieldsLen)
              + " bytes, record size is "
              + size);
    }
    if (rec.get(JAVA_BYTE, Abi.Call.DATA + functionLen - 1) != 0) {
      return callField(
          off, "function name: its last byte (function_len " + functionLen + ") is not NUL");
    }
    List<CallEvent.Field> fields = new ArrayList<>();
    long p = fieldsAt;
    long end = fieldsAt + fieldsLen;
    for (int i = 0; i < nrFields; i++) {
      if (p + Abi.Call.FIELD_SIZE > end) {
        return callField(
            off, "field " + i + " of " + nrFields + " starts past fields_len " + fieldsLen);
      }
      int ftype = u8(rec, p + Abi.Call.FIELD_TYPE);
      int flags = u8(rec, p + Abi.Call.FIELD_FLAGS);
      int len = u16(rec, p + Abi.Call.FIELD_LEN);
      long value = p + Abi.Call.FIELD_SIZE;
      if (value + align8(len) > end) {
        return callField(
            off, "field " + i + " has " + len + " bytes, past fields_len " + fieldsLen);
      }
      boolean fault = (flags & Abi.FIELDF_FAULT) != 0;
      CallEvent.Field f =
          switch (ftype) {
            case Abi.FIELD_INT ->
                len == (fault ? 0 : 8)
                    ? new CallEvent.IntField(fault ? 0 : i64(rec, value), flags)
                    : null;
            case Abi.FIELD_STR ->
                len <= Abi.CALL_STR_MAX
                    ? new CallEvent.StrField(string(rec, value, len), flags)
                    : null;
            case Abi.FIELD_ADDR ->
                len == (fault ? 0 : 16)
                    ? new CallEvent.AddrField(
                        fault ? new byte[16] : rec.asSlice(value, 16).toArray(JAVA_BYTE), flags)
                    : null;
            default -> null;
          };
      if (f == null) {
        return callField(
            off,
            "field " + i + ": type " + ftype + " with " + len + " bytes is not a valid ftg_field");
      }
      fields.add(f);
      p = value + align8(len);
    }
    if (p != end) {
      return callField(
          off, "fields end at " + (p - fieldsAt) + " bytes but fields_len is " + fieldsLen);
    }
    return new CallEvent(
        header(rec, off, type, size),
        i64(rec, Abi.Call.GENERATION),
        u32(rec, Abi.Call.RULE),
        u32(rec, Abi.Call.HOOK),
        action.get(),
        mode.get(),
        u8(rec, Abi.Call.FLAGS),
        i64(rec, Abi.Call.RETVAL),
        cString(rec, Abi.Call.POLICY, Abi.NAME_LEN),
        cString(rec, Abi.Call.RULE_NAME, Abi.NAME_LEN),
        string(rec, Abi.Call.DATA, functionLen - 1),
        fields);
  }

  private static long align8(long n) {
    return (n + 7) & -8L;
  }

  private static DecodeError callField(long off, String message) {
    return new DecodeError(off, DecodeError.Kind.BAD_FIELD, Abi.EV_CALL, "call " + message, false);
  }

  private static DecodeError badField(long off, String message) {
    return new DecodeError(off, DecodeError.Kind.BAD_FIELD, Abi.EV_DECISION, message, false);
  }

  /** A decision's {@code field} is not one of the {@code count} values of {@code enum cEnum}. */
  private static DecodeError notEnum(long off, String field, int value, String cEnum, int count) {
    return badField(
        off,
        "decision "
            + field
            + " "
            + value
            + " is not an enum "
            + cEnum
            + " value (0.."
            + (count - 1)
            + ")");
  }

  private static DecodeError tooShort(long off, int type, int size, long needed) {
    return new DecodeError(
        off,
        DecodeError.Kind.TOO_SHORT_FOR_TYPE,
        type,
        "type " + type + " has size " + size + ", its fixed part needs " + needed,
        false);
  }

  private static DecodeError badLength(long off, int type, String message) {
    return new DecodeError(off, DecodeError.Kind.BAD_LENGTH, type, message, false);
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

  private static int u8(MemorySegment s, long at) {
    return Byte.toUnsignedInt(s.get(JAVA_BYTE, at));
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
