package dev.ftguard.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What to run in a guest and how. Build with {@link #builder()}:
 *
 * <pre>{@code
 * GuestResult r = Vm.run(GuestSpec.builder()
 *         .share(Share.readOnly(repoRoot, "/ftguard"))
 *         .file(GuestFile.copyOf(ko, "/root/ftguard.ko"))
 *         .payload("insmod /root/ftguard.ko && echo loaded")
 *         .timeout(Duration.ofSeconds(30))
 *         .build());
 * }</pre>
 *
 * @param kernel the kernel to boot
 * @param memoryMib guest RAM
 * @param cpus guest CPUs
 * @param timeout host-side limit from QEMU start; QEMU is killed when it passes
 * @param shares host directories besides the always-present {@code /usr}, {@code /etc} (read-only)
 *     and {@code /out}
 * @param payload shell script run as root in the guest's chroot; {@code #!} picks another
 *     interpreter
 * @param kernelArgs added to {@code console=ttyS0 panic=-1 quiet loglevel=5 no_timer_check}
 * @param files placed into the guest's root before the payload runs
 * @param modules in-tree modules loaded at boot besides {@link ModuleClosure#BASE_MODULES}
 * @param qemuArgs appended to QEMU's command line (e.g. {@code -icount shift=5})
 * @param accel KVM or TCG; {@code null} decides with {@link Accel#detect()}
 * @param workDir host directory for serial log, initrd and (by default) {@code out/}; {@code null}:
 *     a new temporary directory
 * @param outDir host directory mounted writable at {@code /out}; {@code null}: {@code
 *     <workDir>/out}
 * @param output receives each payload output line as the guest prints it; {@code null}: none
 * @param progress receives harness progress lines; {@code null}: silent
 */
public record GuestSpec(
    DebianKernel kernel,
    int memoryMib,
    int cpus,
    Duration timeout,
    List<Share> shares,
    String payload,
    List<String> kernelArgs,
    List<GuestFile> files,
    List<String> modules,
    List<String> qemuArgs,
    Accel accel,
    Path workDir,
    Path outDir,
    Consumer<String> output,
    Consumer<String> progress) {

  /** Guest mount points the harness itself uses. */
  static final Set<String> RESERVED =
      Set.of(
          "/usr", "/etc", "/out", "/proc", "/sys", "/dev", "/tmp", "/run", "/bin", "/sbin", "/lib",
          "/lib64");

  public GuestSpec {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(payload, "payload");
    if (memoryMib < 128) {
      throw new IllegalArgumentException(
          "memoryMib "
              + memoryMib
              + " is too small; the guest needs at least 128 MiB (512+ to run a JVM)");
    }
    if (cpus < 1 || cpus > 64) {
      throw new IllegalArgumentException("cpus " + cpus + " is not in 1..64");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    shares = List.copyOf(shares);
    kernelArgs = List.copyOf(kernelArgs);
    files = List.copyOf(files);
    modules = List.copyOf(modules);
    qemuArgs = List.copyOf(qemuArgs);
    Set<String> seen = new HashSet<>();
    for (Share s : shares) {
      for (String r : RESERVED) {
        if (s.guest().equals(r)
            || (s.guest().startsWith(r + "/") && !r.equals("/tmp") && !r.equals("/run"))) {
          throw new IllegalArgumentException(
              "share "
                  + s.host()
                  + " -> "
                  + s.guest()
                  + ": "
                  + r
                  + " is the harness's own mount; pick another guest path, e.g. /ftguard or /data");
        }
      }
      if (!seen.add(s.guest())) {
        throw new IllegalArgumentException("two shares mount at " + s.guest());
      }
    }
    for (GuestFile f : files) {
      if (f.guest().startsWith("/usr/") || f.guest().startsWith("/etc/")) {
        throw new IllegalArgumentException(
            "guest file "
                + f.guest()
                + " would land on the read-only host share; put it under /root, /opt or /srv");
      }
    }
    for (String a : kernelArgs) {
      if (a.isBlank() || a.contains("\n")) {
        throw new IllegalArgumentException("kernel argument '" + a + "' is blank or has a newline");
      }
    }
    for (String m : modules) {
      if (!m.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException("module name '" + m + "' is not a plain module name");
      }
    }
  }

  /**
   * A builder for the default kernel ({@link KernelCatalog#defaultKernel()}), chosen at {@link
   * Builder#build()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  public static Builder builder(DebianKernel kernel) {
    return new Builder().kernel(kernel);
  }

  public static final class Builder {
    private DebianKernel kernel;
    private int memoryMib = 1024;
    private int cpus = 2;
    private Duration timeout = Duration.ofSeconds(60);
    private final List<Share> shares = new ArrayList<>();
    private String payload = "true";
    private final List<String> kernelArgs = new ArrayList<>();
    private final List<GuestFile> files = new ArrayList<>();
    private final List<String> modules = new ArrayList<>();
    private final List<String> qemuArgs = new ArrayList<>();
    private Accel accel;
    private Path workDir;
    private Path outDir;
    private Consumer<String> output;
    private Consumer<String> progress = line -> System.err.println("[ftguard-vm] " + line);

    private Builder() {}

    public Builder kernel(DebianKernel kernel) {
      this.kernel = kernel;
      return this;
    }

    public Builder memoryMib(int mib) {
      this.memoryMib = mib;
      return this;
    }

    public Builder cpus(int cpus) {
      this.cpus = cpus;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder share(Share share) {
      shares.add(share);
      return this;
    }

    /** The repository root, read-only at {@code /ftguard}. */
    public Builder shareRepository() {
      return share(Share.readOnly(KernelCatalog.repoRoot(), "/ftguard"));
    }

    public Builder payload(String script) {
      this.payload = script;
      return this;
    }

    public Builder kernelArg(String arg) {
      kernelArgs.add(arg);
      return this;
    }

    public Builder file(GuestFile file) {
      files.add(file);
      return this;
    }

    public Builder module(String name) {
      modules.add(name);
      return this;
    }

    public Builder qemuArgs(String... args) {
      qemuArgs.addAll(List.of(args));
      return this;
    }

    public Builder accel(Accel accel) {
      this.accel = accel;
      return this;
    }

    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    public Builder outDir(Path dir) {
      this.outDir = dir;
      return this;
    }

    /** Each payload output line, live, as the guest prints it. */
    public Builder output(Consumer<String> lines) {
      this.output = lines;
      return this;
    }

    /** Payload output lines, live, to this JVM's stdout. */
    public Builder echoOutput() {
      return output(line -> System.out.println("guest| " + line));
    }

    /**
     * Harness progress lines (default: stderr with an {@code [ftguard-vm]} prefix); {@code null}
     * silences them.
     */
    public Builder progress(Consumer<String> lines) {
      this.progress = lines;
      return this;
    }

    /**
     * @throws KernelNotPreparedException when no kernel was set and {@code scripts/setup} has not
     *     run
     */
    public GuestSpec build() {
      DebianKernel k = kernel != null ? kernel : KernelCatalog.ofRepo().defaultKernel();
      return new GuestSpec(
          k,
          memoryMib,
          cpus,
          timeout,
          shares,
          payload,
          kernelArgs,
          files,
          modules,
          qemuArgs,
          accel,
          workDir,
          outDir,
          output,
          progress);
    }
  }
}
