package dev.ftguard.abi;

/**
 * One item of a decoded read buffer, in buffer order: an {@link Event}, a record of a type this
 * version does not know ({@link UnknownRecord}), or a {@link DecodeError}.
 */
public sealed interface Decoded permits Event, UnknownRecord, DecodeError {
  /** Byte offset of the record in the decoded buffer. */
  long offset();
}
