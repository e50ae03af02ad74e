package dev.ftguard.nativeio;

import dev.ftguard.abi.CallHookInfo;
import java.util.List;
import java.util.Optional;

/**
 * Everything the control plane needs from {@code /dev/ftguard}: records and counters ({@link
 * EventSource}) and the rule table. {@link Device} is the real implementation; tests provide
 * others.
 */
public interface ControlDevice extends EventSource {
  /**
   * FTG_IOC_SET_TABLE: replaces the kernel's rule table with {@code table} at once (readers see the
   * old table or the new one). On any error the previous table stays in force.
   *
   * @return the new table's generation
   * @throws TableRejectedException the module refused the table, with its reason and offset
   * @throws ErrnoException EPERM/EACCES without CAP_SYS_ADMIN, ENOTTY from a module without rule
   *     tables
   */
  long setTable(byte[] table) throws ErrnoException;

  /**
   * FTG_IOC_LOCK: locks the module until reboot (no unload; once a table with rules is in force, no
   * table change). Idempotent; there is no unlock.
   */
  void lock() throws ErrnoException;

  /**
   * FTG_IOC_GET_TABLE: the table in force, as it was written.
   *
   * @return empty when no table was written since the module was loaded
   */
  Optional<KernelTable> getTable() throws ErrnoException;

  /**
   * FTG_IOC_CALL_HOOK_INFO for every hook the current table declares, in table order: whether it
   * attached, and why not.
   */
  List<CallHookInfo> callHooks() throws ErrnoException;
}
