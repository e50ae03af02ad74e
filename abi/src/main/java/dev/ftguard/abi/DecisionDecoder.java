package dev.ftguard.abi;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Decoder of {@code struct ftg_decision_event}. */
final class DecisionDecoder {
  private DecisionDecoder() {}

  static Decoded decode(RecordReader r) {
    DecodeError bad = r.tooShort(Abi.Decision.DATA);
    if (bad != null) {
      return bad;
    }
    int kindValue = r.u8(Abi.Decision.KIND);
    int actionValue = r.u8(Abi.Decision.ACTION);
    int modeValue = r.u8(Abi.Decision.MODE);
    Optional<DecisionEvent.Kind> kind = DecisionEvent.Kind.of(kindValue);
    if (kind.isEmpty()) {
      return notEnum(r, "kind", kindValue, "ftg_kind", Abi.KINDS);
    }
    Optional<DecisionEvent.Action> action = DecisionEvent.Action.of(actionValue);
    if (action.isEmpty()) {
      return notEnum(r, "action", actionValue, "ftg_action", Abi.ACTIONS);
    }
    Optional<DecisionEvent.Mode> mode = DecisionEvent.Mode.of(modeValue);
    if (mode.isEmpty()) {
      return notEnum(r, "mode", modeValue, "ftg_mode", DecisionEvent.Mode.values().length);
    }
    Strings s = strings(r);
    if (s.error() != null) {
      return s.error();
    }
    int family = r.u16(Abi.Decision.FAMILY);
    Optional<InetAddress> address = Optional.empty();
    if (kind.get() == DecisionEvent.Kind.CONNECT) {
      address = address(family, r.bytes(Abi.Decision.ADDR, 16));
      if (address.isEmpty()) {
        return r.badField(
            "decision family "
                + family
                + " of a connect is neither AF_INET ("
                + Abi.AF_INET
                + ") nor AF_INET6 ("
                + Abi.AF_INET6
                + ")");
      }
    }
    return new DecisionEvent(
        r.header(),
        r.i64(Abi.Decision.GENERATION),
        r.u32(Abi.Decision.RULE),
        kind.get(),
        action.get(),
        mode.get(),
        r.u8(Abi.Decision.FLAGS),
        r.i32(Abi.Decision.RESULT),
        r.i32(Abi.Decision.MASK),
        r.cString(Abi.Decision.POLICY, Abi.NAME_LEN),
        r.cString(Abi.Decision.RULE_NAME, Abi.NAME_LEN),
        family,
        address,
        r.u16(Abi.Decision.PORT),
        r.u32(Abi.Decision.TARGET_PID),
        r.u32(Abi.Decision.NEW_UID),
        r.u32(Abi.Decision.NEW_EUID),
        s.argc(),
        s.binary(),
        s.object(),
        s.argv(),
        r.i32(Abi.Decision.CONTENT),
        (r.i32(Abi.Decision.CONTENT) & Abi.DEC_CONTENT_KNOWN) != 0
            ? java.util.HexFormat.of().formatHex(r.bytes(Abi.Decision.SHA256, Abi.SHA256_LEN))
            : "");
  }

  /** The variable part of a decision, or the error that stops it. */
  private record Strings(
      long argc, String binary, String object, List<String> argv, DecodeError error) {
    static Strings bad(DecodeError error) {
      return new Strings(0, "", "", List.of(), error);
    }
  }

  /**
   * Binary and its NUL, object and its NUL, arguments each ended by a NUL; binary_len and
   * object_len count the string's NUL (0: unknown), so at most FTG_PATH_MAX + 1.
   */
  private static Strings strings(RecordReader r) {
    int binaryLen = r.u16(Abi.Decision.BINARY_LEN);
    int objectLen = r.u16(Abi.Decision.OBJECT_LEN);
    int argvLen = r.u16(Abi.Decision.ARGV_LEN);
    long binaryAt = Abi.Decision.DATA;
    long objectAt = binaryAt + binaryLen;
    long argvAt = objectAt + objectLen;
    DecodeError bad =
        r.checkLengths(
            "decision",
            binaryAt,
            new RecordReader.Length(
                "binary_len", binaryLen, "FTG_PATH_MAX + 1 =", Abi.PATH_MAX + 1),
            new RecordReader.Length(
                "object_len", objectLen, "FTG_PATH_MAX + 1 =", Abi.PATH_MAX + 1),
            new RecordReader.Length("argv_len", argvLen, "FTG_DEC_ARGV_MAX", Abi.DEC_ARGV_MAX));
    if (bad != null) {
      return Strings.bad(bad);
    }
    if (binaryLen > 0 && r.byteAt(objectAt - 1) != 0) {
      return Strings.bad(
          r.badField("decision binary: its last byte (binary_len " + binaryLen + ") is not NUL"));
    }
    if (objectLen > 0 && r.byteAt(argvAt - 1) != 0) {
      return Strings.bad(
          r.badField("decision object: its last byte (object_len " + objectLen + ") is not NUL"));
    }
    long argc = r.u32(Abi.Decision.ARGC);
    List<String> argv = new ArrayList<>();
    // decisions are bounded by their FTG_DEC_ARGV_MAX bytes, not by FTG_ARGC_MAX arguments
    bad = r.splitArgv("decision", argvAt, argvLen, argc, Integer.MAX_VALUE, argv);
    if (bad != null) {
      return Strings.bad(bad);
    }
    return new Strings(
        argc,
        r.string(binaryAt, Math.max(0, binaryLen - 1)),
        r.string(objectAt, Math.max(0, objectLen - 1)),
        argv,
        null);
  }

  /** A connect's destination: empty when the family is neither AF_INET nor AF_INET6. */
  private static Optional<InetAddress> address(int family, byte[] addr) {
    try {
      return switch (family) {
        case Abi.AF_INET -> Optional.of(InetAddress.getByAddress(Arrays.copyOf(addr, 4)));
        case Abi.AF_INET6 -> Optional.of(Inet6Address.getByAddress(null, addr, -1));
        default -> Optional.empty();
      };
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 address bytes are always valid", e);
    }
  }

  /** A decision's {@code field} is not one of the {@code count} values of {@code enum cEnum}. */
  private static DecodeError notEnum(
      RecordReader r, String field, int value, String cEnum, int count) {
    return r.badField(
        "decision "
            + field
            + " "
            + value
            + " is not an enum "
            + cEnum
            + " value (0.."
            + (count - 1)
            + ")");
  }
}
