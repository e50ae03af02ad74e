package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The string area of a table: every distinct string value once, in first-use order (rule by rule,
 * slot by slot), without terminators.
 */
final class StringArea {
  /** Offsets of the distinct strings, in first-use order. */
  private final Map<String, Integer> offsets = new LinkedHashMap<>();

  private long size;

  /** The string area of {@code rules}, in layout order. */
  static StringArea of(List<RuleSlots> rules) {
    StringArea area = new StringArea();
    for (RuleSlots s : rules) {
      for (List<TableValue> vs : s.bySlot()) {
        if (vs != null) {
          for (TableValue v : vs) {
            if (v.str() != null) {
              area.intern(v.str());
            }
          }
        }
      }
    }
    return area;
  }

  private void intern(String s) {
    if (!offsets.containsKey(s)) {
      offsets.put(s, (int) size);
      size += s.getBytes(StandardCharsets.UTF_8).length;
    }
  }

  /** The area's size in bytes. */
  long size() {
    return size;
  }

  /** The offset of {@code s} in the area. */
  int offset(String s) {
    return offsets.get(s);
  }

  /** Writes the area's bytes at {@code at} of {@code t}. */
  void write(MemorySegment t, long at) {
    for (var e : offsets.entrySet()) {
      byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
      MemorySegment.copy(b, 0, t, JAVA_BYTE, at + e.getValue(), b.length);
    }
  }
}
