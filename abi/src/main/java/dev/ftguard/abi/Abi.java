package dev.ftguard.abi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.IntUnaryOperator;

/**
 * Java mirror of {@code kmod/include/uapi/ftguard.h}, the user/kernel ABI of {@code /dev/ftguard}.
 *
 * <p>Every struct is a {@link GroupLayout} whose member names are the C field names, so offsets are
 * taken from the layout ({@link #offset(MemoryLayout, String...)}), never written by hand. Every
 * constant carries the C macro or enumerator name in {@link #CONSTANTS}; {@code AbiLayoutTest}
 * compiles the header with gcc and compares all of them with the C values.
 *
 * <p>Layouts use the platform byte order (the kernel writes records in host order).
 */
public final class Abi {
  private Abi() {}

  // ---- version and names -------------------------------------------------------------------

  public static final int ABI_VERSION = 3;

  /** Device node name: {@code /dev/ftguard}. */
  public static final String DEVICE_NAME = "ftguard";

  /** Kernel module name (for {@code delete_module} and {@code /sys/module}). */
  public static final String MODULE_NAME = "ftguard";

  /** Kernel module file name. */
  public static final String MODULE_FILE = "ftguard.ko";

  // ---- bounds ------------------------------------------------------------------------------

  public static final int COMM_LEN = 16;
  public static final int PATH_MAX = 512;
  public static final int ARGV_MAX = 1024;
  public static final int ARGC_MAX = 64;
  public static final int RECORD_MAX = 2048;
  public static final int RECORD_ALIGN = 8;
  public static final int HOOK_NAME_LEN = 64;

  // ---- record types (enum ftg_event_type) --------------------------------------------------

  public static final int EV_EXEC = 1;
  public static final int EV_FORK = 2;
  public static final int EV_EXIT = 3;
  public static final int EV_DECISION = 4;
  public static final int EV_CALL = 5;

  // ---- ftg_exec_event.flags ----------------------------------------------------------------

  public static final int EXEC_EXECVEAT = 1 << 0;
  public static final int EXEC_PATH_TRUNC = 1 << 1;
  public static final int EXEC_ARGV_TRUNC = 1 << 2;
  public static final int EXEC_PATH_FAULT = 1 << 3;
  public static final int EXEC_ARGV_FAULT = 1 << 4;

  // ---- ftg_exit_event.flags ----------------------------------------------------------------

  public static final int EXIT_GROUP_DEAD = 1 << 0;

  // ---- policy enforcement: kinds, actions, modes, slots (enums of the header) --------------

  /** {@code enum ftg_kind}: the event kinds a rule can match. */
  public static final int KIND_EXEC = 0;

  public static final int KIND_OPEN = 1;
  public static final int KIND_CONNECT = 2;
  public static final int KIND_MODULE_LOAD = 3;
  public static final int KIND_PTRACE = 4;
  public static final int KIND_PRIVILEGE = 5;
  public static final int KIND_CALL = 6;
  public static final int KINDS = 7;

  /** {@code enum ftg_action}. */
  public static final int ACT_ALLOW = 0;

  public static final int ACT_AUDIT = 1;
  public static final int ACT_DENY = 2;
  public static final int ACT_KILL = 3;
  public static final int ACT_DENY_KILL = 4;
  public static final int ACTIONS = 5;

  /** {@code enum ftg_mode}. */
  public static final int MODE_ENFORCE = 0;

  public static final int MODE_MONITOR = 1;

  /** {@code enum ftg_slot}: index in {@code ftg_rule.sel[]}. */
  public static final int SEL_BINARY = 0;

  public static final int SEL_OBJECT = 1;
  public static final int SEL_PARENT = 2;
  public static final int SEL_ANCESTOR = 3;
  public static final int SEL_UID = 4;
  public static final int SEL_EUID = 5;
  public static final int SEL_PORT = 6;
  public static final int SEL_ADDRESS = 7;
  public static final int SEL_ARGV = 8;
  public static final int SELS = 9;

  /**
   * {@code FTG_KIND_KEY_SLOT(kind)}: the slot the kernel indexes for lookups: {@link #SEL_OBJECT}
   * for open, module_load and ptrace, {@link #SEL_BINARY} for every other kind.
   */
  public static int kindKeySlot(int kind) {
    return kind == KIND_OPEN || kind == KIND_MODULE_LOAD || kind == KIND_PTRACE
        ? SEL_OBJECT
        : SEL_BINARY;
  }

  /** {@code enum ftg_value_type}. */
  public static final int VAL_EXACT = 1;

  public static final int VAL_PREFIX = 2;
  public static final int VAL_GLOB = 3;
  public static final int VAL_RANGE = 4;
  public static final int VAL_CIDR4 = 5;
  public static final int VAL_CIDR6 = 6;
  public static final int VAL_MASK_ALL = 7;
  public static final int VAL_MASK_ANY = 8;

  // ---- declared hooks (kind call) -------------------------------------------------------------

  /** Function name bytes, NUL included. */
  public static final int FUNC_NAME_MAX = 128;

  public static final int CALL_ARGS_MAX = 6;
  public static final int CALL_FIELDS_MAX = 8;

  /** Bytes kept of one string or path argument. */
  public static final int CALL_STR_MAX = 256;

  public static final int TABLE_HOOKS_MAX = 64;

  /** Argument names, NUL included. */
  public static final int ARG_NAME_LEN = 32;

  /** {@code enum ftg_arg_type}. */
  public static final int ARG_INT = 1;

  public static final int ARG_KSTRING = 2;
  public static final int ARG_USTRING = 3;
  public static final int ARG_FILE = 4;
  public static final int ARG_PATH = 5;
  public static final int ARG_DENTRY = 6;
  public static final int ARG_SOCKADDR = 7;
  public static final int ARG_CRED = 8;

  public static final int ARGF_SIGNED = 1 << 0;
  public static final int HOOKDECL_SYSCALL = 1 << 0;
  public static final int HOOKDECL_FLAGS_ALL = 0x1;

  /** {@code enum ftg_field_type}. */
  public static final int FIELD_INT = 1;

  public static final int FIELD_STR = 2;
  public static final int FIELD_ADDR = 3;

  public static final int FIELDF_SIGNED = 1 << 0;
  public static final int FIELDF_FAULT = 1 << 1;
  public static final int FIELDF_TRUNC = 1 << 2;
  public static final int FIELDF_PARTIAL = 1 << 3;

  public static final int CALL_HOOK_ATTACHED = 1 << 0;
  public static final int CALL_HOOK_IPMODIFY = 1 << 1;
  public static final int CALL_HOOK_INJECTABLE = 1 << 2;

  // ---- ftg_rule.flags and .mask --------------------------------------------------------------

