package dev.ftguard.abi;

import static dev.ftguard.abi.Abi.offset;

/**
 * Byte offsets of the rule table and its ioctl: {@code struct ftg_table_header} ({@code
 * Abi.Table}), {@code struct ftg_policy} ({@code Abi.Pol}), {@code struct ftg_rule} ({@code
 * Abi.Rul}), {@code struct ftg_value} ({@code Abi.Val}) and {@code struct ftg_table_arg} ({@code
 * Abi.TableArg}). Part of {@link Abi}.
 */
public sealed interface TableRecords permits Abi {
  /** Byte offsets in {@code struct ftg_table_header} (a section's count follows its offset). */
  final class Table {
    private Table() {}

    public static final long SIZE = Abi.TABLE_HEADER.byteSize();
    public static final long MAGIC = offset(Abi.TABLE_HEADER, "magic");
    public static final long VERSION = offset(Abi.TABLE_HEADER, "version");
    public static final long TABLE_SIZE = offset(Abi.TABLE_HEADER, "size");
    public static final long FLAGS = offset(Abi.TABLE_HEADER, "flags");
    public static final long POLICIES = offset(Abi.TABLE_HEADER, "policies");
    public static final long RULES = offset(Abi.TABLE_HEADER, "rules");
    public static final long VALUES = offset(Abi.TABLE_HEADER, "values");
    public static final long STRINGS = offset(Abi.TABLE_HEADER, "strings");
    public static final long HOOKS = offset(Abi.TABLE_HEADER, "hooks");
    public static final long ARGS = offset(Abi.TABLE_HEADER, "args");

    /** Within a {@code struct ftg_section}. */
    public static final long SECTION_OFFSET = offset(Abi.SECTION, "offset");

    public static final long SECTION_COUNT = offset(Abi.SECTION, "count");

    /** Sections start at multiples of this ({@code FTG_TABLE_SECTION_ALIGN}). */
    public static final int SECTION_ALIGN = Abi.TABLE_SECTION_ALIGN;
  }

  /** Byte offsets in {@code struct ftg_policy}. */
  final class Pol {
    private Pol() {}

    public static final long SIZE = Abi.POLICY.byteSize();
    public static final long NAME = offset(Abi.POLICY, "name");
    public static final long MODE = offset(Abi.POLICY, "mode");
    public static final long PRIORITY = offset(Abi.POLICY, "priority");
  }

  /**
   * Byte offsets in {@code struct ftg_rule}; selector {@code i} is at {@code SEL + i * SEL_SIZE}.
   */
  final class Rul {
    private Rul() {}

    public static final long SIZE = Abi.RULE.byteSize();
    public static final long NAME = offset(Abi.RULE, "name");
    public static final long POLICY = offset(Abi.RULE, "policy");
    public static final long KIND = offset(Abi.RULE, "kind");
    public static final long ACTION = offset(Abi.RULE, "action");
    public static final long ERR = offset(Abi.RULE, "err");
    public static final long FLAGS = offset(Abi.RULE, "flags");
    public static final long MASK = offset(Abi.RULE, "mask");
    public static final long SEL = offset(Abi.RULE, "sel");
    public static final long SEL_SIZE = Abi.SEL.byteSize();
    public static final long SEL_FIRST = offset(Abi.SEL, "first");
    public static final long SEL_COUNT = offset(Abi.SEL, "count");
    public static final long HOOK = offset(Abi.RULE, "hook");
    public static final long RESERVED = offset(Abi.RULE, "reserved");

    /** Field selector {@code i} is at {@code FIELDS + i * SEL_SIZE}. */
    public static final long FIELDS = offset(Abi.RULE, "fields");
  }

  /** Byte offsets in {@code struct ftg_value}. */
  final class Val {
    private Val() {}

    public static final long SIZE = Abi.VALUE.byteSize();
    public static final long TYPE = offset(Abi.VALUE, "type");
    public static final long PREFIX_LEN = offset(Abi.VALUE, "prefix_len");
    public static final long STR_LEN = offset(Abi.VALUE, "str_len");
    public static final long STR_OFF = offset(Abi.VALUE, "str_off");
    public static final long LO = offset(Abi.VALUE, "lo");
    public static final long HI = offset(Abi.VALUE, "hi");
    public static final long ADDR = offset(Abi.VALUE, "addr");
  }

  /** Byte offsets in {@code struct ftg_table_arg}. */
  final class TableArg {
    private TableArg() {}

    public static final long SIZE = Abi.TABLE_ARG.byteSize();
    public static final long DATA = offset(Abi.TABLE_ARG, "data");
    public static final long ARG_SIZE = offset(Abi.TABLE_ARG, "size");
    public static final long NEEDED = offset(Abi.TABLE_ARG, "needed");
    public static final long GENERATION = offset(Abi.TABLE_ARG, "generation");
    public static final long ERROR = offset(Abi.TABLE_ARG, "error");
    public static final long ERROR_OFFSET = offset(Abi.TABLE_ARG, "error_offset");
  }
}
