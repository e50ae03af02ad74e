package dev.ftguard.abi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code struct ftg_call_event}: a call rule matched a call of a function the rule table declares
 * (an audit, a monitor policy's "would" record or an enforced deny).
 *
 * @param generation the table that decided
 * @param rule the rule's index in that table
 * @param hook the hook's index in that table
 * @param flags {@code FTG_DEC_*} (only {@link Abi#DEC_WOULD})
 * @param retval for an enforced deny, what the call returned instead
 * @param function the hooked function
 * @param fields the arguments as read, in the hook's field order
 */
public record CallEvent(
    Header header,
    long generation,
    long rule,
    long hook,
    DecisionEvent.Action action,
    DecisionEvent.Mode mode,
    int flags,
    long retval,
    String policy,
    String ruleName,
    String function,
    List<Field> fields)
    implements Event {

  @Override
  public EventType eventType() {
    return EventType.CALL;
  }

  public CallEvent {
    fields = List.copyOf(fields);
  }

  /** A monitor policy's record of what it would have done. */
  public boolean would() {
    return (flags & Abi.DEC_WOULD) != 0;
  }

  /** The call was denied: it returned {@link #retval()} without running. */
  public boolean denied() {
    return action == DecisionEvent.Action.DENY && !would() && mode == DecisionEvent.Mode.ENFORCE;
  }

  /** One field of a call: an argument, or one part of one ({@code struct ftg_field}). */
  public sealed interface Field {
    /** {@code FTG_FIELDF_*}. */
    int flags();

    /** Could not be read: no value. */
    default boolean fault() {
      return (flags() & Abi.FIELDF_FAULT) != 0;
    }

    /** Longer than kept. */
    default boolean truncated() {
      return (flags() & Abi.FIELDF_TRUNC) != 0;
    }

    /** A path of which only the last component could be read. */
    default boolean partial() {
      return (flags() & Abi.FIELDF_PARTIAL) != 0;
    }
  }

  /** An integer; {@code value} holds the bits, signed or not as {@link #signed()} says. */
  public record IntField(long value, int flags) implements Field {
    public boolean signed() {
      return (flags & Abi.FIELDF_SIGNED) != 0;
    }

    /** The value as text: decimal, unsigned unless signed. */
    public String text() {
      return signed() ? Long.toString(value) : Long.toUnsignedString(value);
    }
  }

  /** A string or path (lossy UTF-8 of the bytes kept). */
  public record StrField(String value, int flags) implements Field {}

  /** 16 address bytes; what they are depends on the family field before them. */
  public record AddrField(byte[] raw, int flags) implements Field {
    public AddrField {
      raw = raw.clone();
    }

    @Override
    public byte[] raw() {
      return raw.clone();
    }

    /** The address for an {@code AF_INET} or {@code AF_INET6} family; empty otherwise. */
    public Optional<InetAddress> address(long family) {
      try {
        if (family == Abi.AF_INET) {
          return Optional.of(InetAddress.getByAddress(Arrays.copyOf(raw, 4)));
        }
        if (family == Abi.AF_INET6) {
          return Optional.of(InetAddress.getByAddress(raw.clone()));
        }
      } catch (UnknownHostException e) {
        throw new AssertionError("4 or 16 address bytes are always valid", e);
      }
      return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AddrField a && a.flags == flags && Arrays.equals(a.raw, raw);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(raw) + flags;
    }

    @Override
    public String toString() {
      return "AddrField[raw=" + Arrays.toString(raw) + ", flags=" + flags + "]";
    }
  }
}