  public static final int RULE_NEGATE_UID = 1 << 0;
  public static final int RULE_NEGATE_EUID = 1 << 1;
  public static final int RULE_NEGATE_PORT = 1 << 2;
  public static final int RULE_FILELESS_SET = 1 << 3;
  public static final int RULE_FILELESS = 1 << 4;
  public static final int RULE_TEMPDIR_SET = 1 << 5;
  public static final int RULE_TEMPDIR = 1 << 6;
  public static final int RULE_FLAGS_ALL = 0x7f;

  public static final int ACCESS_READ = 1 << 0;
  public static final int ACCESS_WRITE = 1 << 1;
  public static final int ACCESS_CREATE = 1 << 2;
  public static final int ACCESS_TRUNCATE = 1 << 3;
  public static final int GAIN_UID0 = 1 << 0;
  public static final int GAIN_CAPS = 1 << 1;

  /** Policy and rule names: NUL-terminated, NUL-padded, so at most 63 bytes of name. */
  public static final int NAME_LEN = 64;

  // ---- the rule table ------------------------------------------------------------------------

  /** {@code "FTGT"} in memory order (little-endian). */
  public static final int TABLE_MAGIC = 0x54475446;

  public static final int TABLE_VERSION = 2;

  /** Largest table in bytes. */
  public static final int TABLE_MAX = 32 << 20;

  public static final int TABLE_RULES_MAX = 10_000;
  public static final int TABLE_POLICIES_MAX = 10_000;
  public static final int TABLE_VALUES_MAX = 1 << 20;

  /** Values in one selector. */
  public static final int TABLE_SEL_MAX = 1024;

  /** Bytes in one string value. */
  public static final int TABLE_STR_MAX = 255;

  /** {@code '*'} in one glob. */
  public static final int GLOB_STARS = 4;

  /** {@code enum ftg_table_error}: why the module rejected a table. */
  public static final int TERR_NONE = 0;

  public static final int TERR_SIZE = 1;
  public static final int TERR_MAGIC = 2;
  public static final int TERR_VERSION = 3;
  public static final int TERR_FLAGS = 4;
  public static final int TERR_SECTION = 5;
  public static final int TERR_COUNT = 6;
  public static final int TERR_NAME = 7;
  public static final int TERR_MODE = 8;
  public static final int TERR_POLICY = 9;
  public static final int TERR_KIND = 10;
  public static final int TERR_ACTION = 11;
  public static final int TERR_ERRNO = 12;
  public static final int TERR_SELECTOR = 13;
  public static final int TERR_VALUE = 14;
  public static final int TERR_STRING = 15;
  public static final int TERR_GLOB = 16;
  public static final int TERR_MASK = 17;
  public static final int TERR_NOMEM = 18;
  public static final int TERR_HOOK = 19;
  public static final int TERR_NOT_INJECTABLE = 20;

  /**
   * The C names of {@code enum ftg_table_error}, indexed by value ({@code TABLE_ERROR_NAMES.get(5)}
   * is {@code "FTG_TERR_SECTION"}).
   */
  public static final java.util.List<String> TABLE_ERROR_NAMES =
      java.util.List.of(
          "FTG_TERR_NONE",
          "FTG_TERR_SIZE",
          "FTG_TERR_MAGIC",
          "FTG_TERR_VERSION",
          "FTG_TERR_FLAGS",
          "FTG_TERR_SECTION",
          "FTG_TERR_COUNT",
          "FTG_TERR_NAME",
          "FTG_TERR_MODE",
          "FTG_TERR_POLICY",
          "FTG_TERR_KIND",
          "FTG_TERR_ACTION",
          "FTG_TERR_ERRNO",
          "FTG_TERR_SELECTOR",
          "FTG_TERR_VALUE",
          "FTG_TERR_STRING",
          "FTG_TERR_GLOB",
          "FTG_TERR_MASK",
          "FTG_TERR_NOMEM",
          "FTG_TERR_HOOK",
          "FTG_TERR_NOT_INJECTABLE");

  /** What each {@code enum ftg_table_error} value means, indexed by value (for messages). */
  public static final java.util.List<String> TABLE_ERROR_MEANINGS =
      java.util.List.of(
          "no error",
          "size out of bounds or different from the header's size",
          "bad magic",
          "unsupported table version",
          "unknown header or rule flags",
          "a section is outside the table, misaligned or overlapping another",
          "a count is above its limit",
          "a name is empty, not NUL-terminated or not NUL-padded",
          "unknown policy mode",
          "a rule's policy index is out of range or out of order",
          "unknown rule kind",
          "unknown rule action",
          "errno set on a non-deny rule or out of range",
          "a selector slot is not allowed for the rule's kind, or its values are outside the value section",
          "a value's type is wrong for its slot, or a bad range or network",
          "a string is outside the string area, empty, too long or contains a NUL",
          "a glob has too many '*' or an unclosed class",
          "mask bits unknown or not allowed for the rule's kind",
          "the module is out of memory",
          "a declared hook's name, flags, arguments or record size is invalid",
          "a deny rule is on a function that is not safe to fail");

  // ---- ftg_decision_event.flags --------------------------------------------------------------

  public static final int DEC_WOULD = 1 << 0;
  public static final int DEC_BINARY_TRUNC = 1 << 1;
  public static final int DEC_OBJECT_TRUNC = 1 << 2;
  public static final int DEC_ARGV_TRUNC = 1 << 3;
  public static final int DEC_ARGV_FAULT = 1 << 4;

  /** argv bytes kept in a decision record. */
  public static final int DEC_ARGV_MAX = 512;

  /** Address families of {@code ftg_decision_event.family} (linux/socket.h). */
  public static final int AF_INET = 2;

  public static final int AF_INET6 = 10;

  // ---- drop reasons (enum ftg_drop_reason) -------------------------------------------------

  public static final int DROP_BUFFER_FULL = 0;
  public static final int DROP_NOMEM = 1;
  public static final int DROP_READER_FAULT = 2;
  public static final int DROP_REASONS = 3;

  // ---- ftg_hook_info.flags -----------------------------------------------------------------

  public static final int HOOK_ATTACHED = 1 << 0;
  public static final int HOOK_IPMODIFY = 1 << 1;
  public static final int HOOK_SKIP_FENTRY = 1 << 2;

  // ---- layouts -----------------------------------------------------------------------------

  /** {@code struct ftg_event_header}. */
  public static final GroupLayout EVENT_HEADER =
      structLayout(
              JAVA_SHORT.withName("type"),
              JAVA_SHORT.withName("size"),
              JAVA_INT.withName("cpu"),
              JAVA_LONG.withName("seq"),
              JAVA_LONG.withName("mono_ns"),
              JAVA_LONG.withName("wall_ns"),
              JAVA_LONG.withName("cgroup_id"),
              JAVA_INT.withName("pid"),
              JAVA_INT.withName("tgid"),
              JAVA_INT.withName("ppid"),
              JAVA_INT.withName("uid"),
              JAVA_INT.withName("gid"),
              JAVA_INT.withName("euid"),
              sequenceLayout(COMM_LEN, JAVA_BYTE).withName("comm"))
          .withName("ftg_event_header");

