package dev.ftguard.agent.api;

import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.Event;
import java.util.Map;

/**
 * One event as a Java object: the typed record from the kernel ({@code ExecEvent}, {@code
 * ForkEvent}, {@code ExitEvent}, {@code DecisionEvent}, {@code CallEvent}) and, for a call, its
 * arguments by field name ({@code Long} for integers — the field's bits, {@code String} for strings
 * and paths, {@code java.net.InetAddress} for addresses; a field that could not be read is absent).
 */
public record AgentEvent(Event event, Map<String, Object> args) {
  public AgentEvent {
    args = Map.copyOf(args);
  }

  /** The call, if this is one. */
  public java.util.Optional<CallEvent> call() {
    return event instanceof CallEvent c ? java.util.Optional.of(c) : java.util.Optional.empty();
  }
}
