package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.Device;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.KernelModules;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a command touches outside the JVM: streams, environment, kernel paths, module system
 * calls and the device. {@link #system()} is the real host; tests build their own.
 *
 * @param stdout raw standard output (event lines); write errors are reported, not swallowed
 * @param env environment variables
 * @param properties system properties ({@code ftguard.home})
 */
public record Context(
    PrintWriter out,
    PrintWriter err,
    OutputStream stdout,
    Map<String, String> env,
    Map<String, String> properties,
    HostPaths paths,
    ModuleOps modules,
    DeviceOpener devices) {

  /**
   * Where the kernel exposes things, and where {@code ftguard run} finds its configuration.
   *
   * @param config the configuration read by {@code run} when it exists ({@code
   *     /etc/ftguard/ftguard.yaml})
   */
  public record HostPaths(
      Path sysModule, Path device, Path osRelease, Path libModules, Path config) {
    public static HostPaths system() {
      return new HostPaths(
          Path.of("/sys/module", Abi.MODULE_NAME),
          Device.DEFAULT_PATH,
          Path.of("/proc/sys/kernel/osrelease"),
          Path.of("/lib/modules"),
          Path.of(RunConfig.DEFAULT));
    }
  }

  /** finit_module / delete_module. */
  public interface ModuleOps {
    void load(Path ko, String params) throws ErrnoException;

    void unload(String name) throws ErrnoException;

    /**
     * Whether the running kernel can load modules at all (built with CONFIG_MODULES: it then has
     * {@code /proc/modules}).
     */
    default boolean supported() {
      return true;
    }
  }

  /** Opens /dev/ftguard. */
  public interface DeviceOpener {
    /** Opens for reading records, counters and the rule table. */
    ControlDevice open(Path device) throws ErrnoException;

    /** Opens for also writing the rule table (read-write); by default as {@link #open}. */
    default ControlDevice openForWriting(Path device) throws ErrnoException {
      return open(device);
    }
  }

  public static Context system() {
    var props = new java.util.HashMap<String, String>();
    System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
    return new Context(
        new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8),
        new FileOutputStream(FileDescriptor.out),
        System.getenv(),
        Map.copyOf(props),
        HostPaths.system(),
        new ModuleOps() {
          @Override
          public void load(Path ko, String params) throws ErrnoException {
            KernelModules.finitModule(ko, params, 0);
          }

          @Override
          public void unload(String name) throws ErrnoException {
            KernelModules.deleteModule(name, KernelModules.O_NONBLOCK);
          }

          @Override
          public boolean supported() {
            // without /proc mounted nothing can be told: let finit_module answer
            return Files.exists(Path.of("/proc/modules"))
                || !Files.isDirectory(Path.of("/proc/self"));
          }
        },
        new DeviceOpener() {
          @Override
          public ControlDevice open(Path device) throws ErrnoException {
            return Device.open(device);
          }

          @Override
          public ControlDevice openForWriting(Path device) throws ErrnoException {
            return Device.openReadWrite(device);
          }
        });
  }

  /** The running kernel's release ({@code uname -r}). */
  public String runningRelease() {
    try {
      return Files.readString(paths.osRelease()).trim();
    } catch (IOException e) {
      throw new UserException(
          ExitCode.FAILURE,
          "cannot read the kernel release from "
              + paths.osRelease()
              + ": "
              + e.getMessage()
              + "; pass --kernel-release",
          e);
    }
  }

  /**
   * The ftguard home (holding {@code kmod/}): {@code -Dftguard.home}, else {@code $FTGUARD_HOME}.
   */
  public Optional<Path> home() {
    String h = properties.get("ftguard.home");
    if (h == null || h.isBlank()) {
      h = env.get("FTGUARD_HOME");
    }
    return h == null || h.isBlank() ? Optional.empty() : Optional.of(Path.of(h));
  }

  /** {@link #home()}, or a usage error with {@code message} (what is missing, how to fix it). */
  public Path requireHome(String message) {
    return home().orElseThrow(() -> new UserException(ExitCode.USAGE, message));
  }

  public boolean moduleLoaded() {
    return Files.isDirectory(paths.sysModule());
  }

  /**
   * Opens the device ({@link HostPaths#device}) for reading records, counters and the rule table.
   *
   * @throws UserException why it cannot be opened, and how to fix that
   */
  public ControlDevice openDevice() {
    return openDevice(devices);
  }

  /** Opens the device for also writing the rule table; fails as {@link #openDevice()}. */
  public ControlDevice openDeviceForWriting() {
    return openDevice(devices::openForWriting);
  }

  private ControlDevice openDevice(DeviceOpener opener) {
    Path device = paths.device();
    try {
      return opener.open(device);
    } catch (ErrnoException e) {
      throw Errors.openDevice(e, device, moduleLoaded());
    }
  }
}
