package dev.ftguard.policy;

/** An inclusive range of ids or ports; a single value has {@code low == high}. */
public record Range(long low, long high) {
  public Range {
    if (low > high) {
      throw new IllegalArgumentException("low > high: " + low + "-" + high);
    }
  }

  public boolean contains(long v) {
    return v >= low && v <= high;
  }

  @Override
  public String toString() {
    return low == high ? Long.toString(low) : low + "-" + high;
  }
}
