package dev.ftguard.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link EventType} is exactly the header's {@code enum ftg_event_type} and the kinds of Event. */
class EventTypeTest {
  @Test
  void oneConstantPerEnumeratorOfTheHeader() {
    List<String> enumerators = Abi.ENUMS.get("ftg_event_type");
    assertThat(Stream.of(EventType.values()).map(t -> "FTG_EV_" + t.name()).toList())
        .containsExactlyElementsOf(enumerators);
    for (EventType t : EventType.values()) {
      assertThat(Abi.CONSTANTS.get("FTG_EV_" + t.name())).isEqualTo((long) t.value());
      assertThat(EventType.of(t.value())).contains(t);
      assertThat(EventType.ofJsonName(t.jsonName())).contains(t);
    }
    assertThat(EventType.of(0)).isEmpty();
    assertThat(EventType.of(-1)).isEmpty();
    assertThat(EventType.of(1000)).isEmpty();
  }

  @Test
  void oneConstantPerKindOfEvent() {
    List<Class<?>> classes =
        Stream.of(EventType.values()).<Class<?>>map(EventType::recordClass).toList();
    assertThat(classes).containsExactlyInAnyOrder(Event.class.getPermittedSubclasses());
  }

  @Test
  void everySampleEventSaysItsType() {
    List<Event> samples =
        List.of(
            Samples.exec(1),
            Samples.thread(2),
            Samples.killed(3),
            Samples.execDenied(4),
            Samples.callAudit(5),
            Samples.unloadRefused(6));
    for (Event e : samples) {
      assertThat(e.eventType().recordClass()).isEqualTo(e.getClass());
      // the encoder writes the type the event says, and the decoder reads it back
      byte[] record = RecordEncoder.encode(e);
      Event back = EventDecoder.nativeOrder().decode(record).events().getFirst();
      assertThat(back.eventType()).isEqualTo(e.eventType());
      assertThat(back.header().type()).isEqualTo(e.eventType().value());
    }
    assertThat(samples.stream().map(Event::eventType)).containsExactly(EventType.values());
  }

  @Test
  void theKindsTablesComeFromTheHeader() {
    assertThat(DecisionEvent.Kind.EXEC.allowedSlots())
        .containsExactly(
            Abi.SEL_BINARY,
            Abi.SEL_PARENT,
            Abi.SEL_ANCESTOR,
            Abi.SEL_UID,
            Abi.SEL_EUID,
            Abi.SEL_ARGV,
            Abi.SEL_SHA256);
    assertThat(DecisionEvent.Kind.OPEN.allowedSlots())
        .containsExactly(Abi.SEL_BINARY, Abi.SEL_OBJECT);
    assertThat(DecisionEvent.Kind.CONNECT.allowedSlots())
        .containsExactly(Abi.SEL_BINARY, Abi.SEL_PORT, Abi.SEL_ADDRESS);
    assertThat(DecisionEvent.Kind.PRIVILEGE.allowedSlots()).containsExactly(Abi.SEL_BINARY);
    assertThat(DecisionEvent.Kind.CALL.allowsSlot(Abi.SEL_BINARY)).isTrue();
    assertThat(DecisionEvent.Kind.CALL.allowsSlot(Abi.SEL_OBJECT)).isFalse();
    assertThat(DecisionEvent.Kind.OPEN.keySlot()).isEqualTo(Abi.SEL_OBJECT);
    assertThat(DecisionEvent.Kind.OPEN.allowedMask())
        .isEqualTo(
            Abi.ACCESS_READ
                | Abi.ACCESS_WRITE
                | Abi.ACCESS_CREATE
                | Abi.ACCESS_TRUNCATE
                | Abi.ACCESS_RENAME
                | Abi.ACCESS_UNLINK
                | Abi.ACCESS_LINK
                | Abi.ACCESS_ATTR);
    assertThat(DecisionEvent.Kind.PRIVILEGE.allowedMask()).isEqualTo(Abi.GAIN_UID0 | Abi.GAIN_CAPS);
    assertThat(DecisionEvent.Kind.EXEC.allowedMask()).isZero();
    assertThat(DecisionEvent.Kind.CONNECT.allowedFlags()).isEqualTo(Abi.RULE_NEGATE_PORT);
    assertThat(DecisionEvent.Kind.EXEC.allowedFlags() | Abi.RULE_NEGATE_PORT)
        .isEqualTo(Abi.RULE_FLAGS_ALL);
  }
}