  /**
   * {@code struct ftg_exec_event} without its flexible array member {@code data[]}; {@code data}
   * starts at {@link #EXEC_DATA_OFFSET}, which equals {@code offsetof(struct ftg_exec_event,
   * data)}.
   */
  public static final GroupLayout EXEC_EVENT =
      structLayout(
              EVENT_HEADER.withName("hdr"),
              JAVA_INT.withName("result"),
              JAVA_INT.withName("flags"),
              JAVA_INT.withName("argc"),
              JAVA_SHORT.withName("filename_len"),
              JAVA_SHORT.withName("argv_len"),
              JAVA_INT.withName("dirfd"),
              JAVA_INT.withName("at_flags"))
          .withName("ftg_exec_event");

  /** {@code struct ftg_fork_event}. */
  public static final GroupLayout FORK_EVENT =
      structLayout(
              EVENT_HEADER.withName("hdr"),
              JAVA_LONG.withName("clone_flags"),
              JAVA_INT.withName("child_pid"),
              JAVA_INT.withName("reserved"))
          .withName("ftg_fork_event");

  /** {@code struct ftg_exit_event}. */
  public static final GroupLayout EXIT_EVENT =
      structLayout(
              EVENT_HEADER.withName("hdr"), JAVA_INT.withName("code"), JAVA_INT.withName("flags"))
          .withName("ftg_exit_event");

  /** {@code struct ftg_stats}. */
  public static final GroupLayout STATS =
      structLayout(
              JAVA_INT.withName("abi_version"),
              JAVA_INT.withName("nr_hooks"),
              JAVA_INT.withName("hooks_attached"),
              JAVA_INT.withName("inflight"),
              JAVA_LONG.withName("produced"),
              JAVA_LONG.withName("delivered"),
              sequenceLayout(DROP_REASONS, JAVA_LONG).withName("dropped"),
              JAVA_LONG.withName("buffer_bytes"),
              JAVA_LONG.withName("buffer_entries"),
              JAVA_LONG.withName("table_generation"),
              JAVA_INT.withName("table_rules"),
              JAVA_INT.withName("table_bytes"),
              sequenceLayout(ACTIONS, JAVA_LONG).withName("decisions"),
              JAVA_LONG.withName("blocked"),
              JAVA_LONG.withName("killed"),
              JAVA_INT.withName("call_hooks"),
              JAVA_INT.withName("call_hooks_attached"),
              JAVA_LONG.withName("call_skipped"))
          .withName("ftg_stats");

  /** {@code struct ftg_hook_info}. */
  public static final GroupLayout HOOK_INFO =
      structLayout(
              JAVA_INT.withName("index"),
              JAVA_INT.withName("flags"),
              JAVA_LONG.withName("address"),
              JAVA_LONG.withName("hits"),
              sequenceLayout(HOOK_NAME_LEN, JAVA_BYTE).withName("name"))
          .withName("ftg_hook_info");

  /** {@code struct ftg_value}: one selector value. */
  public static final GroupLayout VALUE =
      structLayout(
              JAVA_BYTE.withName("type"),
              JAVA_BYTE.withName("prefix_len"),
              JAVA_SHORT.withName("str_len"),
              JAVA_INT.withName("str_off"),
              JAVA_LONG.withName("lo"),
              JAVA_LONG.withName("hi"),
              sequenceLayout(16, JAVA_BYTE).withName("addr"))
          .withName("ftg_value");

  /** {@code struct ftg_sel}: values[first .. first + count). */
  public static final GroupLayout SEL =
      structLayout(JAVA_INT.withName("first"), JAVA_INT.withName("count")).withName("ftg_sel");

  /** {@code struct ftg_policy}. */
  public static final GroupLayout POLICY =
      structLayout(
              sequenceLayout(NAME_LEN, JAVA_BYTE).withName("name"),
              JAVA_INT.withName("mode"),
              JAVA_INT.withName("priority"))
          .withName("ftg_policy");

  /** {@code struct ftg_rule}. */
  public static final GroupLayout RULE =
      structLayout(
              sequenceLayout(NAME_LEN, JAVA_BYTE).withName("name"),
              JAVA_INT.withName("policy"),
              JAVA_BYTE.withName("kind"),
              JAVA_BYTE.withName("action"),
              JAVA_SHORT.withName("err"),
              JAVA_INT.withName("flags"),
              JAVA_INT.withName("mask"),
              sequenceLayout(SELS, SEL).withName("sel"),
              JAVA_INT.withName("hook"),
              JAVA_INT.withName("reserved"),
              sequenceLayout(CALL_FIELDS_MAX, SEL).withName("fields"))
          .withName("ftg_rule");

  /** {@code struct ftg_arg_decl}: how one argument of a declared hook is read. */
  public static final GroupLayout ARG_DECL =
      structLayout(
              sequenceLayout(ARG_NAME_LEN, JAVA_BYTE).withName("name"),
              JAVA_BYTE.withName("type"),
              JAVA_BYTE.withName("position"),
              JAVA_BYTE.withName("size"),
              JAVA_BYTE.withName("flags"),
              JAVA_SHORT.withName("max_len"),
              JAVA_SHORT.withName("reserved"))
          .withName("ftg_arg_decl");

  /** {@code struct ftg_hook_decl}: a function to hook by name and its arguments. */
  public static final GroupLayout HOOK_DECL =
      structLayout(
              sequenceLayout(FUNC_NAME_MAX, JAVA_BYTE).withName("function"),
              JAVA_INT.withName("flags"),
              JAVA_INT.withName("first_arg"),
              JAVA_INT.withName("nr_args"),
              JAVA_INT.withName("reserved"))
          .withName("ftg_hook_decl");

  /** {@code struct ftg_field}: one field of a call record, followed by its value. */
  public static final GroupLayout FIELD =
      structLayout(
              JAVA_BYTE.withName("type"),
              JAVA_BYTE.withName("flags"),
              JAVA_SHORT.withName("len"),
              JAVA_INT.withName("reserved"))
          .withName("ftg_field");

  /** {@code struct ftg_call_hook_info}: argument of FTG_IOC_CALL_HOOK_INFO. */
  public static final GroupLayout CALL_HOOK_INFO =
      structLayout(
              JAVA_INT.withName("index"),
              JAVA_INT.withName("flags"),
              JAVA_INT.withName("error"),
              JAVA_INT.withName("reserved"),
              JAVA_LONG.withName("generation"),
              JAVA_LONG.withName("address"),
              JAVA_LONG.withName("hits"),
              sequenceLayout(FUNC_NAME_MAX, JAVA_BYTE).withName("function"))
          .withName("ftg_call_hook_info");

  /** {@code struct ftg_section}. */
  public static final GroupLayout SECTION =
      structLayout(JAVA_INT.withName("offset"), JAVA_INT.withName("count")).withName("ftg_section");

