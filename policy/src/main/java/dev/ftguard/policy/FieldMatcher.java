package dev.ftguard.policy;

import java.util.List;

/** A selector on one field of a declared hook's call ({@code match: {args: {NAME: ...}}}). */
public sealed interface FieldMatcher {
  /**
   * An integer equal to one of the values or inside one of the ranges ({@code in:}); bounds are
   * signed for signed fields, unsigned (as bits) otherwise.
   */
  record Ints(List<IntRange> ranges) implements FieldMatcher {
    public Ints {
      ranges = List.copyOf(ranges);
    }
  }

  /** An inclusive range; {@code low} and {@code high} are the field's bits. */
  record IntRange(long low, long high) {}

  /** An integer with every bit of {@code bits} set ({@code all}), or some of them ({@code any}). */
  record Mask(long bits, boolean all) implements FieldMatcher {}

  /** A string or path field. */
  record Str(PathMatcher matcher) implements FieldMatcher {}

  /** An address field in one of the networks. */
  record Addr(List<Cidr> networks) implements FieldMatcher {
    public Addr {
      networks = List.copyOf(networks);
    }
  }
}
