package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.policy.InputFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard load}: build (or take) ftguard.ko and load it with finit_module. */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Load the ftguard kernel module.",
      "Without --ko, builds it for the running kernel from $FTGUARD_HOME/kmod against"
          + " /lib/modules/<release>/build and caches it under ~/.cache/ftguard/<release>/"
          + " ($XDG_CACHE_HOME); it is rebuilt when the sources change."
    })
public final class LoadCommand implements Callable<Integer> {
  @ParentCommand Ftguard parent;

  @Option(
      names = "--ko",
      paramLabel = "FILE",
      description = "Load this ftguard.ko instead of building one.")
  Path ko;

  @Option(
      names = "--buffer-kb",
      paramLabel = "N",
      description = "Per-CPU ring buffer size in KiB (module parameter buffer_kb).")
  Integer bufferKb;

  /** How wrappers call the original function (module parameter call_mode). */
  public enum CallMode {
    auto,
    guard,
    skip
  }

  @Option(
      names = "--call-mode",
      paramLabel = "MODE",
      description =
          "How wrappers call the original: guard (through its fentry site, the ftrace callback"
              + " lets the module's own call through), skip (past the fentry site: one callback"
              + " per call; a fentry site the module does not know fails the load) or auto (skip"
              + " unless indirect branch tracking is enforced, then guard; a wrapper whose fentry"
              + " site is unknown takes guard alone; default). Valid values:"
              + " ${COMPLETION-CANDIDATES}.")
  CallMode callMode;

  @Option(
      names = "--lock",
      description =
          "Lock the module as it loads (module parameter lock=1), until reboot: no unload, and the"
              + " first rule table written is final. See `ftguard lock`.")
  boolean lock;

  @Option(
      names = "--kernel-release",
      paramLabel = "R",
      description =
          "Build for this kernel release instead of the running one (implies --build-only"
              + " unless it is the running release).")
  String kernelRelease;

  @Option(
      names = "--kdir",
      paramLabel = "DIR",
      description =
          "Kernel build directory (default: /lib/modules/<release>/build; inside the build root"
              + " with --build-root).")
  Path kdir;

  @Option(
      names = "--build-root",
      paramLabel = "DIR",
      description =
          "Build inside this root file system (a chroot, e.g. debootstrap of the kernel's"
              + " distribution release) that holds the kernel's headers and the compiler they were"
              + " built with; needs root. See docs/kernels.md.")
  Path buildRoot;

  @Option(
      names = "--build-only",
      description = "Build (or find in the cache) and print the module path; do not load.")
  boolean buildOnly;

  @Override
  public Integer call() {
    Context ctx = parent.context;
    if (bufferKb != null && (bufferKb < 64 || bufferKb > 65536)) {
      throw new UserException(
          ExitCode.USAGE,
          "--buffer-kb " + bufferKb + " is out of range: give 64 to 65536 (KiB per CPU)");
    }
    if (ko != null && (kernelRelease != null || kdir != null || buildRoot != null || buildOnly)) {
      throw new UserException(
          ExitCode.USAGE,
          "--ko loads a given module; --kernel-release, --kdir, --build-root and --build-only are"
              + " for building: use one or the other",
          null);
    }
    if (kdir != null && buildRoot == null && Files.exists(kdir) && !Files.isDirectory(kdir)) {
      throw new UserException(
          ExitCode.USAGE,
          "--kdir "
              + kdir
              + " is not a directory: give the kernel build directory (where the headers are,"
              + " e.g. /lib/modules/<release>/build)");
    }
    if (buildRoot != null && !Files.isDirectory(buildRoot.resolve("usr/bin"))) {
      throw new UserException(
          ExitCode.USAGE,
          "--build-root "
              + buildRoot
              + " is not a root file system (no usr/bin): give the directory of a chroot holding the"
              + " kernel's headers and compiler");
    }
    Path module = ko;
    if (module == null) {
      String running = ctx.runningRelease();
      String release = kernelRelease != null ? kernelRelease : running;
      boolean foreign = !release.equals(running);
      if (!buildOnly && !foreign) {
        requireModuleSupport(ctx, running);
      }
      module = build(ctx, release);
      if (buildOnly || foreign) {
        ctx.out().println(module);
        if (foreign && !buildOnly) {
          ctx.err()
              .println(
                  "ftguard: built for "
                      + release
                      + ", not loaded: the running kernel is "
                      + running);
        }
        return 0;
      }
    } else {
      checkModuleFile(module);
      requireModuleSupport(ctx, null);
    }
    String params =
        String.join(
            " ",
            Stream.of(
                    bufferKb == null ? null : "buffer_kb=" + bufferKb,
                    callMode == null ? null : "call_mode=" + callMode,
                    lock ? "lock=1" : null)
                .filter(Objects::nonNull)
                .toList());
    try {
      ctx.modules().load(module, params);
    } catch (ErrnoException e) {
      throw Errors.load(e, module, params);
    }
    ctx.out()
        .println("ftguard loaded from " + module + (params.isEmpty() ? "" : " (" + params + ")"));
    return 0;
  }

  /**
   * Refuses, before building anything, on a kernel that cannot load modules at all.
   *
   * @param running the running release, or null when not known yet
   */
  static void requireModuleSupport(Context ctx, String running) {
    if (ctx.modules().supported()) {
      return;
    }
    throw new UserException(
        ExitCode.INCOMPATIBLE,
        "the running kernel"
            + (running == null ? "" : " (" + running + ")")
            + " cannot load modules at all: it was built without CONFIG_MODULES (no /proc/modules),"
            + " so no kernel headers or build can help; run ftguard on a kernel built with"
            + " CONFIG_MODULES=y (another host or a VM; `ftguard load --build-only --kernel-release"
            + " R` still builds for one)");
  }

  /** A --ko that is not a regular file, refused without opening it (a FIFO would hang). */
  static void checkModuleFile(Path module) {
    try {
      if (InputFile.stat(module, "module file").isDirectory()) {
        throw new UserException(
            ExitCode.USAGE,
            "module file " + module + " is a directory: give the built ftguard.ko with --ko");
      }
    } catch (InputFile.Refused e) {
      throw new UserException(ExitCode.USAGE, e.getMessage() + " (--ko)", e);
    }
  }

  private Path build(Context ctx, String release) {
    Path dir =
        kdir != null
            ? kdir
            : buildRoot != null
                ? ModuleBuilder.defaultKdir(release)
                : ctx.paths().libModules().resolve(release).resolve("build");
    return buildModule(ctx, dir, release, buildRoot);
  }

  /**
   * Builds (or takes from the cache) the module from the sources under ftguard's home.
   *
   * @param buildRoot the root file system to build in, or null for this machine
   */
  public static Path buildModule(Context ctx, Path kdir, String release, Path buildRoot) {
    Path home =
        ctx.requireHome(
            "cannot find the module sources: set FTGUARD_HOME to the directory holding"
                + " kmod/ (the ./ftguard launcher does this), or pass --ko FILE");
    Path cache = ModuleBuilder.defaultCacheDir(ctx.env());
    var err = ctx.err();
    ModuleBuilder builder =
        new ModuleBuilder(home.resolve("kmod"), cache)
            .withProgress(
                line -> {
                  err.println("  " + line);
                  err.flush();
                });
    if (buildRoot != null) {
      builder.withBuildRoot(buildRoot);
    }
    try {
      return builder.build(kdir, release);
    } catch (ModuleBuildException e) {
      throw Errors.build(e);
    }
  }

  static String moduleName() {
    return Abi.MODULE_NAME;
  }
}