  /** {@code struct ftg_table_header}. */
  public static final GroupLayout TABLE_HEADER =
      structLayout(
              JAVA_INT.withName("magic"),
              JAVA_INT.withName("version"),
              JAVA_INT.withName("size"),
              JAVA_INT.withName("flags"),
              SECTION.withName("policies"),
              SECTION.withName("rules"),
              SECTION.withName("values"),
              SECTION.withName("strings"),
              SECTION.withName("hooks"),
              SECTION.withName("args"))
          .withName("ftg_table_header");

  /** {@code struct ftg_table_arg}: argument of FTG_IOC_SET_TABLE and FTG_IOC_GET_TABLE. */
  public static final GroupLayout TABLE_ARG =
      structLayout(
              JAVA_LONG.withName("data"),
              JAVA_INT.withName("size"),
              JAVA_INT.withName("needed"),
              JAVA_LONG.withName("generation"),
              JAVA_INT.withName("error"),
              JAVA_INT.withName("error_offset"))
          .withName("ftg_table_arg");

  /**
   * {@code struct ftg_decision_event} without its flexible array member {@code data[]}, with the
   * trailing padding C gives it ({@code sizeof} is 280). {@code data} starts right after {@code
   * reserved}, at {@link #DECISION_DATA_OFFSET} (276), which equals {@code offsetof(struct
   * ftg_decision_event, data)}.
   */
  public static final GroupLayout DECISION_EVENT =
      structLayout(
              EVENT_HEADER.withName("hdr"),
              JAVA_LONG.withName("generation"),
              JAVA_INT.withName("rule"),
              JAVA_BYTE.withName("kind"),
              JAVA_BYTE.withName("action"),
              JAVA_BYTE.withName("mode"),
              JAVA_BYTE.withName("flags"),
              JAVA_INT.withName("result"),
              JAVA_INT.withName("mask"),
              sequenceLayout(NAME_LEN, JAVA_BYTE).withName("policy"),
              sequenceLayout(NAME_LEN, JAVA_BYTE).withName("rule_name"),
              sequenceLayout(16, JAVA_BYTE).withName("addr"),
              JAVA_SHORT.withName("family"),
              JAVA_SHORT.withName("port"),
              JAVA_INT.withName("target_pid"),
              JAVA_INT.withName("new_uid"),
              JAVA_INT.withName("new_euid"),
              JAVA_INT.withName("argc"),
              JAVA_SHORT.withName("binary_len"),
              JAVA_SHORT.withName("object_len"),
              JAVA_SHORT.withName("argv_len"),
              JAVA_SHORT.withName("reserved"),
              paddingLayout(4))
          .withName("ftg_decision_event");

  /**
   * {@code struct ftg_call_event} without its flexible array member {@code data[]} (which starts at
   * {@code sizeof}, 248: there is no tail padding).
   */
  public static final GroupLayout CALL_EVENT =
      structLayout(
              EVENT_HEADER.withName("hdr"),
              JAVA_LONG.withName("generation"),
              JAVA_INT.withName("rule"),
              JAVA_INT.withName("hook"),
              JAVA_BYTE.withName("action"),
              JAVA_BYTE.withName("mode"),
              JAVA_BYTE.withName("flags"),
              JAVA_BYTE.withName("nr_fields"),
              JAVA_INT.withName("reserved"),
              JAVA_LONG.withName("retval"),
              sequenceLayout(NAME_LEN, JAVA_BYTE).withName("policy"),
              sequenceLayout(NAME_LEN, JAVA_BYTE).withName("rule_name"),
              JAVA_SHORT.withName("function_len"),
              JAVA_SHORT.withName("fields_len"),
              JAVA_INT.withName("reserved2"))
          .withName("ftg_call_event");

  /** Every struct of the header, by C struct tag (without {@code struct}). */
  public static final Map<String, GroupLayout> STRUCTS =
      Map.ofEntries(
          Map.entry("ftg_event_header", EVENT_HEADER),
          Map.entry("ftg_exec_event", EXEC_EVENT),
          Map.entry("ftg_fork_event", FORK_EVENT),
          Map.entry("ftg_exit_event", EXIT_EVENT),
          Map.entry("ftg_value", VALUE),
          Map.entry("ftg_sel", SEL),
          Map.entry("ftg_policy", POLICY),
          Map.entry("ftg_rule", RULE),
          Map.entry("ftg_section", SECTION),
          Map.entry("ftg_table_header", TABLE_HEADER),
          Map.entry("ftg_table_arg", TABLE_ARG),
          Map.entry("ftg_decision_event", DECISION_EVENT),
          Map.entry("ftg_stats", STATS),
          Map.entry("ftg_hook_info", HOOK_INFO),
          Map.entry("ftg_arg_decl", ARG_DECL),
          Map.entry("ftg_hook_decl", HOOK_DECL),
          Map.entry("ftg_field", FIELD),
          Map.entry("ftg_call_event", CALL_EVENT),
          Map.entry("ftg_call_hook_info", CALL_HOOK_INFO));

  /** Offset of {@code ftg_exec_event.data}: the filename, then the arguments. */
  public static final long EXEC_DATA_OFFSET = EXEC_EVENT.byteSize();

  /**
   * Offset of {@code ftg_decision_event.data}: binary, object and arguments. Not {@code sizeof}:
   * the flexible array starts right after {@code reserved}, before the struct's tail padding.
   */
  public static final long DECISION_DATA_OFFSET =
      offset(DECISION_EVENT, "reserved") + JAVA_SHORT.byteSize();

  /**
   * Flexible array members ({@code data[]}) by {@code "struct.member"}: their offsets, which the
   * layouts above do not hold as members.
   */
  public static final Map<String, Long> FLEXIBLE_ARRAY_OFFSETS =
      Map.of(
          "ftg_exec_event.data", EXEC_DATA_OFFSET,
          "ftg_decision_event.data", DECISION_DATA_OFFSET,
          "ftg_call_event.data", CALL_EVENT.byteSize());

  /** Function-like macros of the header with one {@code int} argument, by C name. */
  public static final Map<String, IntUnaryOperator> FUNCTION_MACROS =
      Map.of("FTG_KIND_KEY_SLOT", Abi::kindKeySlot);

  // ---- ioctl numbers (asm-generic/ioctl.h encoding, used by x86 and arm64) -------------------

  public static final int IOC_NRBITS = 8;
  public static final int IOC_TYPEBITS = 8;
  public static final int IOC_SIZEBITS = 14;
  public static final int IOC_NRSHIFT = 0;
  public static final int IOC_TYPESHIFT = IOC_NRSHIFT + IOC_NRBITS;
  public static final int IOC_SIZESHIFT = IOC_TYPESHIFT + IOC_TYPEBITS;
  public static final int IOC_DIRSHIFT = IOC_SIZESHIFT + IOC_SIZEBITS;
  public static final int IOC_NONE = 0;
  public static final int IOC_WRITE = 1;
  public static final int IOC_READ = 2;

