package dev.ftguard.policy;

import dev.ftguard.abi.Abi;
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
  /** At most this many {@code *} in a glob ({@code FTG_GLOB_STARS}). */
  public static final int MAX_STARS = Abi.GLOB_STARS;

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
          int end = classEnd(p, i);
          if (end < 0) {
            throw new IllegalArgumentException(
                "glob '" + pattern + "' has '[' without a closing ']'");
          }
          cur.add(cls(p, i, end));
          i = end;
        }
        default -> cur.add(new Lit(c));
      }
    }
    segs.add(cur.toArray(Tok[]::new));
    return new Glob(pattern, segs.toArray(Tok[][]::new));
  }

  /**
   * The first member of the class that opens at {@code p[i] == '['} (after a {@code !} or {@code
   * ^}).
   */
  private static int classStart(int[] p, int i) {
    int j = i + 1;
    return j < p.length && (p[j] == '!' || p[j] == '^') ? j + 1 : j;
  }

  /**
   * The index of the {@code ]} that closes the class opening at {@code p[i] == '['}, or -1 when it
   * is not closed. A {@code ]} right after {@code [}, {@code [!} or {@code [^} is a member; {@code
   * a-b} is a range unless {@code b} is that {@code ]}. The kernel reads classes alike ({@code
   * ftg_class_end} in {@code kmod/match.c}).
   */
  private static int classEnd(int[] p, int i) {
    int j = classStart(p, i);
    int start = j;
    while (j < p.length && (p[j] != ']' || j == start)) {
      j += j + 2 < p.length && p[j + 1] == '-' && p[j + 2] != ']' ? 3 : 1;
    }
    return j < p.length ? j : -1;
  }

  /** The class {@code p[i..end]}, {@code end} its closing {@code ]}. */
  private static Cls cls(int[] p, int i, int end) {
    int j = classStart(p, i);
    boolean negated = j > i + 1;
    List<int[]> members = new ArrayList<>();
    while (j < end) {
      if (j + 2 < p.length && p[j + 1] == '-' && p[j + 2] != ']') {
        members.add(new int[] {p[j], p[j + 2]});
        j += 3;
      } else {
        members.add(new int[] {p[j], p[j]});
        j++;
      }
    }
    int[] lows = members.stream().mapToInt(m -> m[0]).toArray();
    int[] highs = members.stream().mapToInt(m -> m[1]).toArray();
    return new Cls(negated, lows, highs);
  }

  /**
   * Whether the kernel accepts {@code p} as a glob of a rule table ({@code ftg_glob_valid}): every
   * class closed, at most {@link #MAX_STARS} {@code *} outside classes.
   */
  public static boolean kernelAccepts(byte[] pattern) {
    int[] p = new int[pattern.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Byte.toUnsignedInt(pattern[i]);
    }
    int stars = 0;
    int i = 0;
    while (i < p.length) {
      if (p[i] == '[') {
        int end = classEnd(p, i);
        if (end < 0) {
          return false;
        }
        i = end + 1;
        continue;
      }
      if (p[i] == '*' && ++stars > MAX_STARS) {
        return false;
      }
      i++;
    }
    return true;
  }

  /**
   * Why {@code p} is not a glob the policy language accepts, or null when it is one: no {@code **},
   * at most {@link #MAX_STARS} {@code *} (in classes too), every {@code [...]} closed, no {@code [}
   * inside a class, no stray {@code ]}, no non-ASCII character inside a class (a class matches one
   * byte). Stricter than {@link #kernelAccepts(byte[])}.
   */
  public static String problem(String p) {
    if (p.contains("**")) {
      return "contains '**', which globs do not support";
    }
    long stars = p.chars().filter(c -> c == '*').count();
    if (stars > MAX_STARS) {
      return "has " + stars + " '*'; at most " + MAX_STARS;
    }
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == ']') {
        return "has ']' without '['";
      }
      if (c == '[') {
        int j = i + 1;
        if (j < p.length() && (p.charAt(j) == '!' || p.charAt(j) == '^')) {
          j++;
        }
        if (j < p.length() && p.charAt(j) == ']') {
          j++; // a leading ']' is a literal member
        }
        while (j < p.length() && p.charAt(j) != ']') {
          if (p.charAt(j) == '[') {
            return "has '[' inside a '[...]' class";
          }
          j++;
        }
        for (int k = i + 1; k < j; k = p.offsetByCodePoints(k, 1)) {
          int cp = p.codePointAt(k);
          if (cp > 0x7f) {
            String ch = Character.toString(cp);
            return "has the non-ASCII character '"
                + ch
                + "' ("
                + ch.getBytes(StandardCharsets.UTF_8).length
                + " bytes in UTF-8) inside a '[...]' class, which matches one byte";
          }
        }
        if (j >= p.length()) {
          return "has '[' without a closing ']'";
        }
        i = j;
      }
    }
    return null;
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
