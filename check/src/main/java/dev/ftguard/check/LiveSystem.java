package dev.ftguard.check;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel, read from its files under {@code root} ({@code /} for this machine; a
 * directory holding another system's {@code proc/}, {@code sys/}, {@code boot/} and {@code
 * lib/modules/} works too). Under a root other than {@code /}, symbolic links are followed inside
 * the root, as they would be on the system it holds ({@link #locate}).
 */
public final class LiveSystem implements FactsSource {
  /** The EFI global variable GUID; the variable holds 4 attribute bytes, then the value. */
  public static final String SECURE_BOOT_VAR = "SecureBoot-8be4df61-93ca-11d2-aa0d-e0e4d81b9ea8";

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

  /** Symbolic links followed resolving one path under a root at most (the kernel's MAXSYMLINKS). */
  static final int MAX_LINKS = 40;

  private final Path root;
  private final boolean rooted;
  private final String jvmArch;
  private final Opener opener;

  /** This machine when {@code root} is {@code /}. */
  public LiveSystem(Path root) {
    this(
        root,
        root.getParent() == null ? System.getProperty("os.arch", "") : "",
        Files::newInputStream);
  }

  /**
   * @param jvmArch the JVM's {@code os.arch}, used for the machine when {@code
   *     /proc/sys/kernel/arch} does not exist (kernels before 6.1); empty: unknown
   */
  LiveSystem(Path root, String jvmArch, Opener opener) {
    this.root = root;
    this.rooted = root.toAbsolutePath().normalize().getParent() != null;
    this.jvmArch = jvmArch;
    this.opener = opener;
  }

  /**
   * {@code abs} (an absolute path such as {@code /proc/kallsyms}) under the root, as written: its
   * symbolic links are not resolved ({@link #locate} does that).
   */
  public Path path(String abs) {
    return root.resolve(abs.substring(1));
  }

  /**
   * Where {@code abs} of the system checked is on this machine. Under {@code /} that is {@code abs}
   * itself (the kernel follows its links). Under another root every symbolic link on the way is
   * followed inside the root, as on the system it holds: an absolute target from the root (Debian's
   * {@code /lib/modules/R/build} points to {@code /usr/src/linux-headers-R}), a relative one from
   * the link's directory, and {@code ..} never above the root. More than {@link #MAX_LINKS} links
   * is {@link Reading.Missing} (a loop); a part that does not exist is kept as written, for the
   * reader to report.
   */
  public Reading<Path> locate(String abs) {
    return inRoot(path(abs));
  }

  /** {@code p}, a path under the root as written, with its links followed inside the root. */
  private Reading<Path> inRoot(Path p) {
    if (!rooted || !p.startsWith(root)) {
      return Reading.found(p, p.toString());
    }
    Deque<String> todo = new ArrayDeque<>();
    root.relativize(p).forEach(n -> todo.addLast(n.toString()));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String name = todo.removeFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      Path at = under(done).resolve(name);
      if (!Files.isSymbolicLink(at)) {
        done.add(name);
        continue;
      }
      String target;
      try {
        target = Files.readSymbolicLink(at).toString();
      } catch (IOException | UnsupportedOperationException e) {
        done.add(name); // the reader reports what is wrong with it
        continue;
      }
      if (++links > MAX_LINKS) {
        return new Reading.Missing<>(
            p
                + " does not resolve: more than "
                + MAX_LINKS
                + " symbolic links followed inside "
                + root
                + " (a loop: "
                + at
                + " points to "
                + target
                + ")");
      }
      if (target.startsWith("/")) {
        done.clear();
      }
      List<String> parts = Arrays.asList(target.split("/"));
      for (int i = parts.size() - 1; i >= 0; i--) {
        todo.addFirst(parts.get(i));
      }
    }
    return Reading.found(under(done), p.toString());
  }

  private Path under(List<String> names) {
    return names.isEmpty() ? root : root.resolve(String.join("/", names));
  }

  /** {@code abs} under the root, its links followed inside it, read by {@code reader}. */
  private <T> Reading<T> at(String abs, Function<Path, Reading<T>> reader) {
    return switch (locate(abs)) {
      case Reading.Found<Path> p -> reader.apply(p.value());
      case Reading.Missing<Path> m -> new Reading.Missing<>(m.what());
      case Reading.Denied<Path> d -> new Reading.Denied<>(d.what());
      case Reading.Broken<Path> b -> new Reading.Broken<>(b.what(), b.reason());
      case Reading.Skipped<Path> x -> new Reading.Skipped<>(x.why());
    };
  }

  private <T> Reading<T> readAt(String abs, Parser<T> parser) {
    return at(abs, p -> read(p, parser));
  }

  @Override
  public Reading<String> release() {
    return readAt("/proc/sys/kernel/osrelease", r -> nonEmpty(r.readLine()));
  }

  @Override
  public Reading<String> machine() {
    Reading<String> arch = readAt("/proc/sys/kernel/arch", r -> nonEmpty(r.readLine()));
    if (arch instanceof Reading.Missing<String> && !jvmArch.isEmpty()) {
      return Reading.found(fromJvmArch(jvmArch), "the JVM's os.arch (" + jvmArch + ")");
    }
    return arch;
  }

  static String fromJvmArch(String a) {
    return switch (a.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "x86_64";
      case "x86", "i386", "i486", "i586", "i686" -> "i686";
      default -> a;
    };
  }

  @Override
  public Reading<KernelConfig> config() {
    return release() instanceof Reading.Found<String> r
        ? config(r.value())
        : at("/proc/config.gz", this::readConfig);
  }

  /**
   * The configuration of kernel {@code release}: {@code /proc/config.gz} when it is the running
   * kernel, then {@code /boot/config-RELEASE}.
   */
  public Reading<KernelConfig> config(String release) {
    List<String> tried = new ArrayList<>();
    Reading<KernelConfig> denied = null;
    if (release().known().map(release::equals).orElse(false)) {
      tried.add("/proc/config.gz");
    }
    tried.add("/boot/config-" + release);
    List<String> absent = new ArrayList<>();
    List<String> loops = new ArrayList<>();
    for (String abs : tried) {
      if (locate(abs) instanceof Reading.Missing<Path> m) {
        loops.add(m.what());
        continue;
      }
      Reading<KernelConfig> c = at(abs, this::readConfig);
      switch (c) {
        case Reading.Missing<KernelConfig> m -> absent.add(path(abs).toString());
        case Reading.Denied<KernelConfig> d -> denied = denied == null ? d : denied;
        case Reading.Found<KernelConfig> x -> {
          return c;
        }
        case Reading.Broken<KernelConfig> x -> {
          return c;
        }
        case Reading.Skipped<KernelConfig> x -> {
          return c;
        }
      }
    }
    if (denied != null) {
      return denied;
    }
    List<String> why = new ArrayList<>();
    if (!absent.isEmpty()) {
      why.add(String.join(" and ", absent) + (absent.size() > 1 ? " do" : " does") + " not exist");
    }
    why.addAll(loops);
    return new Reading.Missing<>(String.join("; ", why));
  }

  /** A configuration file, plain or gzip-compressed. */
  public Reading<KernelConfig> readConfig(Path p) {
    return read(
        p,
        r -> {
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
        });
  }

  @Override
  public Reading<Set<String>> symbols(Set<String> wanted) {
    return at("/proc/kallsyms", p -> readSymbols(p, wanted));
  }

  /** {@code /boot/System.map-RELEASE}: the symbols of a kernel that is not running. */
  public Reading<Set<String>> systemMap(String release, Set<String> wanted) {
    return at("/boot/System.map-" + release, p -> readSymbols(p, wanted));
  }

  /** A kallsyms or System.map file: {@code ADDRESS TYPE NAME [MODULE]} per line. */
  public Reading<Set<String>> readSymbols(Path p, Set<String> wanted) {
    return read(
        p,
        r -> {
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
        });
  }

  /** Where tracefs may be mounted, under the root as written. */
  public List<Path> tracefsDirs() {
    return List.of(path("/sys/kernel/tracing"), path("/sys/kernel/debug/tracing"));
  }

  @Override
  public Reading<Set<String>> traceable(Set<String> wanted) {
    return tracefs(
        tracefsDirs(), "available_filter_functions", traceableParser(wanted), this::inRoot);
  }

  @Override
  public Reading<Map<String, EnabledFunction>> enabled(Set<String> wanted) {
    return tracefs(tracefsDirs(), "enabled_functions", enabledParser(wanted), this::inRoot);
  }

  /** {@code available_filter_functions} in the first of {@code dirs} (given) that has it. */
  public Reading<Set<String>> readTraceable(List<Path> dirs, Set<String> wanted) {
    return tracefs(dirs, "available_filter_functions", traceableParser(wanted), LiveSystem::given);
  }

  private static Parser<Set<String>> traceableParser(Set<String> wanted) {
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

  /** {@code enabled_functions} in the first of {@code dirs} (given) that has it. */
  public Reading<Map<String, EnabledFunction>> readEnabled(List<Path> dirs, Set<String> wanted) {
    return tracefs(dirs, "enabled_functions", enabledParser(wanted), LiveSystem::given);
  }

  private static Parser<Map<String, EnabledFunction>> enabledParser(Set<String> wanted) {
    return r -> Map.copyOf(EnabledFunction.parseAll(r.lines().toList(), wanted));
  }

  /** A directory given on the command line: read as it is, on this machine. */
  private static Reading<Path> given(Path p) {
    return Reading.found(p, p.toString());
  }

  /**
   * {@code file} in the first of {@code dirs} that has it; {@code locate} says where a path is on
   * this machine.
   */
  private <T> Reading<T> tracefs(
      List<Path> dirs, String file, Parser<T> parser, Function<Path, Reading<Path>> locate) {
    List<String> missing = new ArrayList<>();
    List<String> denied = new ArrayList<>();
    for (Path dir : dirs) {
      Reading<Path> where = locate.apply(dir.resolve(file));
      if (!(where instanceof Reading.Found<Path> at)) {
        missing.add(where.explain());
        continue;
      }
      Reading<T> r = read(at.value(), parser);
      switch (r) {
        case Reading.Missing<T> m ->
            missing.add(whyMissing(dir, locate.apply(dir).known().orElse(dir), file));
        case Reading.Denied<T> d -> denied.add(at.value().toString());
        case Reading.Found<T> x -> {
          return r;
        }
        case Reading.Broken<T> x -> {
          return r;
        }
        case Reading.Skipped<T> x -> {
          return r;
        }
      }
    }
    if (!denied.isEmpty()) {
      return new Reading.Denied<>(String.join(" and ", denied));
    }
    return new Reading.Missing<>(String.join("; ", missing));
  }

  /** Why {@code dir} (at {@code real} on this machine) has no {@code file}. */
  private static String whyMissing(Path dir, Path real, String file) {
    if (!Files.isDirectory(real)) {
      return dir + " does not exist";
    }
    try (Stream<Path> s = Files.list(real)) {
      if (s.findAny().isEmpty()) {
        return dir + " is empty (tracefs is not mounted there)";
      }
    } catch (IOException e) {
      // fall through
    }
    return dir + " has no " + file;
  }

  @Override
  public boolean ftguardLoaded() {
    return locate("/sys/module/ftguard").known().filter(Files::isDirectory).isPresent();
  }

  @Override
  public Reading<String> lockdown() {
    return readAt(
        "/sys/kernel/security/lockdown",
        r -> {
          String l = String.valueOf(r.readLine());
          int a = l.indexOf('[');
          int b = l.indexOf(']', a + 1);
          if (a < 0 || b < 0) {
            throw new Malformed("no [mode] in '" + l.trim() + "'");
          }
          return l.substring(a + 1, b);
        });
  }

  @Override
  public Reading<String> cmdline() {
    return readAt("/proc/cmdline", r -> String.valueOf(r.readLine()).trim());
  }

  @Override
  public Reading<Boolean> sigEnforce() {
    return readAt(
        "/sys/module/module/parameters/sig_enforce",
        r -> {
          String v = String.valueOf(r.readLine()).trim();
          return switch (v) {
            case "Y", "1" -> true;
            case "N", "0" -> false;
            default -> throw new Malformed("expected Y or N, found '" + v + "'");
          };
        });
  }

  @Override
  public Reading<Boolean> secureBoot() {
    String efi = "/sys/firmware/efi";
    return at(
        efi,
        dir ->
            Files.isDirectory(dir)
                ? at(
                    efi + "/efivars",
                    vars -> at(efi + "/efivars/" + SECURE_BOOT_VAR, var -> secureBoot(vars, var)))
                : Reading.found(
                    false, path(efi) + " does not exist: the machine booted without EFI"));
  }

  private Reading<Boolean> secureBoot(Path vars, Path var) {
    Reading<Boolean> r;
    try (InputStream in = opener.open(var)) {
      byte[] b = in.readNBytes(5);
      if (b.length < 5) {
        return new Reading.Broken<>(
            var.toString(), "shorter than 5 bytes (4 attribute bytes, then the value)");
      }
      r = Reading.found(b[4] != 0, var.toString());
    } catch (NoSuchFileException e) {
      boolean mounted;
      try (Stream<Path> s = Files.list(vars)) {
        mounted = s.findAny().isPresent();
      } catch (IOException x) {
        mounted = false;
      }
      r =
          mounted
              ? Reading.found(
                  false,
                  "no " + SECURE_BOOT_VAR + " in " + vars + ": the firmware has no Secure Boot")
              : new Reading.Missing<>(vars + " is empty or missing (efivarfs is not mounted)");
    } catch (AccessDeniedException e) {
      r = new Reading.Denied<>(var.toString());
    } catch (IOException e) {
      r = new Reading.Broken<>(var.toString(), String.valueOf(e.getMessage()));
    }
    return r;
  }

  @Override
  public Reading<Set<String>> cpuFlags() {
    return readAt(
        "/proc/cpuinfo",
        r -> {
          for (String l; (l = r.readLine()) != null; ) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).trim().equals("flags")) {
              return Set.copyOf(Arrays.asList(l.substring(colon + 1).trim().split("\\s+")));
            }
          }
          throw new Malformed("no 'flags' line");
        });
  }

  @Override
  public Reading<Path> headers() {
    return release() instanceof Reading.Found<String> r
        ? headers(r.value())
        : new Reading.Skipped<>("the kernel release is not known");
  }

  /** {@code /lib/modules/RELEASE/build}, if it has a Makefile. */
  public Reading<Path> headers(String release) {
    String dir = "/lib/modules/" + release;
    String build = dir + "/build";
    return at(
        dir,
        modules ->
            at(
                build,
                b -> at(build + "/Makefile", makefile -> headers(build, modules, b, makefile))));
  }

  /**
   * The build directory {@code build} (on this machine: {@code real}, with its Makefile at {@code
   * makefile}; {@code modules} holds the link).
   */
  private Reading<Path> headers(String build, Path modules, Path real, Path makefile) {
    if (Files.isRegularFile(makefile)) {
      return Reading.found(real, makefile.toString());
    }
    Path link = modules.resolve("build");
    if (Files.isSymbolicLink(link) && !Files.exists(real)) {
      String target;
      try {
        target = Files.readSymbolicLink(link).toString();
      } catch (IOException e) {
        target = "?";
      }
      return new Reading.Missing<>(
          path(build)
              + " points to "
              + target
              + ", which does not exist"
              + (rooted ? " in " + root : ""));
    }
    Path written = path(build + "/Makefile");
    return new Reading.Missing<>(
        written + (written.equals(makefile) ? "" : " (" + makefile + ")") + " does not exist");
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

  private static String nonEmpty(String s) throws Malformed {
    if (s == null || s.isBlank()) {
      throw new Malformed("it is empty");
    }
    return s.trim();
  }
}
