package dev.ftguard.abi;

/** A record read from {@code /dev/ftguard}. */
public sealed interface Event extends Decoded
    permits ExecEvent, ForkEvent, ExitEvent, DecisionEvent, CallEvent, TamperEvent {
  /** The common header: who, when, where. */
  Header header();

  /** The kind of record this event came from. */
  EventType eventType();

  @Override
  default long offset() {
    return header().offset();
  }
}
