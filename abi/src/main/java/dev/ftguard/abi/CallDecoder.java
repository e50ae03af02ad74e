package dev.ftguard.abi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decoder of {@code struct ftg_call_event}: the function's name (function_len bytes, NUL included,
 * padded to 8), then nr_fields fields of fields_len bytes in all, each a {@code struct ftg_field}
 * and its value padded to 8; every length is checked against its type and the record.
 */
final class CallDecoder {
  private CallDecoder() {}

  static Decoded decode(RecordReader r) {
    DecodeError bad = r.tooShort(Abi.Call.DATA);
    if (bad != null) {
      return bad;
    }
    int actionValue = r.u8(Abi.Call.ACTION);
    int modeValue = r.u8(Abi.Call.MODE);
    Optional<DecisionEvent.Action> action = DecisionEvent.Action.of(actionValue);
    if (action.isEmpty()) {
      return callField(
          r,
          "action "
              + actionValue
              + " is not an enum ftg_action value (0.."
              + (Abi.ACTIONS - 1)
              + ")");
    }
    Optional<DecisionEvent.Mode> mode = DecisionEvent.Mode.of(modeValue);
    if (mode.isEmpty()) {
      return callField(r, "mode " + modeValue + " is not an enum ftg_mode value (0..1)");
    }
    int functionLen = r.u16(Abi.Call.FUNCTION_LEN);
    bad = checkFraming(r, functionLen);
    if (bad != null) {
      return bad;
    }
    List<CallEvent.Field> fields = new ArrayList<>();
    bad = fields(r, Abi.Call.DATA + align8(functionLen), fields);
    if (bad != null) {
      return bad;
    }
    return new CallEvent(
        r.header(),
        r.i64(Abi.Call.GENERATION),
        r.u32(Abi.Call.RULE),
        r.u32(Abi.Call.HOOK),
        action.get(),
        mode.get(),
        r.u8(Abi.Call.FLAGS),
        r.i64(Abi.Call.RETVAL),
        r.cString(Abi.Call.POLICY, Abi.NAME_LEN),
        r.cString(Abi.Call.RULE_NAME, Abi.NAME_LEN),
        r.string(Abi.Call.DATA, functionLen - 1),
        fields);
  }

  /** The function name's length and NUL, the field count, and the fields' bytes in the record. */
  private static DecodeError checkFraming(RecordReader r, int functionLen) {
    int fieldsLen = r.u16(Abi.Call.FIELDS_LEN);
    int nrFields = r.u8(Abi.Call.NR_FIELDS);
    long fieldsAt = Abi.Call.DATA + align8(functionLen);
    if (functionLen < 2 || functionLen > Abi.FUNC_NAME_MAX) {
      return callField(
          r,
          "function_len " + functionLen + " is outside 2..FTG_FUNC_NAME_MAX " + Abi.FUNC_NAME_MAX);
    }
    if (nrFields > Abi.CALL_FIELDS_MAX) {
      return callField(
          r, "nr_fields " + nrFields + " exceeds FTG_CALL_FIELDS_MAX " + Abi.CALL_FIELDS_MAX);
    }
    if (fieldsAt + fieldsLen > r.size) {
      return r.badLength(
          "call function_len "
              + functionLen
              + " (padded) + fields_len "
              + fieldsLen
              + " need "
              + (fieldsAt + fieldsLen)
              + " bytes, record size is "
              + r.size);
    }
    if (r.byteAt(Abi.Call.DATA + functionLen - 1) != 0) {
      return callField(
          r, "function name: its last byte (function_len " + functionLen + ") is not NUL");
    }
    return null;
  }

  /** Reads the nr_fields fields from {@code fieldsAt} into {@code out}; null when all are sound. */
  private static DecodeError fields(RecordReader r, long fieldsAt, List<CallEvent.Field> out) {
    int fieldsLen = r.u16(Abi.Call.FIELDS_LEN);
    int nrFields = r.u8(Abi.Call.NR_FIELDS);
    long p = fieldsAt;
    long end = fieldsAt + fieldsLen;
    for (int i = 0; i < nrFields; i++) {
      if (p + Abi.Call.FIELD_SIZE > end) {
        return callField(
            r, "field " + i + " of " + nrFields + " starts past fields_len " + fieldsLen);
      }
      int ftype = r.u8(p + Abi.Call.FIELD_TYPE);
      int flags = r.u8(p + Abi.Call.FIELD_FLAGS);
      int len = r.u16(p + Abi.Call.FIELD_LEN);
      long value = p + Abi.Call.FIELD_SIZE;
      if (value + align8(len) > end) {
        return callField(r, "field " + i + " has " + len + " bytes, past fields_len " + fieldsLen);
      }
      CallEvent.Field f = field(r, ftype, flags, len, value);
      if (f == null) {
        return callField(
            r,
            "field " + i + ": type " + ftype + " with " + len + " bytes is not a valid ftg_field");
      }
      out.add(f);
      p = value + align8(len);
    }
    if (p != end) {
      return callField(
          r, "fields end at " + (p - fieldsAt) + " bytes but fields_len is " + fieldsLen);
    }
    return null;
  }

  /** One field's value, or null when its type or length is not valid. */
  private static CallEvent.Field field(RecordReader r, int ftype, int flags, int len, long value) {
    boolean fault = (flags & Abi.FIELDF_FAULT) != 0;
    return switch (ftype) {
      case Abi.FIELD_INT ->
          len == (fault ? 0 : 8) ? new CallEvent.IntField(fault ? 0 : r.i64(value), flags) : null;
      case Abi.FIELD_STR ->
          len <= Abi.CALL_STR_MAX ? new CallEvent.StrField(r.string(value, len), flags) : null;
      case Abi.FIELD_ADDR ->
          len == (fault ? 0 : 16)
              ? new CallEvent.AddrField(fault ? new byte[16] : r.bytes(value, 16), flags)
              : null;
      default -> null;
    };
  }

  private static long align8(long n) {
    return (n + 7) & -8L;
  }

  private static DecodeError callField(RecordReader r, String message) {
    return r.badField("call " + message);
  }
}
