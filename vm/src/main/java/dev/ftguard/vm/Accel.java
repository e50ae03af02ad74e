package dev.ftguard.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** How QEMU executes the guest's CPU. */
public enum Accel {
  /** Hardware virtualisation through /dev/kvm; only with real VT-x/AMD-V. */
  KVM(List.of("-accel", "kvm", "-cpu", "host")),
  /**
   * QEMU's binary translator: slower, works everywhere. One translation thread for all vCPUs
   * ({@code thread=single}): with one thread per vCPU, code that one vCPU rewrites while another
   * runs it (HotSpot patching compiled methods, ftrace patching kernel text) was now and then
   * executed half-old, half-new, crashing guest JVMs and hanging the guest kernel. A conservative
   * CPU model (Nehalem: SSE4.2, no AVX, FSGSBASE, PCID or PKU), not {@code max}. See docs/vm.md.
   */
  TCG(List.of("-accel", "tcg,thread=single", "-cpu", "Nehalem"));

  /** System property forcing a choice: {@code kvm}, {@code tcg} or {@code auto} (default). */
  public static final String PROPERTY = "ftguard.vm.accel";

  private final List<String> qemuArgs;

  Accel(List<String> qemuArgs) {
    this.qemuArgs = qemuArgs;
  }

  public List<String> qemuArgs() {
    return qemuArgs;
  }

  /** A decision and why it was made (shown in the progress output). */
  public record Choice(Accel accel, String reason) {}

  /**
   * Decides from the host's facts. KVM only when the CPU flags show {@code vmx} or {@code svm}
   * (real hardware virtualisation), {@code /dev/kvm} is usable, and the KVM in use is not the
   * paravirtual {@code kvm_pvm}, which cannot run a stock kernel.
   *
   * @param cpuinfo text of /proc/cpuinfo
   * @param loadedModules names of loaded kernel modules (from /proc/modules or /sys/module)
   * @param devKvmUsable /dev/kvm exists and is readable and writable
   */
  public static Choice choose(
      String cpuinfo, Collection<String> loadedModules, boolean devKvmUsable) {
    Set<String> flags = cpuFlags(cpuinfo);
    boolean hw = flags.contains("vmx") || flags.contains("svm");
    if (loadedModules.contains("kvm_pvm")) {
      return new Choice(
          TCG, "KVM here is the paravirtual kvm_pvm, which cannot boot a stock kernel");
    }
    if (!hw) {
      return new Choice(TCG, "CPU has no vmx/svm flag");
    }
    if (!devKvmUsable) {
      return new Choice(TCG, "/dev/kvm is missing or not readable and writable by this user");
    }
    return new Choice(
        KVM, "CPU has " + (flags.contains("vmx") ? "vmx" : "svm") + " and /dev/kvm is usable");
  }

  /** The flags of the first {@code flags} line of /proc/cpuinfo. */
  static Set<String> cpuFlags(String cpuinfo) {
    return cpuinfo
        .lines()
        .filter(l -> l.startsWith("flags") && l.contains(":"))
        .findFirst()
        .map(
            l ->
                Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))
                    .collect(Collectors.toSet()))
        .orElse(Set.of());
  }

  /** Names from /proc/modules text (first column). */
  static Set<String> moduleNames(String procModules) {
    return procModules
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .map(l -> l.split("\\s+")[0])
        .collect(Collectors.toSet());
  }

  /** {@code -Dftguard.vm.accel} if set to kvm/tcg, else {@link #choose} with this host's facts. */
  public static Choice detect() {
    String forced = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    switch (forced) {
      case "kvm" -> {
        return new Choice(KVM, "forced by -D" + PROPERTY + "=kvm");
      }
      case "tcg" -> {
        return new Choice(TCG, "forced by -D" + PROPERTY + "=tcg");
      }
      case "auto", "" -> {}
      default -> throw new VmException("-D" + PROPERTY + "=" + forced + " is not kvm, tcg or auto");
    }
    Path dev = Path.of("/dev/kvm");
    boolean usable = Files.exists(dev) && Files.isReadable(dev) && Files.isWritable(dev);
    return choose(read(Path.of("/proc/cpuinfo")), loadedModules(), usable);
  }

  private static Set<String> loadedModules() {
    Path procModules = Path.of("/proc/modules");
    if (Files.isReadable(procModules)) {
      return moduleNames(read(procModules));
    }
    // kernels without module support have no /proc/modules; built-in parts still show in
    // /sys/module
    try (Stream<Path> s = Files.list(Path.of("/sys/module"))) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    } catch (IOException e) {
      return Set.of();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }
}
