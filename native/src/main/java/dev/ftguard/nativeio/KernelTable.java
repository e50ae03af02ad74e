package dev.ftguard.nativeio;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The rule table the kernel holds (FTG_IOC_GET_TABLE): its bytes exactly as they were written and
 * the generation the kernel gave it.
 *
 * @param generation the table's generation, counted by the module from 1 since it was loaded
 * @param bytes the table as written with FTG_IOC_SET_TABLE
 */
public record KernelTable(long generation, byte[] bytes) {
  public KernelTable {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Table size in bytes. */
  public int size() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KernelTable t
        && generation == t.generation
        && Arrays.equals(bytes, t.bytes);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(generation) * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    String head = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 16));
    return "KernelTable[generation="
        + Long.toUnsignedString(generation)
        + ", "
        + bytes.length
        + " bytes: "
        + head
        + (bytes.length > 16 ? "...]" : "]");
  }
}
