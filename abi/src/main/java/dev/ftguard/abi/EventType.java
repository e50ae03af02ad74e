package dev.ftguard.abi;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The kinds of records the device delivers: the one Java declaration of each. A kind carries its
 * wire value ({@code enum ftg_event_type}, from the generated header mirror), its name in the JSON
 * lines, metrics and export filters ({@code "type"}), its record class and its decoder. {@code
 * EventTypeTest} checks that the constants are exactly the header's enumerators and the permitted
 * subclasses of {@link Event}; the agent's tests check the JSON Schema and the docs against {@link
 * #jsonNames()}.
 *
 * <p>Adding a kind: the enumerator in {@code ftguard.h}, a record implementing {@link Event}, its
 * decoder, a constant here; the compiler then points at every switch that must handle it.
 */
public enum EventType {
  EXEC(Abi.EV_EXEC, "exec", ExecEvent.class, ProcessDecoders::exec),
  FORK(Abi.EV_FORK, "fork", ForkEvent.class, ProcessDecoders::fork),
  EXIT(Abi.EV_EXIT, "exit", ExitEvent.class, ProcessDecoders::exit),
  DECISION(Abi.EV_DECISION, "decision", DecisionEvent.class, DecisionDecoder::decode),
  CALL(Abi.EV_CALL, "call", CallEvent.class, CallDecoder::decode),
  TAMPER(Abi.EV_TAMPER, "tamper", TamperEvent.class, TamperDecoder::decode);

  /** Turns a well-framed record of this kind into its event or a {@link DecodeError}. */
  @FunctionalInterface
  interface RecordDecoder {
    Decoded decode(RecordReader record);
  }

  private final int value;
  private final String jsonName;
  private final Class<? extends Event> recordClass;
  private final RecordDecoder decoder;

  EventType(int value, String jsonName, Class<? extends Event> recordClass, RecordDecoder decoder) {
    this.value = value;
    this.jsonName = jsonName;
    this.recordClass = recordClass;
    this.decoder = decoder;
  }

  /** The wire value: {@code ftg_event_header.type} ({@code FTG_EV_*}). */
  public int value() {
    return value;
  }

  /** The name in JSON lines ({@code "type"}), metrics labels and export filters. */
  public String jsonName() {
    return jsonName;
  }

  /** The record class of events of this kind. */
  public Class<? extends Event> recordClass() {
    return recordClass;
  }

  Decoded decode(RecordReader record) {
    return decoder.decode(record);
  }

  private static final EventType[] BY_VALUE = byValue();

  private static EventType[] byValue() {
    int max = Stream.of(values()).mapToInt(EventType::value).max().orElse(0);
    EventType[] table = new EventType[max + 1];
    for (EventType t : values()) {
      table[t.value] = t;
    }
    return table;
  }

  /** The kind with this wire value, if this version knows it. */
  public static Optional<EventType> of(int value) {
    return Optional.ofNullable(value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null);
  }

  /** The kind with this JSON name, if any. */
  public static Optional<EventType> ofJsonName(String name) {
    return Stream.of(values()).filter(t -> t.jsonName.equals(name)).findFirst();
  }

  /** The JSON names of every kind, in declaration order. */
  public static List<String> jsonNames() {
    return Stream.of(values()).map(EventType::jsonName).toList();
  }
}
