package dev.ftguard.abi;

import java.util.List;

/**
 * The items of one buffer, in order.
 *
 * @param items events, skipped unknown records and errors, in buffer order
 * @param consumed bytes decoded; less than the buffer length only after an error that lost the
 *     framing
 */
public record DecodeResult(List<Decoded> items, long consumed) {
  public DecodeResult {
    items = List.copyOf(items);
  }

  public List<Event> events() {
    return items.stream().filter(Event.class::isInstance).map(Event.class::cast).toList();
  }

  public List<DecodeError> errors() {
    return items.stream()
        .filter(DecodeError.class::isInstance)
        .map(DecodeError.class::cast)
        .toList();
  }

  public List<UnknownRecord> unknown() {
    return items.stream()
        .filter(UnknownRecord.class::isInstance)
        .map(UnknownRecord.class::cast)
        .toList();
  }
}
