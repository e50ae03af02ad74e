package dev.ftguard.vm;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The kernels prepared by {@code scripts/setup} under {@code <repo>/.cache/kernels/<abi>/}, each
 * described by its {@code kernel.properties}.
 */
public final class KernelCatalog {
  /** System property naming the repository root; else the harness walks up to {@code mvnw}. */
  public static final String ROOT_PROPERTY = "ftguard.root";

  /** System property choosing the kernel (ABI or series) instead of the pinned default. */
  public static final String KERNEL_PROPERTY = "ftguard.kernel";

  static final String STAMP = "kernel.properties";

  private final Path repoRoot;

  private KernelCatalog(Path repoRoot) {
    this.repoRoot = repoRoot;
  }

  /** The catalog of the ftguard repository this code runs from. */
  public static KernelCatalog ofRepo() {
    return new KernelCatalog(repoRoot());
  }

  public static KernelCatalog of(Path repoRoot) {
    return new KernelCatalog(repoRoot.toAbsolutePath().normalize());
  }

  /**
   * {@code -Dftguard.root}, else the nearest directory upwards from the working directory with
   * {@code mvnw}.
   */
  public static Path repoRoot() {
    String property = System.getProperty(ROOT_PROPERTY);
    if (property != null && !property.isBlank()) {
      Path root = Path.of(property).toAbsolutePath().normalize();
      if (!Files.isDirectory(root)) {
        throw new VmException("-D" + ROOT_PROPERTY + "=" + property + " is not a directory");
      }
      return root;
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw"))) {
        return dir;
      }
    }
    throw new VmException(
        "cannot find the ftguard repository root: no mvnw in "
            + start
            + " or its parents; run from the repository or pass -D"
            + ROOT_PROPERTY
            + "=<repo>");
  }

  public Path repositoryRoot() {
    return repoRoot;
  }

  public Path kernelsDir() {
    return repoRoot.resolve(".cache/kernels");
  }

  /** Every prepared kernel, sorted by ABI name. */
  public List<DebianKernel> all() {
    Path dir = kernelsDir();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children
          .filter(d -> Files.isRegularFile(d.resolve(STAMP)))
          .map(KernelCatalog::load)
          .sorted(Comparator.comparing(DebianKernel::abi))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * The kernel with this ABI name (e.g. {@code 6.1.0-56-amd64}) or series (e.g. {@code 6.12}); of
   * several of one series, the newest.
   */
  public DebianKernel require(String abiOrSeries) {
    List<DebianKernel> all = all();
    return all.stream()
        .filter(k -> k.abi().equals(abiOrSeries))
        .findFirst()
        .or(
            () ->
                all.stream()
                    .filter(k -> k.series().equals(abiOrSeries))
                    .max(Comparator.comparing(DebianKernel::abi, KernelCatalog::compareVersions)))
        .orElseThrow(
            () ->
                notPrepared(
                    "kernel "
                        + abiOrSeries
                        + " is not prepared in "
                        + kernelsDir()
                        + " (prepared: "
                        + all.stream().map(DebianKernel::abi).toList()
                        + ")"));
  }

  /**
   * {@code -Dftguard.kernel=<abi or series>} if given, else the pinned kernel (the series marked
   * {@code default} in {@code kmod/kernels.conf}): preparing another kernel never moves the tests
   * to it. With no pinned kernel prepared, the only prepared one; with several, an error.
   */
  public DebianKernel defaultKernel() {
    String wanted = System.getProperty(KERNEL_PROPERTY);
    if (wanted != null && !wanted.isBlank()) {
      return require(wanted.strip());
    }
    List<DebianKernel> all = all();
    if (all.isEmpty()) {
      throw notPrepared("no prepared kernel in " + kernelsDir());
    }
    List<DebianKernel> pinned = all.stream().filter(DebianKernel::pinned).toList();
    if (!pinned.isEmpty()) {
      return pinned.stream()
          .max(Comparator.comparing(DebianKernel::abi, KernelCatalog::compareVersions))
          .orElseThrow();
    }
    if (all.size() == 1) {
      return all.getFirst();
    }
    throw notPrepared(
        "none of the prepared kernels "
            + all.stream().map(DebianKernel::abi).toList()
            + " is the default one (kmod/kernels.conf); prepare it (scripts/setup --kernels SERIES)"
            + " or choose one with -D"
            + KERNEL_PROPERTY
            + "=<abi or series>");
  }

  private static KernelNotPreparedException notPrepared(String what) {
    return new KernelNotPreparedException(
        what
            + ". Run scripts/setup (as root, or with passwordless sudo) "
            + "to download Debian's kernel image, unpack it there and extract vmlinux.");
  }

  static DebianKernel load(Path dir) {
    Path stamp = dir.resolve(STAMP);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(stamp)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + stamp, e);
    }
    String abi = required(p, "abi", stamp);
    String buildRoot = p.getProperty("buildroot", "").trim();
    Path kdir = Path.of(p.getProperty("headers", "/usr/src/linux-headers-" + abi).trim());
    if (!kdir.isAbsolute()) {
      throw notPrepared(
          stamp + ": headers must be an absolute path (inside the build root, if any): " + kdir);
    }
    DebianKernel kernel =
        new DebianKernel(
            abi,
            p.getProperty("version", "?"),
            p.getProperty("series", seriesOf(abi)).trim(),
            p.getProperty("suite", "?").trim(),
            p.getProperty("compiler", "?").trim(),
            "true".equals(p.getProperty("default", "false").trim()),
            dir,
            dir.resolve(required(p, "vmlinux", stamp)),
            dir.resolve(required(p, "vmlinuz", stamp)),
            dir.resolve("root"),
            dir.resolve(required(p, "modules", stamp)),
            dir.resolve(p.getProperty("config", "root/boot/config-" + abi)),
            "yes".equals(p.getProperty("pvh", "no")),
            buildRoot.isEmpty()
                ? Optional.empty()
                : Optional.of(dir.resolve(buildRoot).normalize()),
            kdir);
    for (Path needed : List.of(kernel.bootImage(), kernel.modules().resolve("modules.dep"))) {
      if (!Files.isRegularFile(needed)) {
        throw notPrepared(needed + " is missing (incomplete kernel in " + dir + ")");
      }
    }
    return kernel;
  }

  /** {@code 6.12} of {@code 6.12.118+deb13-amd64}. */
  static String seriesOf(String abi) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+\\.\\d+)").matcher(abi);
    return m.find() ? m.group(1) : abi;
  }

  private static String required(Properties p, String key, Path stamp) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw notPrepared(stamp + " has no '" + key + "'");
    }
    return v.trim();
  }

  /** Orders {@code 6.1.0-9-amd64} before {@code 6.1.0-56-amd64}: numbers compare as numbers. */
  static int compareVersions(String a, String b) {
    String[] x = a.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
    String[] y = b.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      boolean digits = Character.isDigit(x[i].charAt(0)) && Character.isDigit(y[i].charAt(0));
      int c =
          digits
              ? new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]))
              : x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
