package dev.ftguard.abi;

import java.util.Optional;

/** Decoder of {@code struct ftg_tamper_event}: fixed size, a known {@code what}. */
final class TamperDecoder {
  private TamperDecoder() {}

  static Decoded decode(RecordReader r) {
    DecodeError bad = r.tooShort(Abi.Tamper.SIZE);
    if (bad != null) {
      return bad;
    }
    int whatValue = r.i32(Abi.Tamper.WHAT);
    Optional<TamperEvent.What> what = TamperEvent.What.of(whatValue);
    if (what.isEmpty()) {
      return r.badField(
          "tamper what "
              + Integer.toUnsignedString(whatValue)
              + " is not an enum ftg_tamper value (0.."
              + (Abi.TAMPERS - 1)
              + ")");
    }
    return new TamperEvent(
        r.header(),
        what.get(),
        r.i32(Abi.Tamper.RESULT),
        r.i64(Abi.Tamper.GENERATION),
        r.u32(Abi.Tamper.LOCKED) != 0,
        r.cString(Abi.Tamper.TARGET, Abi.NAME_LEN));
  }
}
