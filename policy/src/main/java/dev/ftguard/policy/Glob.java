package dev.ftguard.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled path glob as documented in {@code docs/policy.md}, matched byte-wise as the kernel
 * does: pattern and text are taken as their UTF-8 bytes. {@code *} matches any run of bytes
 * (possibly empty) and {@code ?} exactly one byte, {@code [...]} one byte of a class ({@code
 * [!...]} or {@code [^...]} negate it; {@code a-z} ranges of unsigned byte values; a leading {@code
 * ]} is a member). None of them ever matches {@code /}: only a literal {@code /} in the pattern
 * does, so a glob never crosses a directory boundary. Every other byte matches itself. So {@code ?}
 * matches one byte of {@code é} (two bytes in UTF-8), {@code ??} matches {@code é}; the validator
 * keeps non-ASCII characters out of classes, where they would stand for their bytes.
 *
 * <p>Matching splits pattern and text at {@code /} (both must have the same number of segments; a
 * {@code /} inside a class belongs to the class) and matches each segment with the iterative
 * two-pointer algorithm (one backtrack point, the last {@code *}): O(length of segment x length of
 * pattern segment) at worst, no exponential backtracking, no regular expressions.
 */
public final class Glob {
  private sealed interface Tok {}

  /** One byte, 0..255. */
  private record Lit(int b) implements Tok {}

  private record Any() implements Tok {}

  private record Star() implements Tok {}

  private record Cls(boolean negated, int[] lows, int[] highs) implements Tok {
    boolean contains(int c) {
      for (int i = 0; i < lows.length; i++) {
        if (c >= lows[i] && c <= highs[i]) {
          return !negated;
        }
      }
      return negated;
    }
  }

  private static final Tok ANY = new Any();
  private static final Tok STAR = new Star();

  private final String pattern;
  private final Tok[][] segments;

  private Glob(String pattern, Tok[][] segments) {
    this.pattern = pattern;
    this.segments = segments;
  }

  /**
   * Compiles {@code pattern}; throws {@link IllegalArgumentException} on a {@code [} without a
   * closing {@code ]}.
   */
  public static Glob compile(String pattern) {
    int[] p = unsigned(pattern);
    List<Tok[]> segs = new ArrayList<>();
    List<Tok> cur = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      int c = p[i];
      switch (c) {
        case '/' -> {
          segs.add(cur.toArray(Tok[]::new));
          cur.clear();
        }
        case '*' -> cur.add(STAR);
        case '?' -> cur.add(ANY);
        case '[' -> {
          int j = i + 1;
          boolean negated = j < p.length && (p[j] == '!' || p[j] == '^');
          if (negated) {
            j++;
          }
          int start = j;
          List<int[]> members = new ArrayList<>();
          while (j < p.length && (p[j] != ']' || j == start)) {
            if (j + 2 < p.length && p[j + 1] == '-' && p[j + 2] != ']') {
              members.add(new int[] {p[j], p[j + 2]});
              j += 3;
            } else {
              members.add(new int[] {p[j], p[j]});
              j++;
            }
          }
          if (j >= p.length) {
            throw new IllegalArgumentException(
                "glob '" + pattern + "' has '[' without a closing ']'");
          }
          int[] lows = members.stream().mapToInt(m -> m[0]).toArray();
          int[] highs = members.stream().mapToInt(m -> m[1]).toArray();
          cur.add(new Cls(negated, lows, highs));
          i = j;
        }
        default -> cur.add(new Lit(c));
      }
    }
    segs.add(cur.toArray(Tok[]::new));
    return new Glob(pattern, segs.toArray(Tok[][]::new));
  }

  /** Whether {@code pattern} matches the whole of {@code text}. */
  public static boolean matches(String pattern, String text) {
    return compile(pattern).matches(text);
  }

  public String pattern() {
    return pattern;
  }

  /** Whether this glob matches the whole of {@code text} (its UTF-8 bytes). */
  public boolean matches(String text) {
    return matchBytes(unsigned(text));
  }

  /** Whether this glob matches the whole of {@code text}, bytes as the kernel sees them. */
  public boolean matches(byte[] text) {
    int[] t = new int[text.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = Byte.toUnsignedInt(text[i]);
    }
    return matchBytes(t);
  }

  /** The UTF-8 bytes of {@code s} as unsigned values. */
  private static int[] unsigned(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = Byte.toUnsignedInt(b[i]);
    }
    return out;
  }

  private boolean matchBytes(int[] t) {
    int slashes = 0;
    for (int c : t) {
      if (c == '/') {
        slashes++;
      }
    }
    if (slashes != segments.length - 1) {
      return false;
    }
    int from = 0;
    for (Tok[] seg : segments) {
      int to = from;
      while (to < t.length && t[to] != '/') {
        to++;
      }
      if (!matchSegment(seg, t, from, to)) {
        return false;
      }
      from = to + 1;
    }
    return true;
  }

  /** Two-pointer match of one segment (no '/' in t[from, to)) against tokens without '/'. */
  private static boolean matchSegment(Tok[] p, int[] t, int from, int to) {
    int pi = 0;
    int ti = from;
    int starP = -1;
    int starT = -1;
    while (ti < to) {
      if (pi < p.length && p[pi] instanceof Star) {
        starP = pi++;
        starT = ti;
      } else if (pi < p.length && single(p[pi], t[ti])) {
        pi++;
        ti++;
      } else if (starP >= 0) {
        pi = starP + 1;
        ti = ++starT;
      } else {
        return false;
      }
    }
    while (pi < p.length && p[pi] instanceof Star) {
      pi++;
    }
    return pi == p.length;
  }

  private static boolean single(Tok tok, int c) {
    return switch (tok) {
      case Lit(int b) -> b == c;
      case Any a -> true;
      case Cls cls -> cls.contains(c);
      case Star s -> false;
    };
  }

  @Override
  public String toString() {
    return pattern;
  }
}
