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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel, read from its files under {@code root} ({@code /} for this machine; a
 * directory holding another system's {@code proc/}, {@code sys/}, {@code boot/} and {@code
 * lib/modules/} works too).
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

  private final Path root;
  private final String jvmArch;
  private final Opener opener;

  /** This machine when {@code root} is {@code /}. */
  public LiveSystem(Path root) {
    this(root, root.getParent() == null ? System.getProperty("os.arch", "") : "", Files::newInputStream);
  }

  /**
   * @param jvmArch the JVM's {@code os.arch}, used for the machine when {@code
   *     /proc/sys/kernel/arch} does not exist (kernels before 6.1); empty: unknown
   */
  LiveSystem(Path root, String jvmArch, Opener opener) {
    this.root = root;
    this.jvmArch = jvmArch;
    this.opener = opener;
  }

  /** {@code abs} (an absolute path such as {@code /proc/kallsyms}) under the root. */
  public Path path(String abs) {
    return root.resolve(abs.substring(1));
  }

  @Override
  public Reading<String> release() {
    return read(path("/proc/sys/kernel/osrelease"), r -> nonEmpty(r.readLine()));
  }

  @Override
  public Reading<String> machine() {
    Reading<String> arch = read(path("/proc/sys/kernel/arch"), r -> nonEmpty(r.readLine()));
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
        : readConfig(path("/proc/config.gz"));
  }

  /**
   * The configuration of kernel {@code release}: {@code /proc/config.gz} when it is the running
   * kernel, then {@code /boot/config-RELEASE}.
   */
  public Reading<KernelConfig> config(String release) {
    List<Path> tried = new ArrayList<>();
    Reading<KernelConfig> denied = null;
    if (release().known().map(release::equals).orElse(false)) {
      tried.add(path("/proc/config.gz"));
    }
    tried.add(path("/boot/config-" + release));
    for (Path p : tried) {
      Reading<KernelConfig> c = readConfig(p);
      switch (c) {
        case Reading.Missing<KernelConfig> m -> {}
        case Reading.Denied<KernelConfig> d -> denied = denied == null ? d : denied;
        default -> {
          return c;
        }
      }
    }
    if (denied != null) {
      return denied;
    }
    return new Reading.Missing<>(
        tried.stream().map(Path::toString).reduce((a, b) -> a + " and " + b).orElseThrow()
            + (tried.size() > 1 ? " do" : " does")
            + " not exist");
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
    return readSymbols(path("/proc/kallsyms"), wanted);
  }

  /** {@code /boot/System.map-RELEASE}: the symbols of a kernel that is not running. */
  public Reading<Set<String>> systemMap(String release, Set<String> wanted) {
    return readSymbols(path("/boot/System.map-" + release), wanted);
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

  /** Where tracefs may be mounted. */
  public List<Path> tracefsDirs() {
    return List.of(path("/sys/kernel/tracing"), path("/sys/kernel/debug/tracing"));
  }

  @Override
  public Reading<Set<String>> traceable(Set<String> wanted) {
    return readTraceable(tracefsDirs(), wanted);
  }

  @Override
  public Reading<Map<String, EnabledFunction>> enabled(Set<String> wanted) {
    return readEnabled(tracefsDirs(), wanted);
  }

  /** {@code available_filter_functions} in the first of {@code dirs} that has it. */
  public Reading<Set<String>> readTraceable(List<Path> dirs, Set<String> wanted) {
    return tracefs(
        dirs,
        "available_filter_functions",
        r -> {
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
            throw new Malformed("it is empty (ftrace may have shut itself down after an error: see dmesg)");
          }
          return Set.copyOf(found);
        });
  }

  /** {@code enabled_functions} in the first of {@code dirs} that has it. */
  public Reading<Map<String, EnabledFunction>> readEnabled(List<Path> dirs, Set<String> wanted) {
    return tracefs(
        dirs,
        "enabled_functions",
        r -> Map.copyOf(EnabledFunction.parseAll(r.lines().toList(), wanted)));
  }

  private <T> Reading<T> tracefs(List<Path> dirs, String file, Parser<T> parser) {
    List<String> missing = new ArrayList<>();
    List<String> denied = new ArrayList<>();
    for (Path dir : dirs) {
      Reading<T> r = read(dir.resolve(file), parser);
      switch (r) {
        case Reading.Missing<T> m -> missing.add(whyMissing(dir, file));
        case Reading.Denied<T> d -> denied.add(dir.resolve(file).toString());
        default -> {
          return r;
        }
      }
    }
    if (!denied.isEmpty()) {
      return new Reading.Denied<>(String.join(" and ", denied));
    }
    return new Reading.Missing<>(String.join("; ", missing));
  }

  private static String whyMissing(Path dir, String file) {
    if (!Files.isDirectory(dir)) {
      return dir + " does not exist";
    }
    try (Stream<Path> s = Files.list(dir)) {
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
    return Files.isDirectory(path("/sys/module/ftguard"));
  }

  @Override
  public Reading<String> lockdown() {
    return read(
        path("/sys/kernel/security/lockdown"),
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
    return read(path("/proc/cmdline"), r -> String.valueOf(r.readLine()).trim());
  }

  @Override
  public Reading<Boolean> sigEnforce() {
    return read(
        path("/sys/module/module/parameters/sig_enforce"),
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
    Path efi = path("/sys/firmware/efi");
    if (!Files.isDirectory(efi)) {
      return Reading.found(false, efi + " does not exist: the machine booted without EFI");
    }
    Path vars = efi.resolve("efivars");
    Path var = vars.resolve(SECURE_BOOT_VAR);
    Reading<Boolean> r;
    try (InputStream in = opener.open(var)) {
      byte[] b = in.readNBytes(5);
      if (b.length < 5) {
        return new Reading.Broken<>(var.toString(), "shorter than 5 bytes (4 attribute bytes, then the value)");
      }
      r = Reading.found(b[4] != 0, var.toString());
    } catch (NoSuchFileException e) {
      boolean mounted;
      try (Stream<Path> s = Files.list(vars)) {
        mounted = s.findAny().isPresent();
      } catch (IOException x) {
        mounted = false;
      }
      r = mounted
          ? Reading.found(false, "no " + SECURE_BOOT_VAR + " in " + vars + ": the firmware has no Secure Boot")
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
    return read(
        path("/proc/cpuinfo"),
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
    Path build = path("/lib/modules/" + release + "/build");
    Path makefile = build.resolve("Makefile");
    if (Files.isRegularFile(makefile)) {
      return Reading.found(build, makefile.toString());
    }
    if (Files.isSymbolicLink(build) && !Files.exists(build)) {
      String target;
      try {
        target = Files.readSymbolicLink(build).toString();
      } catch (IOException e) {
        target = "?";
      }
      return new Reading.Missing<>(build + " points to " + target + ", which does not exist");
    }
    return new Reading.Missing<>(makefile + " does not exist");
  }

  /** Reads {@code p} (gunzipping it if it is gzip-compressed) and parses it. */
  <T> Reading<T> read(Path p, Parser<T> parser) {
    try (InputStream raw = opener.open(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(gunzip(raw), StandardCharsets.UTF_8))) {
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
