package dev.ftguard.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled path glob as documented in {@code docs/policy.md}: {@code *} matches any run of
 * characters (possibly empty) and {@code ?} exactly one character, {@code [...]} one character of a
 * class ({@code [!...]} or {@code [^...]} negate it; {@code a-z} ranges; a leading {@code ]} is a
 * member). None of them ever matches {@code /}: only a literal {@code /} in the pattern does, so a
 * glob never crosses a directory boundary. Every other character matches itself. Characters are
 * Unicode code points.
 *
 * <p>Matching splits pattern and text at {@code /} (both must have the same number of segments)
 * and matches each segment with the iterative two-pointer algorithm (one backtrack point, the last
 * {@code *}): O(length of segment x length of pattern segment) at worst, no exponential
 * backtracking, no regular expressions.
 */
public final class Glob {
  private sealed interface Tok {}

  private record Lit(int cp) implements Tok {}

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

  /** Compiles {@code pattern}; throws {@link IllegalArgumentException} on a {@code [} without a closing {@code ]}. */
  public static Glob compile(String pattern) {
    int[] p = pattern.codePoints().toArray();
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
            throw new IllegalArgumentException("glob '" + pattern + "' has '[' without a closing ']'");
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

  /** Whether this glob matches the whole of {@code text}. */
  public boolean matches(String text) {
    int[] t = text.codePoints().toArray();
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
      case Lit(int cp) -> cp == c;
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
