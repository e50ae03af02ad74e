package dev.ftguard.abi;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * UnknownRecord}s (newer modules may add types); known types go to their {@link EventType}'s
 * decoder. Every step advances by at least one header, so decoding always terminates.
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
    if (type == 0) {
      return new DecodeError(
          off, DecodeError.Kind.BAD_TYPE, 0, "type 0 is not a record type", false);
    }
    RecordReader r = new RecordReader(rec, off, type, size, order);
    Optional<EventType> kind = EventType.of(type);
    return kind.isPresent()
        ? kind.get().decode(r)
        : new UnknownRecord(off, type, size, r.i64(Abi.Hdr.SEQ));
  }

  private int u16(MemorySegment s, long at) {
    return Short.toUnsignedInt(s.get(RecordReader.SHORT.get(order), at));
  }
}