  /** {@code _IOC(dir, type, nr, size)}. */
  public static long ioc(int dir, int type, int nr, long size) {
    if (size < 0 || size >= (1L << IOC_SIZEBITS)) {
      throw new IllegalArgumentException("ioctl argument size out of range: " + size);
    }
    return ((long) dir << IOC_DIRSHIFT)
        | ((long) type << IOC_TYPESHIFT)
        | ((long) nr << IOC_NRSHIFT)
        | (size << IOC_SIZESHIFT);
  }

  /** {@code _IOR(type, nr, T)}. */
  public static long ior(int type, int nr, MemoryLayout argument) {
    return ioc(IOC_READ, type, nr, argument.byteSize());
  }

  /** {@code _IOWR(type, nr, T)}. */
  public static long iowr(int type, int nr, MemoryLayout argument) {
    return ioc(IOC_READ | IOC_WRITE, type, nr, argument.byteSize());
  }

  public static final int IOC_MAGIC = 'F';
  public static final long IOC_STATS = ior(IOC_MAGIC, 1, STATS);
  public static final long IOC_HOOK_INFO = iowr(IOC_MAGIC, 2, HOOK_INFO);
  public static final long IOC_SET_TABLE = iowr(IOC_MAGIC, 3, TABLE_ARG);
  public static final long IOC_GET_TABLE = iowr(IOC_MAGIC, 4, TABLE_ARG);
  public static final long IOC_CALL_HOOK_INFO = iowr(IOC_MAGIC, 5, CALL_HOOK_INFO);

  /**
   * Every numeric constant of the header, keyed by its C name. The ABI test prints each of these
   * names from C, so a constant Java invents (or misspells) fails to compile.
   */
  public static final SequencedMap<String, Long> CONSTANTS = constants();

