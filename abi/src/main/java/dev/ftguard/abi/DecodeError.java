package dev.ftguard.abi;

/**
 * A record that failed validation.
 *
 * @param offset byte offset of the bad record in the buffer
 * @param kind what was wrong
 * @param type the record type, or -1 if the header could not be read
 * @param message what was found, with the values and the bounds they broke
 * @param framingLost true when the record size itself was unusable, so decoding of the rest of the
 *     buffer stopped at this offset; false when only this record was skipped
 */
public record DecodeError(long offset, Kind kind, int type, String message, boolean framingLost)
    implements Decoded {

  public enum Kind {
    /** Fewer bytes left than a header. */
    TRUNCATED_HEADER,
    /** size below the header size, above FTG_RECORD_MAX or not a multiple of FTG_RECORD_ALIGN. */
    BAD_SIZE,
    /** size runs past the end of the buffer. */
    TRUNCATED_RECORD,
    /** size too small for the fixed part of the record's type. */
    TOO_SHORT_FOR_TYPE,
    /** A length field exceeds its bound or the record. */
    BAD_LENGTH,
    /** Arguments are not NUL-terminated, or more than allowed. */
    BAD_ARGV,
    /** Type 0 is never written. */
    BAD_TYPE,
    /**
     * A field holds a value this version does not know (a decision's kind, action or mode, a
     * connect address family) or a string is not NUL-terminated where the record says.
     */
    BAD_FIELD,
  }

  @Override
  public String toString() {
    return "record at offset " + offset + ": " + message;
  }
}
