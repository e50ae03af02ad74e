package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct ftg_call_hook_info}: the state of one hook the current rule table declares
 * (FTG_IOC_CALL_HOOK_INFO).
 *
 * @param error the -errno of a failed attach (0 when attached, or when no rule uses the hook)
 * @param generation the table the index refers to
 * @param address resolved address; 0 for callers without privilege
 * @param hits calls the hook saw
 */
public record CallHookInfo(
    int index, int flags, int error, long generation, long address, long hits, String function) {
  public boolean attached() {
    return (flags & Abi.CALL_HOOK_ATTACHED) != 0;
  }

  /** Registered to redirect: the table has a deny rule on it. */
  public boolean mayDeny() {
    return (flags & Abi.CALL_HOOK_IPMODIFY) != 0;
  }

  /** Reads a {@code struct ftg_call_hook_info} in host byte order. */
  public static CallHookInfo decode(MemorySegment s) {
    return new CallHookInfo(
        s.get(JAVA_INT_UNALIGNED, Abi.CallHook.INDEX),
        s.get(JAVA_INT_UNALIGNED, Abi.CallHook.FLAGS),
        s.get(JAVA_INT_UNALIGNED, Abi.CallHook.ERROR),
        s.get(JAVA_LONG_UNALIGNED, Abi.CallHook.GENERATION),
        s.get(JAVA_LONG_UNALIGNED, Abi.CallHook.ADDRESS),
        s.get(JAVA_LONG_UNALIGNED, Abi.CallHook.HITS),
        RecordReader.cString(s, Abi.CallHook.FUNCTION, Abi.FUNC_NAME_MAX));
  }

  /** Writes this into a {@code struct ftg_call_hook_info} (for simulated devices). */
  public void encode(MemorySegment s) {
    s.set(JAVA_INT_UNALIGNED, Abi.CallHook.INDEX, index);
    s.set(JAVA_INT_UNALIGNED, Abi.CallHook.FLAGS, flags);
    s.set(JAVA_INT_UNALIGNED, Abi.CallHook.ERROR, error);
    s.set(JAVA_LONG_UNALIGNED, Abi.CallHook.GENERATION, generation);
    s.set(JAVA_LONG_UNALIGNED, Abi.CallHook.ADDRESS, address);
    s.set(JAVA_LONG_UNALIGNED, Abi.CallHook.HITS, hits);
    byte[] b = function.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    MemorySegment.copy(
        b,
        0,
        s,
        java.lang.foreign.ValueLayout.JAVA_BYTE,
        Abi.CallHook.FUNCTION,
        Math.min(b.length, Abi.FUNC_NAME_MAX - 1));
  }
}