  private static SequencedMap<String, Long> constants() {
    var m = new LinkedHashMap<String, Long>();
    m.put("FTG_ABI_VERSION", (long) ABI_VERSION);
    m.put("FTG_COMM_LEN", (long) COMM_LEN);
    m.put("FTG_PATH_MAX", (long) PATH_MAX);
    m.put("FTG_ARGV_MAX", (long) ARGV_MAX);
    m.put("FTG_ARGC_MAX", (long) ARGC_MAX);
    m.put("FTG_RECORD_MAX", (long) RECORD_MAX);
    m.put("FTG_RECORD_ALIGN", (long) RECORD_ALIGN);
    m.put("FTG_HOOK_NAME_LEN", (long) HOOK_NAME_LEN);
    m.put("FTG_EV_EXEC", (long) EV_EXEC);
    m.put("FTG_EV_FORK", (long) EV_FORK);
    m.put("FTG_EV_EXIT", (long) EV_EXIT);
    m.put("FTG_EV_DECISION", (long) EV_DECISION);
    m.put("FTG_EV_CALL", (long) EV_CALL);
    m.put("FTG_EXEC_EXECVEAT", (long) EXEC_EXECVEAT);
    m.put("FTG_EXEC_PATH_TRUNC", (long) EXEC_PATH_TRUNC);
    m.put("FTG_EXEC_ARGV_TRUNC", (long) EXEC_ARGV_TRUNC);
    m.put("FTG_EXEC_PATH_FAULT", (long) EXEC_PATH_FAULT);
    m.put("FTG_EXEC_ARGV_FAULT", (long) EXEC_ARGV_FAULT);
    m.put("FTG_EXIT_GROUP_DEAD", (long) EXIT_GROUP_DEAD);
    m.put("FTG_KIND_EXEC", (long) KIND_EXEC);
    m.put("FTG_KIND_OPEN", (long) KIND_OPEN);
    m.put("FTG_KIND_CONNECT", (long) KIND_CONNECT);
    m.put("FTG_KIND_MODULE_LOAD", (long) KIND_MODULE_LOAD);
    m.put("FTG_KIND_PTRACE", (long) KIND_PTRACE);
    m.put("FTG_KIND_PRIVILEGE", (long) KIND_PRIVILEGE);
    m.put("FTG_KIND_CALL", (long) KIND_CALL);
    m.put("FTG_KINDS", (long) KINDS);
    m.put("FTG_ACT_ALLOW", (long) ACT_ALLOW);
    m.put("FTG_ACT_AUDIT", (long) ACT_AUDIT);
    m.put("FTG_ACT_DENY", (long) ACT_DENY);
    m.put("FTG_ACT_KILL", (long) ACT_KILL);
    m.put("FTG_ACT_DENY_KILL", (long) ACT_DENY_KILL);
    m.put("FTG_ACTIONS", (long) ACTIONS);
    m.put("FTG_MODE_ENFORCE", (long) MODE_ENFORCE);
    m.put("FTG_MODE_MONITOR", (long) MODE_MONITOR);
    m.put("FTG_SEL_BINARY", (long) SEL_BINARY);
    m.put("FTG_SEL_OBJECT", (long) SEL_OBJECT);
    m.put("FTG_SEL_PARENT", (long) SEL_PARENT);
    m.put("FTG_SEL_ANCESTOR", (long) SEL_ANCESTOR);
    m.put("FTG_SEL_UID", (long) SEL_UID);
    m.put("FTG_SEL_EUID", (long) SEL_EUID);
    m.put("FTG_SEL_PORT", (long) SEL_PORT);
    m.put("FTG_SEL_ADDRESS", (long) SEL_ADDRESS);
    m.put("FTG_SEL_ARGV", (long) SEL_ARGV);
    m.put("FTG_SELS", (long) SELS);
    m.put("FTG_VAL_EXACT", (long) VAL_EXACT);
    m.put("FTG_VAL_PREFIX", (long) VAL_PREFIX);
    m.put("FTG_VAL_GLOB", (long) VAL_GLOB);
    m.put("FTG_VAL_RANGE", (long) VAL_RANGE);
    m.put("FTG_VAL_CIDR4", (long) VAL_CIDR4);
    m.put("FTG_VAL_CIDR6", (long) VAL_CIDR6);
    m.put("FTG_VAL_MASK_ALL", (long) VAL_MASK_ALL);
    m.put("FTG_VAL_MASK_ANY", (long) VAL_MASK_ANY);
    m.put("FTG_FUNC_NAME_MAX", (long) FUNC_NAME_MAX);
    m.put("FTG_CALL_ARGS_MAX", (long) CALL_ARGS_MAX);
    m.put("FTG_CALL_FIELDS_MAX", (long) CALL_FIELDS_MAX);
    m.put("FTG_CALL_STR_MAX", (long) CALL_STR_MAX);
    m.put("FTG_TABLE_HOOKS_MAX", (long) TABLE_HOOKS_MAX);
    m.put("FTG_ARG_NAME_LEN", (long) ARG_NAME_LEN);
    m.put("FTG_ARG_INT", (long) ARG_INT);
    m.put("FTG_ARG_KSTRING", (long) ARG_KSTRING);
    m.put("FTG_ARG_USTRING", (long) ARG_USTRING);
    m.put("FTG_ARG_FILE", (long) ARG_FILE);
    m.put("FTG_ARG_PATH", (long) ARG_PATH);
    m.put("FTG_ARG_DENTRY", (long) ARG_DENTRY);
    m.put("FTG_ARG_SOCKADDR", (long) ARG_SOCKADDR);
    m.put("FTG_ARG_CRED", (long) ARG_CRED);
    m.put("FTG_ARGF_SIGNED", (long) ARGF_SIGNED);
    m.put("FTG_HOOKDECL_SYSCALL", (long) HOOKDECL_SYSCALL);
    m.put("FTG_HOOKDECL_FLAGS_ALL", (long) HOOKDECL_FLAGS_ALL);
    m.put("FTG_FIELD_INT", (long) FIELD_INT);
    m.put("FTG_FIELD_STR", (long) FIELD_STR);
    m.put("FTG_FIELD_ADDR", (long) FIELD_ADDR);
    m.put("FTG_FIELDF_SIGNED", (long) FIELDF_SIGNED);
    m.put("FTG_FIELDF_FAULT", (long) FIELDF_FAULT);
    m.put("FTG_FIELDF_TRUNC", (long) FIELDF_TRUNC);
    m.put("FTG_FIELDF_PARTIAL", (long) FIELDF_PARTIAL);
    m.put("FTG_CALL_HOOK_ATTACHED", (long) CALL_HOOK_ATTACHED);
    m.put("FTG_CALL_HOOK_IPMODIFY", (long) CALL_HOOK_IPMODIFY);
    m.put("FTG_CALL_HOOK_INJECTABLE", (long) CALL_HOOK_INJECTABLE);
    m.put("FTG_RULE_NEGATE_UID", (long) RULE_NEGATE_UID);
    m.put("FTG_RULE_NEGATE_EUID", (long) RULE_NEGATE_EUID);
    m.put("FTG_RULE_NEGATE_PORT", (long) RULE_NEGATE_PORT);
    m.put("FTG_RULE_FILELESS_SET", (long) RULE_FILELESS_SET);
    m.put("FTG_RULE_FILELESS", (long) RULE_FILELESS);
    m.put("FTG_RULE_TEMPDIR_SET", (long) RULE_TEMPDIR_SET);
    m.put("FTG_RULE_TEMPDIR", (long) RULE_TEMPDIR);
    m.put("FTG_RULE_FLAGS_ALL", (long) RULE_FLAGS_ALL);
    m.put("FTG_ACCESS_READ", (long) ACCESS_READ);
    m.put("FTG_ACCESS_WRITE", (long) ACCESS_WRITE);
    m.put("FTG_ACCESS_CREATE", (long) ACCESS_CREATE);
    m.put("FTG_ACCESS_TRUNCATE", (long) ACCESS_TRUNCATE);
    m.put("FTG_GAIN_UID0", (long) GAIN_UID0);
    m.put("FTG_GAIN_CAPS", (long) GAIN_CAPS);
    m.put("FTG_NAME_LEN", (long) NAME_LEN);
    m.put("FTG_TABLE_MAGIC", Integer.toUnsignedLong(TABLE_MAGIC));
    m.put("FTG_TABLE_VERSION", (long) TABLE_VERSION);
    m.put("FTG_TABLE_MAX", (long) TABLE_MAX);
    m.put("FTG_TABLE_RULES_MAX", (long) TABLE_RULES_MAX);
    m.put("FTG_TABLE_POLICIES_MAX", (long) TABLE_POLICIES_MAX);
    m.put("FTG_TABLE_VALUES_MAX", (long) TABLE_VALUES_MAX);
    m.put("FTG_TABLE_SEL_MAX", (long) TABLE_SEL_MAX);
    m.put("FTG_TABLE_STR_MAX", (long) TABLE_STR_MAX);
    m.put("FTG_GLOB_STARS", (long) GLOB_STARS);
    for (int i = 0; i < TABLE_ERROR_NAMES.size(); i++) {
      m.put(TABLE_ERROR_NAMES.get(i), (long) i);
    }
    m.put("FTG_DEC_WOULD", (long) DEC_WOULD);
    m.put("FTG_DEC_BINARY_TRUNC", (long) DEC_BINARY_TRUNC);
    m.put("FTG_DEC_OBJECT_TRUNC", (long) DEC_OBJECT_TRUNC);
    m.put("FTG_DEC_ARGV_TRUNC", (long) DEC_ARGV_TRUNC);
    m.put("FTG_DEC_ARGV_FAULT", (long) DEC_ARGV_FAULT);
    m.put("FTG_DEC_ARGV_MAX", (long) DEC_ARGV_MAX);
    m.put("FTG_DROP_BUFFER_FULL", (long) DROP_BUFFER_FULL);
    m.put("FTG_DROP_NOMEM", (long) DROP_NOMEM);
    m.put("FTG_DROP_READER_FAULT", (long) DROP_READER_FAULT);
    m.put("FTG_DROP_REASONS", (long) DROP_REASONS);
    m.put("FTG_HOOK_ATTACHED", (long) HOOK_ATTACHED);
    m.put("FTG_HOOK_IPMODIFY", (long) HOOK_IPMODIFY);
    m.put("FTG_HOOK_SKIP_FENTRY", (long) HOOK_SKIP_FENTRY);
    m.put("FTG_IOC_MAGIC", (long) IOC_MAGIC);
    m.put("FTG_IOC_STATS", IOC_STATS);
    m.put("FTG_IOC_HOOK_INFO", IOC_HOOK_INFO);
    m.put("FTG_IOC_SET_TABLE", IOC_SET_TABLE);
    m.put("FTG_IOC_GET_TABLE", IOC_GET_TABLE);
    m.put("FTG_IOC_CALL_HOOK_INFO", IOC_CALL_HOOK_INFO);
    return java.util.Collections.unmodifiableSequencedMap(m);
  }

  /** String constants of the header, keyed by C name. */
  public static final Map<String, String> STRING_CONSTANTS = Map.of("FTG_DEVICE_NAME", DEVICE_NAME);

  /** Names of the drop reasons, indexed by {@code enum ftg_drop_reason} (JSON keys). */
  public static final java.util.List<String> DROP_REASON_NAMES =
      java.util.List.of("buffer_full", "nomem", "reader_fault");

  /**
   * Byte offset of a (possibly nested) named member, e.g. {@code offset(EXEC_EVENT, "hdr", "pid")}.
   */
  public static long offset(MemoryLayout layout, String... path) {
    var elements = new MemoryLayout.PathElement[path.length];
    for (int i = 0; i < path.length; i++) {
      elements[i] = groupElement(path[i]);
    }
    return layout.byteOffset(elements);
  }

  /** Byte offsets of the header fields; also valid inside every event (hdr is first). */
  public static final class Hdr {
    private Hdr() {}

