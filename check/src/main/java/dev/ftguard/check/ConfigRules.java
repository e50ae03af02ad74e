package dev.ftguard.check;

import java.util.List;
import java.util.Optional;

/** The kernel configuration: the options ftrace hooking and module loading need. */
final class ConfigRules {
  private ConfigRules() {}

  /** The options the config rows decide, and the other checks that use the configuration. */
  static final List<String> CONFIG_OPTIONS =
      List.of(
          "CONFIG_FTRACE",
          "CONFIG_FUNCTION_TRACER",
          "CONFIG_DYNAMIC_FTRACE",
          "CONFIG_DYNAMIC_FTRACE_WITH_REGS",
          "CONFIG_HAVE_FENTRY",
          "CONFIG_KALLSYMS",
          "CONFIG_KPROBES",
          "CONFIG_MODULES",
          "CONFIG_MODULE_UNLOAD");

  static Check config(KernelReadings f) {
    String id = "config";
    String title = "kernel config";
    String undecided =
        "; undecided without it: "
            + String.join(", ", CONFIG_OPTIONS)
            + ", and in part CONFIG_MODULE_SIG_FORCE (module signatures), CONFIG_X86_KERNEL_IBT"
            + " (IBT) and the options hook targets need (CONFIG_SECURITY,"
            + " CONFIG_SECURITY_NETWORK, CONFIG_SECURITY_PATH, CONFIG_BSD_PROCESS_ACCT)";
    String give =
        "give the kernel's configuration with --config FILE (the build tree's .config, or"
            + " /boot/config-RELEASE from the kernel package)";
    return switch (f.config()) {
      case Reading.Found<KernelConfig> c -> {
        Optional<KernelVersion> header = c.value().header();
        if (header.isPresent() && f.version().isPresent()) {
          KernelVersion h = header.get();
          KernelVersion v = f.version().get();
          if (h.major() != v.major() || h.minor() != v.minor()) {
            yield Check.warn(
                id,
                title,
                "read from "
                    + c.source()
                    + ", but it is the configuration of Linux "
                    + h
                    + " and the kernel checked is "
                    + v
                    + ": the config checks may not describe this kernel",
                give);
          }
        }
        yield Check.pass(id, title, "read from " + c.source());
      }
      case Reading.Missing<KernelConfig> m ->
          Check.warn(
              id,
              title,
              "no kernel configuration: "
                  + m.what()
                  + " (/proc/config.gz needs CONFIG_IKCONFIG_PROC; with CONFIG_IKCONFIG=m it"
                  + " appears after modprobe configs)"
                  + undecided,
              give);
      case Reading.Denied<KernelConfig> d ->
          Check.warn(
              id,
              title,
              d.what() + " is readable by root only" + undecided,
              "run as root (sudo), or give a readable copy with --config FILE");
      case Reading.Broken<KernelConfig> _, Reading.Skipped<KernelConfig> _ ->
          Check.warn(id, title, f.config().explain() + undecided, give);
    };
  }

  /**
   * A row for a bool option that must be built in. Undecided without a configuration; {@code =m} is
   * not built in.
   */
  private static Check option(
      KernelReadings f, String option, String onDetail, String offDetail, String fix) {
    String id = "config." + option.substring("CONFIG_".length()).toLowerCase(java.util.Locale.ROOT);
    Optional<KernelConfig> c = f.knownConfig();
    if (c.isEmpty()) {
      return Check.warn(id, option, "undecided: no kernel configuration (see kernel config)", "");
    }
    return switch (c.get().state(option)) {
      case YES -> Check.pass(id, option, "=y" + (onDetail.isEmpty() ? "" : ": " + onDetail));
      case MODULE -> Check.fail(id, option, "=m, but it must be built in (=y): " + offDetail, fix);
      case NO, VALUE -> Check.fail(id, option, c.get().describe(option) + ": " + offDetail, fix);
    };
  }

  static Check ftrace(KernelReadings f) {
    return option(
        f,
        "CONFIG_FTRACE",
        "",
        "the kernel has no tracing infrastructure (Kernel hacking > Tracers)",
        "boot a kernel built with CONFIG_FTRACE=y (distribution kernels are)");
  }

  static Check functionTracer(KernelReadings f) {
    return option(
        f,
        "CONFIG_FUNCTION_TRACER",
        "",
        "functions are built without the ftrace call at their entry, so none can be hooked",
        "boot a kernel built with CONFIG_FUNCTION_TRACER=y (Kernel hacking > Tracers > Kernel"
            + " Function Tracer)");
  }

