package dev.ftguard.check;

import java.util.ArrayList;
import java.util.List;

/**
 * The requirements of ftguard's module, each a pure function of {@link KernelReadings}. The order
 * of {@link #all} is the order of the report. The rules themselves are grouped by concern: {@link
 * ReleaseRules}, {@link ConfigRules}, {@link HookRules}, {@link LoadingRules}.
 */
public final class Rules {
  private Rules() {}

  public static List<Check> all(KernelReadings f) {
    List<Check> all = new ArrayList<>(base(f));
    if (!f.declared().isEmpty()) {
      all.add(
          all.indexOf(
                  all.stream()
                      .filter(c -> c.id().equals("hooks.ipmodify"))
                      .findFirst()
                      .orElseThrow())
              + 1,
          HookRules.declaredHooks(f));
    }
    return List.copyOf(all);
  }

  /** Whether the functions the policies hook can be hooked here (the row {@link #all} adds). */
  public static Check declaredHooks(KernelReadings f) {
    return HookRules.declaredHooks(f);
  }

  private static List<Check> base(KernelReadings f) {
    return List.of(
        ReleaseRules.arch(f),
        ReleaseRules.version(f),
        ReleaseRules.tested(f),
        ConfigRules.config(f),
        ConfigRules.ftrace(f),
        ConfigRules.functionTracer(f),
        ConfigRules.dynamicFtrace(f),
        ConfigRules.withRegs(f),
        ConfigRules.fentry(f),
        ConfigRules.kallsyms(f),
        ConfigRules.kprobes(f),
        ConfigRules.modules(f),
        ConfigRules.moduleUnload(f),
        HookRules.hooksKallsyms(f),
        HookRules.hooksTraceable(f),
        HookRules.hooksIpModify(f),
        HookRules.ftraceEnabled(f),
        LoadingRules.lockdown(f),
        LoadingRules.signatures(f),
        LoadingRules.secureBoot(f),
        LoadingRules.ibt(f),
        LoadingRules.headers(f));
  }
}