    public static final long SIZE = EVENT_HEADER.byteSize();
    public static final long TYPE = offset(EVENT_HEADER, "type");
    public static final long RECORD_SIZE = offset(EVENT_HEADER, "size");
    public static final long CPU = offset(EVENT_HEADER, "cpu");
    public static final long SEQ = offset(EVENT_HEADER, "seq");
    public static final long MONO_NS = offset(EVENT_HEADER, "mono_ns");
    public static final long WALL_NS = offset(EVENT_HEADER, "wall_ns");
    public static final long CGROUP_ID = offset(EVENT_HEADER, "cgroup_id");
    public static final long PID = offset(EVENT_HEADER, "pid");
    public static final long TGID = offset(EVENT_HEADER, "tgid");
    public static final long PPID = offset(EVENT_HEADER, "ppid");
    public static final long UID = offset(EVENT_HEADER, "uid");
    public static final long GID = offset(EVENT_HEADER, "gid");
    public static final long EUID = offset(EVENT_HEADER, "euid");
    public static final long COMM = offset(EVENT_HEADER, "comm");
  }

  /** Byte offsets in {@code struct ftg_exec_event}. */
  public static final class Exec {
    private Exec() {}

    public static final long SIZE = EXEC_EVENT.byteSize();
    public static final long RESULT = offset(EXEC_EVENT, "result");
    public static final long FLAGS = offset(EXEC_EVENT, "flags");
    public static final long ARGC = offset(EXEC_EVENT, "argc");
    public static final long FILENAME_LEN = offset(EXEC_EVENT, "filename_len");
    public static final long ARGV_LEN = offset(EXEC_EVENT, "argv_len");
    public static final long DIRFD = offset(EXEC_EVENT, "dirfd");
    public static final long AT_FLAGS = offset(EXEC_EVENT, "at_flags");
    public static final long DATA = EXEC_DATA_OFFSET;
  }

  /** Byte offsets in {@code struct ftg_fork_event}. */
  public static final class Fork {
    private Fork() {}

    public static final long SIZE = FORK_EVENT.byteSize();
    public static final long CLONE_FLAGS = offset(FORK_EVENT, "clone_flags");
    public static final long CHILD_PID = offset(FORK_EVENT, "child_pid");
    public static final long RESERVED = offset(FORK_EVENT, "reserved");
  }

  /** Byte offsets in {@code struct ftg_exit_event}. */
  public static final class Exit {
    private Exit() {}

    public static final long SIZE = EXIT_EVENT.byteSize();
    public static final long CODE = offset(EXIT_EVENT, "code");
    public static final long FLAGS = offset(EXIT_EVENT, "flags");
  }

  /** Byte offsets in {@code struct ftg_decision_event}. */
  public static final class Decision {
    private Decision() {}

    /** {@code sizeof}, tail padding included. */
    public static final long SIZE = DECISION_EVENT.byteSize();

    public static final long GENERATION = offset(DECISION_EVENT, "generation");
    public static final long RULE = offset(DECISION_EVENT, "rule");
    public static final long KIND = offset(DECISION_EVENT, "kind");
    public static final long ACTION = offset(DECISION_EVENT, "action");
    public static final long MODE = offset(DECISION_EVENT, "mode");
    public static final long FLAGS = offset(DECISION_EVENT, "flags");
    public static final long RESULT = offset(DECISION_EVENT, "result");
    public static final long MASK = offset(DECISION_EVENT, "mask");
    public static final long POLICY = offset(DECISION_EVENT, "policy");
    public static final long RULE_NAME = offset(DECISION_EVENT, "rule_name");
    public static final long ADDR = offset(DECISION_EVENT, "addr");
    public static final long FAMILY = offset(DECISION_EVENT, "family");
    public static final long PORT = offset(DECISION_EVENT, "port");
    public static final long TARGET_PID = offset(DECISION_EVENT, "target_pid");
    public static final long NEW_UID = offset(DECISION_EVENT, "new_uid");
    public static final long NEW_EUID = offset(DECISION_EVENT, "new_euid");
    public static final long ARGC = offset(DECISION_EVENT, "argc");
    public static final long BINARY_LEN = offset(DECISION_EVENT, "binary_len");
    public static final long OBJECT_LEN = offset(DECISION_EVENT, "object_len");
    public static final long ARGV_LEN = offset(DECISION_EVENT, "argv_len");
    public static final long RESERVED = offset(DECISION_EVENT, "reserved");

    /** {@code offsetof(struct ftg_decision_event, data)}. */
    public static final long DATA = DECISION_DATA_OFFSET;
  }

  /** Byte offsets in {@code struct ftg_table_header} (a section's count follows its offset). */
  public static final class Table {
    private Table() {}

    public static final long SIZE = TABLE_HEADER.byteSize();
    public static final long MAGIC = offset(TABLE_HEADER, "magic");
    public static final long VERSION = offset(TABLE_HEADER, "version");
    public static final long TABLE_SIZE = offset(TABLE_HEADER, "size");
    public static final long FLAGS = offset(TABLE_HEADER, "flags");
    public static final long POLICIES = offset(TABLE_HEADER, "policies");
    public static final long RULES = offset(TABLE_HEADER, "rules");
    public static final long VALUES = offset(TABLE_HEADER, "values");
    public static final long STRINGS = offset(TABLE_HEADER, "strings");
    public static final long HOOKS = offset(TABLE_HEADER, "hooks");
    public static final long ARGS = offset(TABLE_HEADER, "args");

    /** Within a {@code struct ftg_section}. */
    public static final long SECTION_OFFSET = offset(SECTION, "offset");

    public static final long SECTION_COUNT = offset(SECTION, "count");

    /** Sections start at multiples of this. */
    public static final int SECTION_ALIGN = 8;
  }

  /** Byte offsets in {@code struct ftg_policy}. */
  public static final class Pol {
    private Pol() {}

    public static final long SIZE = POLICY.byteSize();
    public static final long NAME = offset(POLICY, "name");
    public static final long MODE = offset(POLICY, "mode");
    public static final long PRIORITY = offset(POLICY, "priority");
  }

  /**
   * Byte offsets in {@code struct ftg_rule}; selector {@code i} is at {@code SEL + i * SEL_SIZE}.
   */
  public static final class Rul {
    private Rul() {}

    public static final long SIZE = RULE.byteSize();
    public static final long NAME = offset(RULE, "name");
    public static final long POLICY = offset(RULE, "policy");
    public static final long KIND = offset(RULE, "kind");
    public static final long ACTION = offset(RULE, "action");
    public static final long ERR = offset(RULE, "err");
    public static final long FLAGS = offset(RULE, "flags");
    public static final long MASK = offset(RULE, "mask");
    public static final long SEL = offset(RULE, "sel");
    public static final long SEL_SIZE = Abi.SEL.byteSize();
    public static final long SEL_FIRST = offset(Abi.SEL, "first");
    public static final long SEL_COUNT = offset(Abi.SEL, "count");
    public static final long HOOK = offset(RULE, "hook");
    public static final long RESERVED = offset(RULE, "reserved");

