package dev.ftguard.check;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the rules look at, read once. Rules are pure functions of this record, so tests build
 * it directly.
 *
 * @param version the numeric version of {@code release}, if it parses
 * @param targets the hook targets on this kernel ({@link HookTargets#forVersion})
 * @param symbols which targets are in kallsyms
 * @param traceable which targets ftrace can attach to
 * @param enabled the {@code enabled_functions} lines of the targets
 * @param ftguardLoaded whether the ftguard module is loaded now (its own hooks then hold the
 *     targets)
 * @param ftraceEnabled the {@code kernel.ftrace_enabled} sysctl
 */
public record KernelReadings(
    Reading<String> release,
    Optional<KernelVersion> version,
    Reading<String> machine,
    Reading<KernelConfig> config,
    List<HookTargets.Target> targets,
    Reading<Set<String>> symbols,
    Reading<Set<String>> traceable,
    Reading<Map<String, EnabledFunction>> enabled,
    boolean ftguardLoaded,
    Reading<Boolean> ftraceEnabled,
    Reading<String> lockdown,
    Reading<String> cmdline,
    Reading<Boolean> sigEnforce,
    Reading<Boolean> secureBoot,
    Reading<Set<String>> cpuFlags,
    Reading<Path> headers,
    List<DeclaredHook> declared) {
  public KernelReadings {
    targets = List.copyOf(targets);
    declared = List.copyOf(declared);
  }

  /**
   * A function a policy hooks by name ({@code hooks:}): {@code mayDeny} when a deny rule is on it,
   * so that it needs the function to itself (IPMODIFY) and on the kernel's list of functions safe
   * to fail.
   */
  public record DeclaredHook(String function, boolean mayDeny, String where) {}

  public static KernelReadings gather(ReadingSource src) {
    return gather(src, List.of());
  }

  /** The facts, also about the functions the given policies hook by name. */
  public static KernelReadings gather(ReadingSource src, List<DeclaredHook> declared) {
    Reading<String> release = src.release();
    Optional<KernelVersion> version = release.known().flatMap(KernelVersion::parse);
    List<HookTargets.Target> targets = HookTargets.forVersion(version);
    Set<String> names = new LinkedHashSet<>();
    targets.forEach(t -> names.add(t.symbol()));
    declared.forEach(d -> names.add(d.function()));
    return new KernelReadings(
        release,
        version,
        src.machine(),
        src.config(),
        targets,
        src.symbols(names),
        src.traceable(names),
        src.enabled(names),
        src.ftguardLoaded(),
        src.ftraceEnabled(),
        src.lockdown(),
        src.cmdline(),
        src.sigEnforce(),
        src.secureBoot(),
        src.cpuFlags(),
        src.headers(),
        declared);
  }

  /** The configuration, if known. */
  public Optional<KernelConfig> knownConfig() {
    return config.known();
  }
}
