package dev.ftguard.check;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * One file read into a {@link Reading}: gunzipped when compressed, parsed, and every way it can
 * fail said as missing, denied or broken. The parsers of the kernel's files are here too.
 */
final class FileReadings {
  /** Opens a file for reading; tests replace it to simulate files only root may read. */
  interface Opener {
    InputStream open(Path p) throws IOException;
  }

  /** Content that does not parse. */
  static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  /** Parses what was read. */
  interface Parser<T> {
    T parse(BufferedReader r) throws IOException;
  }

  /** Why an EPERM is not a matter of file permissions. */
  static final String REFUSED =
      "the kernel refused to open it (EPERM, not the file's permissions: lockdown, a security"
          + " module or a sandbox forbids it, even to root)";

  private final Opener opener;

  FileReadings(Opener opener) {
    this.opener = opener;
  }

  /** Opens {@code p} as it is (no gunzip). */
  InputStream open(Path p) throws IOException {
    return opener.open(p);
  }

  /** Reads {@code p} (gunzipping it if it is gzip-compressed) and parses it. */
  <T> Reading<T> read(Path p, Parser<T> parser) {
    try (InputStream raw = opener.open(p);
        BufferedReader r =
            new BufferedReader(new InputStreamReader(gunzip(raw), StandardCharsets.UTF_8))) {
      return Reading.found(parser.parse(r), p.toString());
    } catch (NoSuchFileException e) {
      return new Reading.Missing<>(p + " does not exist");
    } catch (AccessDeniedException e) {
      return new Reading.Denied<>(p.toString());
    } catch (Malformed e) {
      return new Reading.Broken<>(p.toString(), e.getMessage());
    } catch (FileSystemException e) {
      if ("Operation not permitted".equals(e.getReason())) {
        return new Reading.Broken<>(p.toString(), REFUSED);
      }
      return new Reading.Broken<>(p.toString(), String.valueOf(e.getReason()));
    } catch (IOException e) {
      return new Reading.Broken<>(p.toString(), String.valueOf(e.getMessage()));
    } catch (java.io.UncheckedIOException e) {
      return new Reading.Broken<>(p.toString(), String.valueOf(e.getCause().getMessage()));
    }
  }

  private static InputStream gunzip(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw);
    in.mark(2);
    int a = in.read();
    int b = in.read();
    in.reset();
    return a == 0x1f && b == 0x8b ? new GZIPInputStream(in) : in;
  }

  static String nonEmpty(String s) throws Malformed {
    if (s == null || s.isBlank()) {
      throw new Malformed("it is empty");
    }
    return s.trim();
  }

  /** A configuration file, plain or gzip-compressed. */
  static Parser<KernelConfig> config() {
    return r -> {
      StringBuilder sb = new StringBuilder();
      char[] buf = new char[8192];
      for (int n; (n = r.read(buf)) > 0; ) {
        sb.append(buf, 0, n);
      }
      KernelConfig c = KernelConfig.parse(sb.toString());
      if (!c.looksLikeConfig()) {
        throw new Malformed("no CONFIG_ lines: not a kernel configuration");
      }
      return c;
    };
  }

  /** A kallsyms or System.map file: {@code ADDRESS TYPE NAME [MODULE]} per line. */
  static Parser<Set<String>> symbols(Set<String> wanted) {
    return r -> {
      Set<String> found = new HashSet<>();
      long lines = 0;
      boolean placeholder = false;
      for (String l; (l = r.readLine()) != null; ) {
        String[] t = l.trim().split("\\s+");
        boolean symbol =
            (t.length == 3 || (t.length == 4 && t[3].startsWith("[")))
                && t[0].matches("[0-9a-fA-F]+")
                && t[1].length() == 1;
        if (!symbol) {
          placeholder |= l.contains("System.map is in");
          continue;
        }
        lines++;
        if (wanted.contains(t[2])) {
          found.add(t[2]);
        }
      }
      if (lines == 0) {
        throw new Malformed(
            placeholder
                ? "a placeholder without symbols (Debian ships the real System.map in the"
                    + " linux-image-RELEASE-dbg package)"
                : "no symbol lines (ADDRESS TYPE NAME)");
      }
      return Set.copyOf(found);
    };
  }

  static Parser<Set<String>> traceable(Set<String> wanted) {
    return r -> {
      Set<String> found = new HashSet<>();
      long lines = 0;
      for (String l; (l = r.readLine()) != null; ) {
        String name = l.trim().split("\\s+")[0];
        if (name.isEmpty()) {
          continue;
        }
        lines++;
        if (wanted.contains(name)) {
          found.add(name);
        }
      }
      if (lines == 0) {
        throw new Malformed(
            "it is empty (ftrace may have shut itself down after an error: see dmesg)");
      }
      return Set.copyOf(found);
    };
  }

  static Parser<Map<String, EnabledFunction>> enabled(Set<String> wanted) {
    return r -> Map.copyOf(EnabledFunction.parseAll(r.lines().toList(), wanted));
  }
}
