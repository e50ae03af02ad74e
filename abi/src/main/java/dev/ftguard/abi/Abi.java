package dev.ftguard.abi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.util.List;
import java.util.Locale;

/**
 * Java mirror of {@code kmod/include/uapi/ftguard.h}, the user/kernel ABI of {@code /dev/ftguard}.
 *
 * <p>The header's constants (named as in C without {@code FTG_}: {@code Abi.EV_EXEC}), structs (as
 * {@link java.lang.foreign.GroupLayout}s named after their tag: {@code Abi.DECISION_EVENT}) and
 * per-kind tables ({@link #kindKeySlot(int)}, {@link #kindSlots(int)}, ...) are inherited from
 * {@link Uapi}, which the build generates from the header as gcc compiles it: nothing here is typed
 * twice. The byte offsets of each struct, by member, come from those layouts and are grouped by
 * record family: {@link ProcessRecords} ({@code Abi.Hdr}, {@code Abi.Exec}, {@code Abi.Fork},
 * {@code Abi.Exit}), {@link DecisionRecords} ({@code Abi.Decision}), {@link TableRecords} ({@code
 * Abi.Table}, {@code Abi.Pol}, {@code Abi.Rul}, {@code Abi.Val}, {@code Abi.TableArg}), {@link
 * CallRecords} ({@code Abi.HookDecl}, {@code Abi.ArgDecl}, {@code Abi.Call}, {@code Abi.CallHook})
 * and {@link DeviceRecords} ({@code Abi.Stat}, {@code Abi.Hook}).
 *
 * <p>Layouts use the platform byte order (the kernel writes records in host order).
 */
public final class Abi extends Uapi
    implements ProcessRecords, DecisionRecords, TableRecords, CallRecords, DeviceRecords {
  private Abi() {}

  /** Kernel module name (for {@code delete_module} and {@code /sys/module}). */
  public static final String MODULE_NAME = "ftguard";

  /** Kernel module file name. */
  public static final String MODULE_FILE = "ftguard.ko";

  /**
   * Address families of {@code ftg_decision_event.family} (linux/socket.h; AbiLayoutTest compares
   * them with the C library's).
   */
  public static final int AF_INET = 2;

  public static final int AF_INET6 = 10;

  /**
   * The C names of {@code enum ftg_table_error}, indexed by value ({@code TABLE_ERROR_NAMES.get(5)}
   * is {@code "FTG_TERR_SECTION"}).
   */
  public static final List<String> TABLE_ERROR_NAMES = ENUMS.get("ftg_table_error");

  /** What each {@code enum ftg_table_error} value means, indexed by value (for messages). */
  public static final List<String> TABLE_ERROR_MEANINGS =
      List.of(
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

  /**
   * Names of the drop reasons, indexed by {@code enum ftg_drop_reason} (JSON keys and metric
   * labels): the enumerators without {@code FTG_DROP_}, in lower case ({@code buffer_full}, ...).
   */
  public static final List<String> DROP_REASON_NAMES =
      ENUMS.get("ftg_drop_reason").stream()
          .filter(n -> !n.equals("FTG_DROP_REASONS"))
          .map(n -> n.substring("FTG_DROP_".length()).toLowerCase(Locale.ROOT))
          .toList();

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

  /** Offset of the flexible array member {@code struct.member} ({@code data[]}). */
  static long flexibleArray(String structMember) {
    Long at = FLEXIBLE_ARRAY_OFFSETS.get(structMember);
    if (at == null) {
      throw new IllegalStateException("no flexible array member " + structMember);
    }
    return at;
  }
}
