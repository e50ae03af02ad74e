package dev.ftguard.check;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Debian kernel series ftguard is built and tested for: {@code kmod/kernels.conf}, which the
 * build puts next to this class (it is not copied into the module's sources). One series a line:
 * {@code SERIES SUITE SECURITY COMPILER ROLE}; {@code #} starts a comment.
 *
 * @param series the series, oldest first
 */
public record TestedKernels(List<Series> series) {
  /** The resource, next to this class. */
  public static final String RESOURCE = "kernels.conf";

  /** More than this many lines or series is not a list of kernels. */
  static final int MAX_LINES = 1000;

  static final int MAX_SERIES = 64;

  static final int MAX_LINE_LENGTH = 200;

  private static final Pattern SERIES = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9.+-]{0,39}");

  /**
   * One tested series.
   *
   * @param major its major version ({@code 6} of 6.1)
   * @param minor its minor version ({@code 1} of 6.1)
   * @param suite the Debian suite of the kernel and its compiler ({@code bookworm})
   * @param security the suite's security archive, empty for none
   * @param compiler the gcc its headers expect ({@code gcc-12})
   * @param isDefault whether it is the kernel the VM tests boot unless told otherwise
   */
  public record Series(
      int major,
      int minor,
      String suite,
      Optional<String> security,
      String compiler,
      boolean isDefault) {
    /** {@code 6.1}. */
    public String name() {
      return major + "." + minor;
    }

    /** Whether {@code v} is of this series. */
    public boolean has(KernelVersion v) {
      return v.major() == major && v.minor() == minor;
    }

    /** The series as a version, for ordering ({@code 6.1.0}). */
    public KernelVersion version() {
      return new KernelVersion(major, minor, 0);
    }

    /** {@code Debian 6.1 (bookworm)}. */
    public String describe() {
      return "Debian " + name() + " (" + suite + ")";
    }
  }

  /** A line that does not parse, or a list that breaks a rule (no default, two of a series). */
  public static final class Malformed extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  public TestedKernels {
    series = List.copyOf(series);
  }

  private static final class Holder {
    static final TestedKernels BUILT_IN = load();

    private static TestedKernels load() {
      try (InputStream in = TestedKernels.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              "no "
                  + RESOURCE
                  + " next to "
                  + TestedKernels.class.getName()
                  + ": the build puts kmod/kernels.conf there (check/pom.xml)");
        }
        byte[] bytes = in.readNBytes(MAX_LINES * (MAX_LINE_LENGTH + 1) + 1);
        return parse(new String(bytes, StandardCharsets.UTF_8), RESOURCE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + RESOURCE, e);
      }
    }
  }

  /** The series of {@code kmod/kernels.conf}, as built into this module. */
  public static TestedKernels builtIn() {
    return Holder.BUILT_IN;
  }

  /**
   * Parses the text of a {@code kernels.conf}.
   *
   * @param source the file's name, for the errors ({@code kernels.conf:14: ...})
   * @throws Malformed naming the line, when a line does not parse, a series is listed twice, none
   *     or more than one is the default, or there is no series at all
   */
  public static TestedKernels parse(String text, String source) {
    List<Series> out = new ArrayList<>();
    List<String> lines = text.lines().limit(MAX_LINES + 1L).toList();
    if (lines.size() > MAX_LINES) {
      throw new Malformed(source + ": more than " + MAX_LINES + " lines: not a list of kernels");
    }
    int defaultLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      int n = i + 1;
      String l = lines.get(i);
      if (l.length() > MAX_LINE_LENGTH) {
        throw new Malformed(source + ":" + n + ": longer than " + MAX_LINE_LENGTH + " characters");
      }
      int hash = l.indexOf('#');
      String body = (hash < 0 ? l : l.substring(0, hash)).strip();
      if (body.isEmpty()) {
        continue;
      }
      Series s = series(source, n, body);
      boolean isDefault = s.isDefault();
      for (Series o : out) {
        if (o.name().equals(s.name())) {
          throw new Malformed(source + ":" + n + ": series " + s.name() + " is listed twice");
        }
      }
      if (isDefault) {
        if (defaultLine != 0) {
          throw new Malformed(
              source
                  + ":"
                  + n
                  + ": a second default (line "
                  + defaultLine
                  + " is the default already)");
        }
        defaultLine = n;
      }
      if (out.size() == MAX_SERIES) {
        throw new Malformed(source + ":" + n + ": more than " + MAX_SERIES + " series");
      }
      out.add(s);
    }
    if (out.isEmpty()) {
      throw new Malformed(source + ": no series");
    }
    if (defaultLine == 0) {
      throw new Malformed(source + ": no series has the role 'default'");
    }
    out.sort(Comparator.comparing(Series::version));
    return new TestedKernels(out);
  }

  /** One line's five fields: {@code series suite security compiler role}. */
  private static Series series(String source, int n, String body) {
    String[] f = body.split("\\s+");
    if (f.length != 5) {
      throw new Malformed(
          source
              + ":"
              + n
              + ": "
              + f.length
              + " field"
              + (f.length == 1 ? "" : "s")
              + ", expected 5 (series suite security compiler role): '"
              + body
              + "'");
    }
    Matcher m = SERIES.matcher(f[0]);
    if (!m.matches()) {
      throw new Malformed(
          source + ":" + n + ": series '" + f[0] + "' is not MAJOR.MINOR (such as 6.1)");
    }
    String suite = name(source, n, "suite", f[1]);
    Optional<String> security =
        f[2].equals("-") ? Optional.empty() : Optional.of(name(source, n, "security", f[2]));
    String compiler = name(source, n, "compiler", f[3]);
    boolean isDefault =
        switch (f[4]) {
          case "default" -> true;
          case "-" -> false;
          default ->
              throw new Malformed(
                  source + ":" + n + ": role '" + f[4] + "' is neither 'default' nor '-'");
        };
    return new Series(
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        suite,
        security,
        compiler,
        isDefault);
  }

  private static String name(String source, int line, String field, String value) {
    if (!NAME.matcher(value).matches()) {
      throw new Malformed(
          source
              + ":"
              + line
              + ": "
              + field
              + " '"
              + value
              + "' is not a name (lower-case letters, digits, '.', '+', '-')");
    }
    return value;
  }

  /** The series the VM tests boot unless told otherwise. */
  public Series defaultSeries() {
    return series.stream().filter(Series::isDefault).findFirst().orElseThrow();
  }

  /** The series of {@code v}, if it is tested. */
  public Optional<Series> of(KernelVersion v) {
    return series.stream().filter(s -> s.has(v)).findFirst();
  }

  public Series oldest() {
    return series.getFirst();
  }

  public Series newest() {
    return series.getLast();
  }

  /** {@code 5.10 (bullseye), 6.1 (bookworm), ...}. */
  public String describe() {
    return String.join(", ", series.stream().map(s -> s.name() + " (" + s.suite() + ")").toList());
  }
}