  static Check dynamicFtrace(KernelReadings f) {
    return option(
        f,
        "CONFIG_DYNAMIC_FTRACE",
        "",
        "ftrace cannot attach to single functions (ftrace_set_filter_ip needs the patchable call"
            + " sites of dynamic ftrace)",
        "boot a kernel built with CONFIG_DYNAMIC_FTRACE=y");
  }

  static Check withRegs(KernelReadings f) {
    String option = "CONFIG_DYNAMIC_FTRACE_WITH_REGS";
    String id = "config.dynamic_ftrace_with_regs";
    Optional<KernelConfig> c = f.knownConfig();
    if (c.isEmpty()) {
      return Check.warn(id, option, "undecided: no kernel configuration (see kernel config)", "");
    }
    KernelConfig k = c.get();
    if (k.isYes(option)) {
      return Check.pass(
          id,
          option,
          "=y: ftrace saves the full registers (SAVE_REGS), so the callback can change the saved instruction pointer (IPMODIFY)");
    }
    String fix =
        "boot a kernel built with CONFIG_DYNAMIC_FTRACE=y: on x86_64 CONFIG_DYNAMIC_FTRACE_WITH_REGS"
            + " is on whenever it is";
    if (k.isYes("CONFIG_DYNAMIC_FTRACE_WITH_ARGS")) {
      return Check.fail(
          id,
          option,
          k.describe(option)
              + "; this kernel offers only CONFIG_DYNAMIC_FTRACE_WITH_ARGS: callbacks get the"
              + " argument registers (struct ftrace_regs) but not a full pt_regs, ftrace refuses an"
              + " ftrace_ops that asks for FTRACE_OPS_FL_SAVE_REGS (EINVAL), and IPMODIFY can only"
              + " be set with SAVE_REGS, so the module could not redirect a call (kmod/compat.h"
              + " refuses to build)",
          fix);
    }
    return Check.fail(
        id,
        option,
        k.describe(option)
            + ": the module needs SAVE_REGS and IPMODIFY to rewrite the saved instruction pointer"
            + " (kmod/compat.h refuses to build without it)",
        fix);
  }

  static Check fentry(KernelReadings f) {
    return option(
        f,
        "CONFIG_HAVE_FENTRY",
        "the ftrace call is the first instruction of each function",
        "without fentry the ftrace call (mcount) comes after the function's prologue, where the"
            + " registers no longer hold the entry state a redirect needs",
        "an x86_64 kernel always has it: check that the configuration is an x86_64 one");
  }

  static Check kallsyms(KernelReadings f) {
    return option(
        f,
        "CONFIG_KALLSYMS",
        "",
        "the module finds its hook targets by name in kallsyms (kmod/compat.h refuses to build"
            + " without it)",
        "boot a kernel built with CONFIG_KALLSYMS=y");
  }

  static Check kprobes(KernelReadings f) {
    String option = "CONFIG_KPROBES";
    boolean needed =
        f.version().map(v -> v.atLeast(KernelVersion.KALLSYMS_VIA_KPROBE)).orElse(true);
    if (!needed) {
      String id = "config.kprobes";
      String state = f.knownConfig().map(c -> c.describe(option)).orElse("not known");
      return Check.pass(
          id,
          option,
          state + ": not needed before 5.7, where kallsyms_lookup_name is exported to modules");
    }
    return option(
        f,
        option,
        "the module finds kallsyms_lookup_name through a temporary kprobe (needed since 5.7)",
        "since 5.7 kallsyms_lookup_name is not exported, and the module finds it through a"
            + " temporary kprobe (kmod/hook.c); without kprobes it cannot resolve any hook target",
        "boot a kernel built with CONFIG_KPROBES=y");
  }

  static Check modules(KernelReadings f) {
    return option(
        f,
        "CONFIG_MODULES",
        "",
        "this kernel cannot load modules at all (finit_module fails with ENOSYS)",
        "boot a kernel built with CONFIG_MODULES=y (distribution kernels are); without one, ftguard"
            + " demo shows ftguard in a VM");
  }

  static Check moduleUnload(KernelReadings f) {
    String option = "CONFIG_MODULE_UNLOAD";
    Check c =
        option(
            f,
            option,
            "",
            "the module loads but can never be unloaded: ftguard unload fails and its hooks stay"
                + " until reboot",
            "boot a kernel built with CONFIG_MODULE_UNLOAD=y to be able to unload");
    // Loading works without it: a caveat, not a failure.
    return c.status() == Status.FAIL
        ? new Check(c.id(), Status.WARN, c.title(), c.detail(), c.fix())
        : c;
  }
}
