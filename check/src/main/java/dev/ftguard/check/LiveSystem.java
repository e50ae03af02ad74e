package dev.ftguard.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The running kernel, read from its files under {@code root} ({@code /} for this machine; a
 * directory holding another system's {@code proc/}, {@code sys/}, {@code boot/} and {@code
 * lib/modules/} works too). Under a root other than {@code /}, symbolic links are followed inside
 * the root, as they would be on the system it holds ({@link #locate}).
 */
public final class LiveSystem implements ReadingSource {
  /** The EFI global variable GUID; the variable holds 4 attribute bytes, then the value. */
  public static final String SECURE_BOOT_VAR = "SecureBoot-8be4df61-93ca-11d2-aa0d-e0e4d81b9ea8";

  private final SystemRoot root;
  private final String jvmArch;
  private final FileReadings files;

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
  LiveSystem(Path root, String jvmArch, FileReadings.Opener opener) {
    this.root = new SystemRoot(root);
    this.jvmArch = jvmArch;
    this.files = new FileReadings(opener);
  }

  /**
   * {@code abs} (an absolute path such as {@code /proc/kallsyms}) under the root, as written: its
   * symbolic links are not resolved ({@link #locate} does that).
   */
  public Path path(String abs) {
    return root.path(abs);
  }

  /** Where {@code abs} of the system checked is on this machine ({@link SystemRoot#locate}). */
  public Reading<Path> locate(String abs) {
    return root.locate(abs);
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

  private <T> Reading<T> readAt(String abs, FileReadings.Parser<T> parser) {
    return at(abs, p -> files.read(p, parser));
  }

  @Override
  public Reading<String> release() {
    return readAt("/proc/sys/kernel/osrelease", r -> FileReadings.nonEmpty(r.readLine()));
  }

  @Override
  public Reading<String> machine() {
    Reading<String> arch =
        readAt("/proc/sys/kernel/arch", r -> FileReadings.nonEmpty(r.readLine()));
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
    return files.read(p, FileReadings.config());
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
    return files.read(p, FileReadings.symbols(wanted));
  }

  /** Where tracefs may be mounted, under the root as written. */
  public List<Path> tracefsDirs() {
    return List.of(path("/sys/kernel/tracing"), path("/sys/kernel/debug/tracing"));
  }

  @Override
  public Reading<Set<String>> traceable(Set<String> wanted) {
    return tracefs(
        tracefsDirs(), "available_filter_functions", FileReadings.traceable(wanted), root::inRoot);
  }

  @Override
  public Reading<Map<String, EnabledFunction>> enabled(Set<String> wanted) {
    return tracefs(tracefsDirs(), "enabled_functions", FileReadings.enabled(wanted), root::inRoot);
  }

  /** {@code available_filter_functions} in the first of {@code dirs} (given) that has it. */
  public Reading<Set<String>> readTraceable(List<Path> dirs, Set<String> wanted) {
    return tracefs(
        dirs, "available_filter_functions", FileReadings.traceable(wanted), LiveSystem::given);
  }

  /** {@code enabled_functions} in the first of {@code dirs} (given) that has it. */
  public Reading<Map<String, EnabledFunction>> readEnabled(List<Path> dirs, Set<String> wanted) {
    return tracefs(dirs, "enabled_functions", FileReadings.enabled(wanted), LiveSystem::given);
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
      List<Path> dirs,
      String file,
      FileReadings.Parser<T> parser,
      Function<Path, Reading<Path>> locate) {
    List<String> missing = new ArrayList<>();
    List<String> denied = new ArrayList<>();
    for (Path dir : dirs) {
      Reading<Path> where = locate.apply(dir.resolve(file));
      if (!(where instanceof Reading.Found<Path> at)) {
        missing.add(where.explain());
        continue;
      }
      Reading<T> r = files.read(at.value(), parser);
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
  public Reading<Boolean> ftraceEnabled() {
    return readBoolean("/proc/sys/kernel/ftrace_enabled");
  }

  /** A file holding one boolean, as sysctls (1/0) and module parameters (Y/N) write it. */
  private Reading<Boolean> readBoolean(String file) {
    return readAt(
        file,
        r -> {
          String v = String.valueOf(r.readLine()).trim();
          return switch (v) {
            case "Y", "1" -> true;
            case "N", "0" -> false;
            default ->
                throw new FileReadings.Malformed("expected 1 or 0 (Y or N), found '" + v + "'");
          };
        });
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
            throw new FileReadings.Malformed("no [mode] in '" + l.trim() + "'");
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
    return readBoolean("/sys/module/module/parameters/sig_enforce");
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
    try (InputStream in = files.open(var)) {
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
          throw new FileReadings.Malformed("no 'flags' line");
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
              + (root.rooted() ? " in " + root.root() : ""));
    }
    Path written = path(build + "/Makefile");
    return new Reading.Missing<>(
        written + (written.equals(makefile) ? "" : " (" + makefile + ")") + " does not exist");
  }
}