    /** Field selector {@code i} is at {@code FIELDS + i * SEL_SIZE}. */
    public static final long FIELDS = offset(RULE, "fields");
  }

  /** Byte offsets in {@code struct ftg_hook_decl}. */
  public static final class HookDecl {
    private HookDecl() {}

    public static final long SIZE = HOOK_DECL.byteSize();
    public static final long FUNCTION = offset(HOOK_DECL, "function");
    public static final long FLAGS = offset(HOOK_DECL, "flags");
    public static final long FIRST_ARG = offset(HOOK_DECL, "first_arg");
    public static final long NR_ARGS = offset(HOOK_DECL, "nr_args");
    public static final long RESERVED = offset(HOOK_DECL, "reserved");
  }

  /** Byte offsets in {@code struct ftg_arg_decl}. */
  public static final class ArgDecl {
    private ArgDecl() {}

    public static final long SIZE = ARG_DECL.byteSize();
    public static final long NAME = offset(ARG_DECL, "name");
    public static final long TYPE = offset(ARG_DECL, "type");
    public static final long POSITION = offset(ARG_DECL, "position");
    public static final long ARG_SIZE = offset(ARG_DECL, "size");
    public static final long FLAGS = offset(ARG_DECL, "flags");
    public static final long MAX_LEN = offset(ARG_DECL, "max_len");
    public static final long RESERVED = offset(ARG_DECL, "reserved");
  }

  /** Byte offsets in {@code struct ftg_call_event} and {@code struct ftg_field}. */
  public static final class Call {
    private Call() {}

    public static final long SIZE = CALL_EVENT.byteSize();
    public static final long GENERATION = offset(CALL_EVENT, "generation");
    public static final long RULE = offset(CALL_EVENT, "rule");
    public static final long HOOK = offset(CALL_EVENT, "hook");
    public static final long ACTION = offset(CALL_EVENT, "action");
    public static final long MODE = offset(CALL_EVENT, "mode");
    public static final long FLAGS = offset(CALL_EVENT, "flags");
    public static final long NR_FIELDS = offset(CALL_EVENT, "nr_fields");
    public static final long RETVAL = offset(CALL_EVENT, "retval");
    public static final long POLICY = offset(CALL_EVENT, "policy");
    public static final long RULE_NAME = offset(CALL_EVENT, "rule_name");
    public static final long FUNCTION_LEN = offset(CALL_EVENT, "function_len");
    public static final long FIELDS_LEN = offset(CALL_EVENT, "fields_len");

    /** {@code offsetof(struct ftg_call_event, data)}. */
    public static final long DATA = CALL_EVENT.byteSize();

    public static final long FIELD_SIZE = FIELD.byteSize();
    public static final long FIELD_TYPE = offset(FIELD, "type");
    public static final long FIELD_FLAGS = offset(FIELD, "flags");
    public static final long FIELD_LEN = offset(FIELD, "len");
  }

  /** Byte offsets in {@code struct ftg_call_hook_info}. */
  public static final class CallHook {
    private CallHook() {}

    public static final long SIZE = CALL_HOOK_INFO.byteSize();
    public static final long INDEX = offset(CALL_HOOK_INFO, "index");
    public static final long FLAGS = offset(CALL_HOOK_INFO, "flags");
    public static final long ERROR = offset(CALL_HOOK_INFO, "error");
    public static final long GENERATION = offset(CALL_HOOK_INFO, "generation");
    public static final long ADDRESS = offset(CALL_HOOK_INFO, "address");
    public static final long HITS = offset(CALL_HOOK_INFO, "hits");
    public static final long FUNCTION = offset(CALL_HOOK_INFO, "function");
  }

  /** Byte offsets in {@code struct ftg_value}. */
  public static final class Val {
    private Val() {}

    public static final long SIZE = VALUE.byteSize();
    public static final long TYPE = offset(VALUE, "type");
    public static final long PREFIX_LEN = offset(VALUE, "prefix_len");
    public static final long STR_LEN = offset(VALUE, "str_len");
    public static final long STR_OFF = offset(VALUE, "str_off");
    public static final long LO = offset(VALUE, "lo");
    public static final long HI = offset(VALUE, "hi");
    public static final long ADDR = offset(VALUE, "addr");
  }

  /** Byte offsets in {@code struct ftg_table_arg}. */
  public static final class TableArg {
    private TableArg() {}

    public static final long SIZE = TABLE_ARG.byteSize();
    public static final long DATA = offset(TABLE_ARG, "data");
    public static final long ARG_SIZE = offset(TABLE_ARG, "size");
    public static final long NEEDED = offset(TABLE_ARG, "needed");
    public static final long GENERATION = offset(TABLE_ARG, "generation");
    public static final long ERROR = offset(TABLE_ARG, "error");
    public static final long ERROR_OFFSET = offset(TABLE_ARG, "error_offset");
  }

  /** Byte offsets in {@code struct ftg_stats}. */
  public static final class Stat {
    private Stat() {}

    public static final long SIZE = STATS.byteSize();
    public static final long ABI_VERSION = offset(STATS, "abi_version");
    public static final long NR_HOOKS = offset(STATS, "nr_hooks");
    public static final long HOOKS_ATTACHED = offset(STATS, "hooks_attached");
    public static final long INFLIGHT = offset(STATS, "inflight");
    public static final long PRODUCED = offset(STATS, "produced");
    public static final long DELIVERED = offset(STATS, "delivered");
    public static final long DROPPED = offset(STATS, "dropped");
    public static final long BUFFER_BYTES = offset(STATS, "buffer_bytes");
    public static final long BUFFER_ENTRIES = offset(STATS, "buffer_entries");
    public static final long TABLE_GENERATION = offset(STATS, "table_generation");
    public static final long TABLE_RULES = offset(STATS, "table_rules");
    public static final long TABLE_BYTES = offset(STATS, "table_bytes");
    public static final long DECISIONS = offset(STATS, "decisions");
    public static final long BLOCKED = offset(STATS, "blocked");
    public static final long KILLED = offset(STATS, "killed");
    public static final long CALL_HOOKS = offset(STATS, "call_hooks");
    public static final long CALL_HOOKS_ATTACHED = offset(STATS, "call_hooks_attached");
    public static final long CALL_SKIPPED = offset(STATS, "call_skipped");
  }

  /** Byte offsets in {@code struct ftg_hook_info}. */
  public static final class Hook {
    private Hook() {}

    public static final long SIZE = HOOK_INFO.byteSize();
    public static final long INDEX = offset(HOOK_INFO, "index");
    public static final long FLAGS = offset(HOOK_INFO, "flags");
    public static final long ADDRESS = offset(HOOK_INFO, "address");
    public static final long HITS = offset(HOOK_INFO, "hits");
    public static final long NAME = offset(HOOK_INFO, "name");
  }
}
