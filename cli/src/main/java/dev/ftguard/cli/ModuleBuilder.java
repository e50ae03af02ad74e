package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.check.LiveSystem;
import dev.ftguard.verify.Report;
import dev.ftguard.verify.Verifier;
import dev.ftguard.verify.VerifyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds {@code ftguard.ko} from the module sources against a kernel build directory (KDIR) and
 * caches the result.
 *
 * <p>The sources are copied to a fresh build directory and built with {@code make -C KDIR
 * M=BUILDDIR modules}; make's output goes to the progress sink and to a log. The module is cached
 * under {@code CACHE/<release>/<hash>/ftguard.ko}, where the hash covers every source file (path
 * and content), KDIR and the extra make arguments, so changed sources or another KDIR rebuild and
 * an unchanged tree reuses the cached module. Older builds of the same release are removed after a
 * successful build. Builds for one release take turns, across processes ({@link BuildLock}): the
 * second finds the first's module cached.
 *
 * <p>Every module it returns is verified ({@link Verifier}): no hook wrapper reaches its original
 * through a tail call. A module that fails is not cached; the build fails with the findings ({@link
 * ModuleBuildException.Kind#TAIL_CALL}), which also end the build log.
 *
 * <p>Example (what the VM harness does with its own kernel tree):
 *
 * <pre>{@code
 * Path ko = new ModuleBuilder(repo.resolve("kmod"), cache)
 *     .withProgress(System.err::println)
 *     .build(kernelTree, "6.12.0");
 * }</pre>
 */
public final class ModuleBuilder {
  /** Lines of the log shown when make fails. */
  public static final int LOG_TAIL_LINES = 25;

  private final Path sourceDir;
  private final Path cacheDir;
  private Consumer<String> progress = line -> {};
  private List<String> makeArgs = List.of();
  private String make = "make";
  private long timeoutMinutes = 30;
  private ModuleVerifier verifier = Verifier::verify;
  private Path buildRoot;

  /** Proves a built module safe to load; {@link Verifier#verify(Path)} by default. */
  @FunctionalInterface
  public interface ModuleVerifier {
    Report verify(Path ko) throws VerifyException;
  }

  /**
   * @param sourceDir the module sources ({@code kmod/}: Makefile or Kbuild, .c, include/)
   * @param cacheDir the cache root, e.g. {@link #defaultCacheDir(Map)}
   */
  public ModuleBuilder(Path sourceDir, Path cacheDir) {
    this.sourceDir = sourceDir.toAbsolutePath().normalize();
    this.cacheDir = cacheDir.toAbsolutePath().normalize();
  }

  /** Receives progress lines (what is being built, make's output). */
  public ModuleBuilder withProgress(Consumer<String> progress) {
    this.progress = Objects.requireNonNull(progress);
    return this;
  }

  /** Extra make arguments, e.g. {@code ARCH=x86_64}, {@code CC=clang}, {@code LLVM=1}. */
  public ModuleBuilder withMakeArgs(List<String> args) {
    this.makeArgs = List.copyOf(args);
    return this;
  }

  /** The make program (default {@code make}). */
  public ModuleBuilder withMake(String make) {
    this.make = Objects.requireNonNull(make);
    return this;
  }

  /**
   * Builds inside this root file system (a chroot holding the kernel's headers and the compiler
   * they were built with, e.g. a debootstrap of the kernel's Debian suite): make runs there with
   * its own {@code /proc} ({@code unshare --mount --pid --fork --mount-proc chroot}), KDIR is a
   * path inside it, and the sources are copied to its {@code /tmp}. Needs root.
   */
  public ModuleBuilder withBuildRoot(Path root) {
    this.buildRoot = root.toAbsolutePath().normalize();
    return this;
  }

  /**
   * The command prefix that runs a program inside a build root: chrooted, in its own mount and pid
   * namespaces with its own {@code /proc} (objtool reads it), which vanish with the program.
   */
  public static List<String> inBuildRoot(Path root) {
    return List.of(
        "unshare",
        "--mount",
        "--pid",
        "--fork",
        "--mount-proc=" + root.resolve("proc"),
        "chroot",
        root.toString());
  }

  /** Replaces the verification of built modules (tests whose make produces no real module). */
  public ModuleBuilder withVerifier(ModuleVerifier verifier) {
    this.verifier = Objects.requireNonNull(verifier);
    return this;
  }

  public ModuleBuilder withTimeoutMinutes(long minutes) {
    this.timeoutMinutes = minutes;
    return this;
  }

  /** {@code $XDG_CACHE_HOME/ftguard}, else {@code ~/.cache/ftguard}. */
  public static Path defaultCacheDir(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "ftguard");
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".cache", "ftguard");
  }

  /** {@code /lib/modules/<release>/build}, where distributions install kernel headers. */
  public static Path defaultKdir(String release) {
    return Path.of("/lib/modules", release, "build");
  }

  /** The distribution packages that provide KDIR for a release, as an install hint. */
  public static String headersHint(String release) {
    return "install the kernel headers (Debian/Ubuntu: apt-get install linux-headers-"
        + release
        + "; Fedora/RHEL: dnf install kernel-devel-"
        + release
        + ")";
  }

  /** Where the module for these sources, KDIR and release is (or would be) cached. */
  public Path cachedModule(Path kdir, String release) throws ModuleBuildException {
    return releaseDir(release).resolve(sourceHash(kdir)).resolve(Abi.MODULE_FILE);
  }

  /**
   * Returns the cached module for these sources, KDIR and release, building it first if needed.
   *
   * @param kdir kernel build directory, e.g. {@link #defaultKdir(String)}
   * @param release the kernel release the module is for (cache key)
   */
  public Path build(Path kdir, String release) throws ModuleBuildException {
    checkSources();
    requireHeaders(kdir, release);
    String hash = sourceHash(kdir);
    // one build per release at a time, across processes: a second one waits, then finds the
    // module cached, and removing older builds cannot pull a directory from under a build
    Path dir = releaseDir(release);
    synchronized (ModuleBuilder.class) {
      try (BuildLock lock = BuildLock.acquire(dir, release, progress)) {
        return buildLocked(kdir, release, dir.resolve(hash));
      }
    }
  }

  private Path buildLocked(Path kdir, String release, Path target) throws ModuleBuildException {
    Path ko = target.resolve(Abi.MODULE_FILE);
    if (Files.isRegularFile(ko)) {
      progress.accept("using cached " + ko);
      new ModuleVerification(verifier, progress)
          .verify(ko, true, target.resolve("build.log"), new ArrayDeque<>());
      return ko;
    }
    Path log = target.resolve("build.log");
    Path buildDir = prepareBuildDir(target);
    try {
      return buildIn(kdir, release, ko, log, buildDir);
    } finally {
      // a failed build leaves only its log (store() already removed a successful one)
      try {
        deleteTree(buildDir);
      } catch (IOException | UncheckedIOException e) {
        progress.accept("cannot remove the build directory " + buildDir + ": " + e.getMessage());
      }
    }
  }

  /** Runs make in {@code buildDir}, verifies what it made and stores it as {@code ko}. */
  private Path buildIn(Path kdir, String release, Path ko, Path log, Path buildDir)
      throws ModuleBuildException {
    progress.accept(
        "building "
            + Abi.MODULE_FILE
            + " for "
            + release
            + " with "
            + kdir
            + (buildRoot == null ? "" : " in the build root " + buildRoot));
    ArrayDeque<String> tail = new ArrayDeque<>();
    int exit =
        new MakeRun(make, makeCommand(kdir, buildDir), buildDir, log, progress, tail)
            .run(timeoutMinutes);
    if (exit != 0) {
      throw new ModuleBuildException(
          ModuleBuildException.Kind.MAKE_FAILED,
          "building "
              + Abi.MODULE_FILE
              + " for "
              + release
              + " failed (make exit status "
              + exit
              + "); full log: "
              + log,
          log,
          List.copyOf(tail),
          null);
    }
    Path built = findModule(buildDir);
    if (built == null) {
      throw new ModuleBuildException(
          ModuleBuildException.Kind.NO_MODULE,
          "make succeeded but produced no " + Abi.MODULE_FILE + "; see " + log,
          log,
          List.copyOf(tail),
          null);
    }
    new ModuleVerification(verifier, progress).verify(built, false, log, tail);
    store(built, ko, buildDir);
    progress.accept("built " + ko);
    return ko;
  }

  /** KDIR (inside the build root, if any) must have a Makefile. */
  private void requireHeaders(Path kdir, String release) throws ModuleBuildException {
    Path hostKdir = onHost(kdir);
    if (!Files.isRegularFile(hostKdir.resolve("Makefile"))) {
      throw new ModuleBuildException(
          ModuleBuildException.Kind.HEADERS_MISSING,
          "no kernel build directory for "
              + release
              + " at "
              + kdir
              + (buildRoot == null ? "" : " in the build root " + buildRoot)
              + (Files.isDirectory(hostKdir) ? " (it has no Makefile)" : "")
              + ": "
              + headersHint(release),
          null,
          List.of(),
          null);
    }
  }

  /** A fresh directory with a copy of the sources: under the cache entry, or the build root. */
  private Path prepareBuildDir(Path target) throws ModuleBuildException {
    try {
      Files.createDirectories(target);
      Path buildDir =
          buildRoot == null
              ? Files.createTempDirectory(target, "build-")
              : Files.createTempDirectory(
                  Files.createDirectories(buildRoot.resolve("tmp")), "ftguard-build-");
      copyTree(sourceDir, buildDir);
      return buildDir;
    } catch (IOException | UncheckedIOException e) {
      throw io("cannot prepare the build directory under " + target, e);
    }
  }

  /** {@code make -C KDIR M=BUILDDIR -jN ARGS modules}, in the build root if there is one. */
  private List<String> makeCommand(Path kdir, Path buildDir) {
    List<String> cmd = new ArrayList<>();
    if (buildRoot != null) {
      cmd.addAll(inBuildRoot(buildRoot));
    }
    cmd.add(make);
    cmd.add("-C");
    cmd.add(kdir.toString());
    cmd.add("M=" + (buildRoot == null ? buildDir : "/" + buildRoot.relativize(buildDir)));
    cmd.add("-j" + Runtime.getRuntime().availableProcessors());
    cmd.addAll(makeArgs);
    cmd.add("modules");
    return cmd;
  }

  /** Caches the verified module at {@code ko} and removes the build and older builds. */
  private void store(Path built, Path ko, Path buildDir) throws ModuleBuildException {
    Path target = ko.getParent();
    try {
      Path tmp = Files.createTempFile(target, Abi.MODULE_FILE + ".", ".tmp");
      Files.copy(built, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, ko, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      deleteTree(buildDir);
      removeOtherBuilds(target);
    } catch (IOException | UncheckedIOException e) {
      throw io("cannot store the built module in " + target, e);
    }
  }

  /**
   * Hash of every source file (relative path and content), KDIR and the extra make arguments; the
   * first 16 hex digits of SHA-256.
   */
  public String sourceHash(Path kdir) throws ModuleBuildException {
    checkSources();
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Path f : sourceFiles()) {
        md.update(sourceDir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(Files.readAllBytes(f));
        md.update((byte) 0);
      }
      md.update(("kdir=" + kdir.toAbsolutePath().normalize()).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(("make=" + String.join("\u0001", makeArgs)).getBytes(StandardCharsets.UTF_8));
      if (buildRoot != null) {
        md.update((byte) 0);
        md.update(("root=" + buildRoot).getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest(), 0, 8);
    } catch (IOException | UncheckedIOException e) {
      throw io("cannot read the module sources in " + sourceDir, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where a path of the build (KDIR) is on this machine: inside the build root, links and all. */
  private Path onHost(Path path) {
    if (buildRoot == null) {
      return path;
    }
    return new LiveSystem(buildRoot)
        .locate(path.toAbsolutePath().normalize().toString())
        .known()
        .orElse(buildRoot.resolve(path.toString().substring(1)));
  }

  private void checkSources() throws ModuleBuildException {
    if (!Files.isRegularFile(sourceDir.resolve("Makefile"))
        && !Files.isRegularFile(sourceDir.resolve("Kbuild"))) {
      throw new ModuleBuildException(
          ModuleBuildException.Kind.SOURCES_MISSING,
          "no module sources at "
              + sourceDir
              + " (no Makefile or Kbuild): set FTGUARD_HOME (or -Dftguard.home) to the directory"
              + " holding kmod/, or pass --ko",
          null,
          List.of(),
          null);
    }
  }

  private Path releaseDir(String release) throws ModuleBuildException {
    if (release.isEmpty() || release.contains("/") || release.equals("..") || release.equals(".")) {
      throw new ModuleBuildException(
          ModuleBuildException.Kind.IO,
          "invalid kernel release '" + release + "'",
          null,
          List.of(),
          null);
    }
    return cacheDir.resolve(release);
  }

  /**
   * Build outputs never count as sources (matches the kbuild patterns of .gitignore); {@code
   * relative} is a path inside the sources' directory.
   */
  public static boolean isBuildOutput(Path relative) {
    for (Path part : relative) {
      String n = part.toString();
      if (n.startsWith(".")) {
        return true;
      }
    }
    String n = relative.getFileName().toString();
    return n.endsWith(".o")
        || n.endsWith(".ko")
        || n.endsWith(".mod")
        || n.endsWith(".mod.c")
        || n.endsWith(".cmd")
        || n.endsWith(".o.d")
        || n.equals("modules.order")
        || n.equals("Module.symvers");
  }

  private List<Path> sourceFiles() throws IOException {
    try (Stream<Path> s = Files.walk(sourceDir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !isBuildOutput(sourceDir.relativize(p)))
          .sorted()
          .toList();
    }
  }

  private void copyTree(Path from, Path to) throws IOException {
    for (Path f : sourceFiles()) {
      Path dest = to.resolve(from.relativize(f).toString());
      Files.createDirectories(dest.getParent());
      Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Path findModule(Path buildDir) {
    Path direct = buildDir.resolve(Abi.MODULE_FILE);
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    try (Stream<Path> s = Files.walk(buildDir)) {
      return s.filter(p -> p.getFileName().toString().equals(Abi.MODULE_FILE))
          .filter(Files::isRegularFile)
          .findFirst()
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private void removeOtherBuilds(Path keep) throws IOException {
    try (Stream<Path> s = Files.list(keep.getParent())) {
      for (Path p : s.toList()) {
        if (!p.equals(keep) && Files.isDirectory(p)) {
          deleteTree(p);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  static ModuleBuildException io(String message, Exception e) {
    return new ModuleBuildException(
        ModuleBuildException.Kind.IO, message + ": " + e.getMessage(), null, List.of(), e);
  }
}
