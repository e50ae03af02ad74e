package dev.ftguard.abi;

/** A record read from {@code /dev/ftguard}. */
public sealed interface Event extends Decoded
    permits ExecEvent, ForkEvent, ExitEvent, DecisionEvent, CallEvent {
  /** The common header: who, when, where. */
  Header header();

  @Override
  default long offset() {
    return header().offset();
  }
}
