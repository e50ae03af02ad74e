package dev.ftguard.abi;

import static dev.ftguard.abi.Abi.offset;

/**
 * Byte offsets of {@code struct ftg_decision_event} ({@code Abi.Decision}) and {@code struct
 * ftg_tamper_event} ({@code Abi.Tamper}). Part of {@link Abi}.
 */
public sealed interface DecisionRecords permits Abi {
  /** Byte offsets in {@code struct ftg_decision_event}. */
  final class Decision {
    private Decision() {}

    /** {@code sizeof}, tail padding included. */
    public static final long SIZE = Abi.DECISION_EVENT.byteSize();

    public static final long GENERATION = offset(Abi.DECISION_EVENT, "generation");
    public static final long RULE = offset(Abi.DECISION_EVENT, "rule");
    public static final long KIND = offset(Abi.DECISION_EVENT, "kind");
    public static final long ACTION = offset(Abi.DECISION_EVENT, "action");
    public static final long MODE = offset(Abi.DECISION_EVENT, "mode");
    public static final long FLAGS = offset(Abi.DECISION_EVENT, "flags");
    public static final long RESULT = offset(Abi.DECISION_EVENT, "result");
    public static final long MASK = offset(Abi.DECISION_EVENT, "mask");
    public static final long POLICY = offset(Abi.DECISION_EVENT, "policy");
    public static final long RULE_NAME = offset(Abi.DECISION_EVENT, "rule_name");
    public static final long ADDR = offset(Abi.DECISION_EVENT, "addr");
    public static final long FAMILY = offset(Abi.DECISION_EVENT, "family");
    public static final long PORT = offset(Abi.DECISION_EVENT, "port");
    public static final long TARGET_PID = offset(Abi.DECISION_EVENT, "target_pid");
    public static final long NEW_UID = offset(Abi.DECISION_EVENT, "new_uid");
    public static final long NEW_EUID = offset(Abi.DECISION_EVENT, "new_euid");
    public static final long ARGC = offset(Abi.DECISION_EVENT, "argc");
    public static final long BINARY_LEN = offset(Abi.DECISION_EVENT, "binary_len");
    public static final long OBJECT_LEN = offset(Abi.DECISION_EVENT, "object_len");
    public static final long ARGV_LEN = offset(Abi.DECISION_EVENT, "argv_len");
    public static final long RESERVED = offset(Abi.DECISION_EVENT, "reserved");
    public static final long CONTENT = offset(Abi.DECISION_EVENT, "content");
    public static final long SHA256 = offset(Abi.DECISION_EVENT, "sha256");

    /**
     * {@code offsetof(struct ftg_decision_event, data)}: binary, object and arguments. Not {@code
     * sizeof}: the flexible array starts right after {@code reserved}, before the tail padding.
     */
    public static final long DATA = Abi.flexibleArray("ftg_decision_event.data");
  }

  /** Byte offsets in {@code struct ftg_tamper_event}. */
  final class Tamper {
    private Tamper() {}

    public static final long SIZE = Abi.TAMPER_EVENT.byteSize();
    public static final long WHAT = offset(Abi.TAMPER_EVENT, "what");
    public static final long RESULT = offset(Abi.TAMPER_EVENT, "result");
    public static final long GENERATION = offset(Abi.TAMPER_EVENT, "generation");
    public static final long LOCKED = offset(Abi.TAMPER_EVENT, "locked");
    public static final long TARGET = offset(Abi.TAMPER_EVENT, "target");
  }
}
