package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct ftg_hook_info}: one entry of the module's hook table (FTG_IOC_HOOK_INFO).
 *
 * @param address resolved address; 0 for callers without privilege
 * @param hits times the hook ran
 */
public record HookInfo(int index, int flags, long address, long hits, String name) {
  public boolean attached() {
    return (flags & Abi.HOOK_ATTACHED) != 0;
  }

  public boolean ipModify() {
    return (flags & Abi.HOOK_IPMODIFY) != 0;
  }

  /** The wrapper enters the original past its fentry site (call_mode=skip). */
  public boolean skipsFentry() {
    return (flags & Abi.HOOK_SKIP_FENTRY) != 0;
  }

  /** Reads a {@code struct ftg_hook_info} in host byte order. */
  public static HookInfo decode(MemorySegment s) {
    return new HookInfo(
        s.get(JAVA_INT_UNALIGNED, Abi.Hook.INDEX),
        s.get(JAVA_INT_UNALIGNED, Abi.Hook.FLAGS),
        s.get(JAVA_LONG_UNALIGNED, Abi.Hook.ADDRESS),
        s.get(JAVA_LONG_UNALIGNED, Abi.Hook.HITS),
        RecordReader.cString(s, Abi.Hook.NAME, Abi.HOOK_NAME_LEN));
  }
}
