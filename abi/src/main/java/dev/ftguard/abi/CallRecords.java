package dev.ftguard.abi;

import static dev.ftguard.abi.Abi.offset;

/**
 * Byte offsets of the declared hooks' structs: {@code struct ftg_hook_decl} ({@code Abi.HookDecl}),
 * {@code struct ftg_arg_decl} ({@code Abi.ArgDecl}), {@code struct ftg_call_event} and {@code
 * struct ftg_field} ({@code Abi.Call}), {@code struct ftg_call_hook_info} ({@code Abi.CallHook}).
 * Part of {@link Abi}.
 */
public sealed interface CallRecords permits Abi {
  /** Byte offsets in {@code struct ftg_hook_decl}. */
  final class HookDecl {
    private HookDecl() {}

    public static final long SIZE = Abi.HOOK_DECL.byteSize();
    public static final long FUNCTION = offset(Abi.HOOK_DECL, "function");
    public static final long FLAGS = offset(Abi.HOOK_DECL, "flags");
    public static final long FIRST_ARG = offset(Abi.HOOK_DECL, "first_arg");
    public static final long NR_ARGS = offset(Abi.HOOK_DECL, "nr_args");
    public static final long RESERVED = offset(Abi.HOOK_DECL, "reserved");
  }

  /** Byte offsets in {@code struct ftg_arg_decl}. */
  final class ArgDecl {
    private ArgDecl() {}

    public static final long SIZE = Abi.ARG_DECL.byteSize();
    public static final long NAME = offset(Abi.ARG_DECL, "name");
    public static final long TYPE = offset(Abi.ARG_DECL, "type");
    public static final long POSITION = offset(Abi.ARG_DECL, "position");
    public static final long ARG_SIZE = offset(Abi.ARG_DECL, "size");
    public static final long FLAGS = offset(Abi.ARG_DECL, "flags");
    public static final long MAX_LEN = offset(Abi.ARG_DECL, "max_len");
    public static final long RESERVED = offset(Abi.ARG_DECL, "reserved");
  }

  /** Byte offsets in {@code struct ftg_call_event} and {@code struct ftg_field}. */
  final class Call {
    private Call() {}

    public static final long SIZE = Abi.CALL_EVENT.byteSize();
    public static final long GENERATION = offset(Abi.CALL_EVENT, "generation");
    public static final long RULE = offset(Abi.CALL_EVENT, "rule");
    public static final long HOOK = offset(Abi.CALL_EVENT, "hook");
    public static final long ACTION = offset(Abi.CALL_EVENT, "action");
    public static final long MODE = offset(Abi.CALL_EVENT, "mode");
    public static final long FLAGS = offset(Abi.CALL_EVENT, "flags");
    public static final long NR_FIELDS = offset(Abi.CALL_EVENT, "nr_fields");
    public static final long RETVAL = offset(Abi.CALL_EVENT, "retval");
    public static final long POLICY = offset(Abi.CALL_EVENT, "policy");
    public static final long RULE_NAME = offset(Abi.CALL_EVENT, "rule_name");
    public static final long FUNCTION_LEN = offset(Abi.CALL_EVENT, "function_len");
    public static final long FIELDS_LEN = offset(Abi.CALL_EVENT, "fields_len");

    /** {@code offsetof(struct ftg_call_event, data)}. */
    public static final long DATA = Abi.flexibleArray("ftg_call_event.data");

    public static final long FIELD_SIZE = Abi.FIELD.byteSize();
    public static final long FIELD_TYPE = offset(Abi.FIELD, "type");
    public static final long FIELD_FLAGS = offset(Abi.FIELD, "flags");
    public static final long FIELD_LEN = offset(Abi.FIELD, "len");
  }

  /** Byte offsets in {@code struct ftg_call_hook_info}. */
  final class CallHook {
    private CallHook() {}

    public static final long SIZE = Abi.CALL_HOOK_INFO.byteSize();
    public static final long INDEX = offset(Abi.CALL_HOOK_INFO, "index");
    public static final long FLAGS = offset(Abi.CALL_HOOK_INFO, "flags");
    public static final long ERROR = offset(Abi.CALL_HOOK_INFO, "error");
    public static final long GENERATION = offset(Abi.CALL_HOOK_INFO, "generation");
    public static final long ADDRESS = offset(Abi.CALL_HOOK_INFO, "address");
    public static final long HITS = offset(Abi.CALL_HOOK_INFO, "hits");
    public static final long FUNCTION = offset(Abi.CALL_HOOK_INFO, "function");
  }
}
