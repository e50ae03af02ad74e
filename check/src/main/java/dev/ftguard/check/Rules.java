package dev.ftguard.check;

import dev.ftguard.check.KernelConfig.State;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The requirements of ftguard's module, each a pure function of {@link Facts}. The order of {@link
 * #all} is the order of the report.
 */
public final class Rules {
  private Rules() {}

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

  static final String SIGN_FIX =
      "sign the module with a key the kernel trusts: enroll a MOK key once (mokutil --import"
          + " MOK.der, reboot, confirm in MokManager), build (ftguard load --build-only prints the"
          + " module's path), sign it (/lib/modules/$(uname -r)/build/scripts/sign-file sha256"
          + " MOK.priv MOK.der ftguard.ko, or kmodsign sha512 MOK.priv MOK.der ftguard.ko) and load"
          + " it with ftguard load --ko FILE; docs/check.md has every step";

  public static List<Check> all(Facts f) {
    List<Check> all = new ArrayList<>(base(f));
    if (!f.declared().isEmpty()) {
      all.add(
          all.indexOf(
                  all.stream()
                      .filter(c -> c.id().equals("hooks.ipmodify"))
                      .findFirst()
                      .orElseThrow())
              + 1,
          declaredHooks(f));
    }
    return List.copyOf(all);
  }

  private static List<Check> base(Facts f) {
    return List.of(
        arch(f),
        version(f),
        tested(f),
        config(f),
        ftrace(f),
        functionTracer(f),
        dynamicFtrace(f),
        withRegs(f),
        fentry(f),
        kallsyms(f),
        kprobes(f),
        modules(f),
        moduleUnload(f),
        hooksKallsyms(f),
        hooksTraceable(f),
        hooksIpModify(f),
        lockdown(f),
        signatures(f),
        secureBoot(f),
        ibt(f),
        headers(f));
  }

  // ---- machine and release ----------------------------------------------------------------

  static Check arch(Facts f) {
    String id = "arch";
    String title = "architecture";
    if (!(f.machine() instanceof Reading.Found<String> m)) {
      return Check.warn(
          id, title, "not known: " + f.machine().explain(), "give it with --machine (uname -m)");
    }
    String a = m.value();
    if (a.equals("x86_64")) {
      return Check.pass(id, title, a);
    }
    if (a.matches("i[3-6]86|x86")) {
      return Check.fail(
          id,
          title,
          a
              + ": 32-bit x86 cannot host ftguard. The module is x86_64 code (kmod/compat.h refuses"
              + " to build for anything else): it reads the hooked functions' arguments from the"
              + " x86_64 registers (rdi, rsi, rdx), where a 32-bit kernel, built with -mregparm=3,"
              + " passes them in eax, edx, ecx; it hooks the 64-bit system call stubs __x64_sys_*,"
              + " which a 32-bit kernel does not have (its __ia32_sys_* stubs decode ebx, ecx, edx);"
              + " and DYNAMIC_FTRACE_WITH_ARGS, livepatch (HAVE_LIVEPATCH) and IBT, which the"
              + " kernel offers to IPMODIFY users, are x86_64-only in arch/x86/Kconfig",
          "run a 64-bit (x86_64) kernel; it runs 32-bit programs too");
    }
    return Check.fail(
        id,
        title,
        a
            + ": ftguard runs on x86_64 only: its hook targets, the tail-call proof (ftguard verify)"
            + " and its tests are x86_64's; the module compiles for arm64 (kmod/arch.h), but does"
            + " not run there yet (docs/arm64.md), and kmod/compat.h refuses to build elsewhere",
        "run ftguard on an x86_64 machine");
  }

  static Check version(Facts f) {
    String id = "kernel.version";
    String title = "kernel version";
    if (!(f.release() instanceof Reading.Found<String> r)) {
      return Check.warn(
          id, title, "not known: " + f.release().explain(), "give it with --release (uname -r)");
    }
    if (f.version().isEmpty()) {
      return Check.warn(
          id,
          title,
          "cannot read a version from the release '" + r.value() + "'",
          "give it with --release (uname -r)");
    }
    KernelVersion v = f.version().get();
    if (!v.atLeast(KernelVersion.IPMODIFY)) {
      return Check.fail(
          id,
          title,
          v
              + " ("
              + r.value()
              + "): too old. The module needs FTRACE_OPS_FL_IPMODIFY, with which an ftrace callback"
              + " changes where the hooked function continues; it came in Linux 3.19",
          "run Linux 3.19 or later");
    }
    List<String> notes = new ArrayList<>();
    notes.add("IPMODIFY (3.19+)");
    notes.add(
        v.atLeast(KernelVersion.PTREGS_SYSCALLS)
            ? "system calls hooked as __x64_sys_* (4.17+)"
            : "system calls hooked as sys_* (before 4.17)");
    notes.add(
        v.atLeast(KernelVersion.KALLSYMS_VIA_KPROBE)
            ? "kallsyms_lookup_name found through a kprobe (5.7+)"
            : "kallsyms_lookup_name exported (before 5.7)");
    return Check.pass(id, title, v + " (" + r.value() + "): " + String.join(", ", notes));
  }

  static Check tested(Facts f) {
    return tested(f, TestedKernels.builtIn());
  }

  /**
   * Where the kernel stands against the series ftguard is built and tested for ({@code
   * kmod/kernels.conf}): pass for a tested series, a warning outside them. Only the series
   * (major.minor) counts, not the distribution.
   */
  static Check tested(Facts f, TestedKernels tested) {
    String id = "kernel.tested";
    String title = "tested kernel series";
    if (!(f.release() instanceof Reading.Found<String> r)) {
      return Check.warn(
          id, title, "not known: " + f.release().explain(), "give it with --release (uname -r)");
    }
    if (f.version().isEmpty()) {
      return Check.warn(
          id,
          title,
          "cannot read a series (MAJOR.MINOR) from the release '" + r.value() + "'",
          "give it with --release (uname -r)");
    }
    KernelVersion v = f.version().get();
    KernelVersion series = new KernelVersion(v.major(), v.minor(), 0);
    Optional<TestedKernels.Series> match = tested.of(v);
    if (match.isPresent()) {
      return Check.pass(id, title, "tested in CI: " + match.get().describe());
    }
    String where;
    if (series.compareTo(tested.oldest().version()) < 0) {
      where =
          "outside the tested range: older than the oldest series tested in CI, "
              + tested.oldest().describe();
    } else if (series.compareTo(tested.newest().version()) > 0) {
      where =
          "outside the tested range: newer than the newest series tested in CI, "
              + tested.newest().describe();
    } else {
      TestedKernels.Series below =
          tested.series().stream()
              .filter(s -> s.version().compareTo(series) < 0)
              .reduce((a, b) -> b)
              .orElseThrow();
      TestedKernels.Series above =
          tested.series().stream()
              .filter(s -> s.version().compareTo(series) > 0)
              .findFirst()
              .orElseThrow();
      where =
          "not tested: it lies between the series tested in CI, "
              + below.describe()
              + " and "
              + above.describe();
    }
    return Check.warn(
        id,
        title,
        series
            + " ("
            + r.value()
            + "): "
            + where
            + ". ftguard is built and tested on "
            + tested.describe()
            + " only",
        "to use it on this kernel all the same, build the module with this kernel's headers and"
            + " the compiler they were built with: ftguard load --kernel-release "
            + r.value()
            + " --build-root DIR, where DIR is a root file system (chroot) holding both;"
            + " docs/kernels.md");
  }

  // ---- configuration ----------------------------------------------------------------------

  static Check config(Facts f) {
    String id = "config";
    String title = "kernel config";
    String undecided =
        "; undecided without it: "
            + String.join(", ", CONFIG_OPTIONS)
            + ", and in part CONFIG_MODULE_SIG_FORCE (module signatures), CONFIG_X86_KERNEL_IBT"
            + " (IBT) and the options hook targets need (CONFIG_SECURITY,"
            + " CONFIG_SECURITY_NETWORK, CONFIG_BSD_PROCESS_ACCT)";
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
      default -> Check.warn(id, title, f.config().explain() + undecided, give);
    };
  }

  /**
   * A row for a bool option that must be built in. Undecided without a configuration; {@code =m} is
   * not built in.
   */
  private static Check option(
      Facts f, String option, String onDetail, String offDetail, String fix) {
    String id = "config." + option.substring("CONFIG_".length()).toLowerCase(java.util.Locale.ROOT);
    Optional<KernelConfig> c = f.knownConfig();
    if (c.isEmpty()) {
      return Check.warn(id, option, "undecided: no kernel configuration (see kernel config)", "");
    }
    return switch (c.get().state(option)) {
      case YES -> Check.pass(id, option, "=y" + (onDetail.isEmpty() ? "" : ": " + onDetail));
      case MODULE -> Check.fail(id, option, "=m, but it must be built in (=y): " + offDetail, fix);
      default -> Check.fail(id, option, c.get().describe(option) + ": " + offDetail, fix);
    };
  }

  static Check ftrace(Facts f) {
    return option(
        f,
        "CONFIG_FTRACE",
        "",
        "the kernel has no tracing infrastructure (Kernel hacking > Tracers)",
        "boot a kernel built with CONFIG_FTRACE=y (distribution kernels are)");
  }

  static Check functionTracer(Facts f) {
    return option(
        f,
        "CONFIG_FUNCTION_TRACER",
        "",
        "functions are built without the ftrace call at their entry, so none can be hooked",
        "boot a kernel built with CONFIG_FUNCTION_TRACER=y (Kernel hacking > Tracers > Kernel"
            + " Function Tracer)");
  }

  static Check dynamicFtrace(Facts f) {
    return option(
        f,
        "CONFIG_DYNAMIC_FTRACE",
        "",
        "ftrace cannot attach to single functions (ftrace_set_filter_ip needs the patchable call"
            + " sites of dynamic ftrace)",
        "boot a kernel built with CONFIG_DYNAMIC_FTRACE=y");
  }

  static Check withRegs(Facts f) {
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

  static Check fentry(Facts f) {
    return option(
        f,
        "CONFIG_HAVE_FENTRY",
        "the ftrace call is the first instruction of each function",
        "without fentry the ftrace call (mcount) comes after the function's prologue, where the"
            + " registers no longer hold the entry state a redirect needs",
        "an x86_64 kernel always has it: check that the configuration is an x86_64 one");
  }

  static Check kallsyms(Facts f) {
    return option(
        f,
        "CONFIG_KALLSYMS",
        "",
        "the module finds its hook targets by name in kallsyms (kmod/compat.h refuses to build"
            + " without it)",
        "boot a kernel built with CONFIG_KALLSYMS=y");
  }

  static Check kprobes(Facts f) {
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

  static Check modules(Facts f) {
    return option(
        f,
        "CONFIG_MODULES",
        "",
        "this kernel cannot load modules at all (finit_module fails with ENOSYS)",
        "boot a kernel built with CONFIG_MODULES=y (distribution kernels are); without one, ftguard"
            + " demo shows ftguard in a VM");
  }

  static Check moduleUnload(Facts f) {
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

  // ---- hook targets -----------------------------------------------------------------------

  private static String names(List<HookTargets.Target> ts) {
    return ts.stream().map(HookTargets.Target::symbol).collect(Collectors.joining(", "));
  }

  /** The options {@code t} needs that the configuration has not set; empty if unknown. */
  private static List<String> unmetNeeds(Facts f, HookTargets.Target t) {
    return f.knownConfig()
        .map(c -> t.needs().stream().filter(o -> !c.isYes(o)).toList())
        .orElse(List.of());
  }

  static Check hooksKallsyms(Facts f) {
    String id = "hooks.kallsyms";
    String title = "hook targets in kallsyms";
    int n = f.targets().size();
    if (f.symbols() instanceof Reading.Found<Set<String>> s) {
      List<String> missing = new ArrayList<>();
      for (HookTargets.Target t : f.targets()) {
        if (!s.value().contains(t.symbol())) {
          List<String> unmet = unmetNeeds(f, t);
          String hint =
              !unmet.isEmpty()
                  ? " (needs " + String.join(" and ", unmet) + ": not set)"
                  : t.needs().isEmpty() ? "" : " (needs " + String.join(" and ", t.needs()) + ")";
          missing.add(t.symbol() + hint);
        }
      }
      if (missing.isEmpty()) {
        return Check.pass(id, title, "all " + n + " found in " + s.source());
      }
      return Check.fail(
          id,
          title,
          missing.size()
              + " of "
              + n
              + " not in "
              + s.source()
              + ": "
              + String.join(", ", missing)
              + ". This kernel has no function by that name (compiled out, renamed or inlined),"
              + " and the module refuses to load when one is missing (ENOENT)",
          "boot a kernel built with the options named; otherwise this kernel cannot host those"
              + " hooks");
    }
    // No symbol list: the configuration may still show that a target cannot exist.
    List<String> impossible = new ArrayList<>();
    for (HookTargets.Target t : f.targets()) {
      List<String> unmet = unmetNeeds(f, t);
      if (!unmet.isEmpty()) {
        impossible.add(t.symbol() + " (" + String.join(" and ", unmet) + " not set)");
      }
    }
    if (!impossible.isEmpty()) {
      return Check.fail(
          id,
          title,
          "no symbol list ("
              + f.symbols().explain()
              + "), but the configuration rules out "
              + String.join(", ", impossible)
              + ": without those options the functions do not exist",
          "boot a kernel built with the options named");
    }
    String fix =
        switch (f.symbols()) {
          case Reading.Denied<Set<String>> d -> "run as root (sudo)";
          case Reading.Skipped<Set<String>> s -> "";
          default ->
              "give the symbol list with --kallsyms FILE (/proc/kallsyms of the kernel, or its System.map)";
        };
    return Check.warn(id, title, "undecided: " + f.symbols().explain(), fix);
  }

  /** A tracefs file that could not be read: warn, and say how to make it readable. */
  private static Check tracefsUnknown(Facts f, String id, String title, Reading<?> r) {
    return switch (r) {
      case Reading.Denied<?> d ->
          Check.warn(
              id,
              title,
              "needs root: " + d.what() + " (tracefs is readable by root only)",
              "run ftguard check as root (sudo) to check this");
      case Reading.Missing<?> m -> {
        List<String> fix = new ArrayList<>();
        if (f.lockdown().known().filter("confidentiality"::equals).isPresent()) {
          fix.add("lockdown=confidentiality hides tracefs: it cannot be checked on this boot");
        } else if (f.knownConfig().map(c -> !c.isYes("CONFIG_DYNAMIC_FTRACE")).orElse(false)) {
          fix.add(
              "without CONFIG_DYNAMIC_FTRACE there is nothing to check (see CONFIG_DYNAMIC_FTRACE)");
        } else {
          fix.add(
              "mount tracefs as root (mount -t tracefs nodev /sys/kernel/tracing), then run ftguard check again");
        }
        yield Check.warn(id, title, "undecided: " + m.what(), String.join("; ", fix));
      }
      case Reading.Skipped<?> s -> Check.warn(id, title, "not checked: " + s.why(), "");
      default -> Check.warn(id, title, "undecided: " + r.explain(), "");
    };
  }

  static Check hooksTraceable(Facts f) {
    String id = "hooks.traceable";
    String title = "hook targets traceable";
    if (!(f.traceable() instanceof Reading.Found<Set<String>> t)) {
      return tracefsUnknown(f, id, title, f.traceable());
    }
    // Targets missing from kallsyms are reported there.
    Set<String> known = f.symbols().known().orElse(null);
    List<HookTargets.Target> not =
        f.targets().stream()
            .filter(x -> known == null || known.contains(x.symbol()))
            .filter(x -> !t.value().contains(x.symbol()))
            .toList();
    long checked =
        f.targets().stream().filter(x -> known == null || known.contains(x.symbol())).count();
    if (not.isEmpty()) {
      return Check.pass(id, title, "all " + checked + " in " + t.source());
    }
    return Check.fail(
        id,
        title,
        "not in "
            + t.source()
            + ": "
            + names(not)
            + ". ftrace cannot attach to "
            + (not.size() == 1 ? "it" : "them")
            + " (marked notrace, inlined into callers, or in a section ftrace skips), so"
            + " ftrace_set_filter_ip fails and the module refuses to load",
        "nothing to set: this kernel build cannot host "
            + (not.size() == 1 ? "that hook" : "those hooks"));
  }

  static Check hooksIpModify(Facts f) {
    String id = "hooks.ipmodify";
    String title = "hook targets free (IPMODIFY)";
    if (!(f.enabled() instanceof Reading.Found<Map<String, EnabledFunction>> e)) {
      return tracefsUnknown(f, id, title, f.enabled());
    }
    List<String> taken = new ArrayList<>();
    List<String> ours = new ArrayList<>();
    List<String> direct = new ArrayList<>();
    for (HookTargets.Target t : f.targets()) {
      EnabledFunction line = e.value().get(t.symbol());
      if (line == null || !t.ipModify()) {
        continue; // a probe does not modify the IP: any other user may share the function
      }
      if (line.ipModify()) {
        if (f.ftguardLoaded() || line.ownedBy("ftguard")) {
          ours.add(t.symbol());
        } else {
          taken.add(
              t.symbol()
                  + " ("
                  + line.count()
                  + " user"
                  + (line.count() == 1 ? "" : "s")
                  + ", flags "
                  + line.flagString()
                  + ")");
        }
      } else if (line.direct()) {
        direct.add(t.symbol());
      }
    }
    if (!taken.isEmpty()) {
      return Check.fail(
          id,
          title,
          "already modified by another IPMODIFY ftrace user (livepatch, or another hooking"
              + " module): "
              + String.join(", ", taken)
              + " in "
              + e.source()
              + ". Only one ftrace_ops per function may change the instruction pointer:"
              + " registering ftguard's hook fails with EBUSY, and the module loads all hooks or"
              + " none",
          "find the other user (the callback in enabled_functions; ls /sys/kernel/livepatch) and"
              + " disable it (a livepatch: echo 0 > /sys/kernel/livepatch/NAME/enabled) or unload"
              + " its module");
    }
    if (!direct.isEmpty()) {
      return Check.warn(
          id,
          title,
          "a direct trampoline (a BPF fentry/fexit program) is attached to "
              + String.join(", ", direct)
              + ": since 6.0 a BPF trampoline can share a function with an IPMODIFY user; on older"
              + " kernels, or with other direct-call users, registering ftguard's hook fails with"
              + " EBUSY",
          "if ftguard load fails as busy, detach that BPF program (bpftool link list)");
    }
    if (!ours.isEmpty()) {
      return Check.pass(
          id, title, "held by ftguard itself (the module is loaded): " + String.join(", ", ours));
    }
    return Check.pass(id, title, "none is modified by another ftrace user (" + e.source() + ")");
  }

  /**
   * The functions policies hook by name: in kallsyms, traceable, and (for a hook with a deny rule)
   * not redirected by another ftrace user. A declared hook that cannot attach does not stop the
   * table or the other hooks, so problems are warnings.
   */
  public static Check declaredHooks(Facts f) {
    String id = "policy.hooks";
    String title = "functions the policies hook";
    List<String> problems = new ArrayList<>();
    List<String> undecided = new ArrayList<>();
    Set<String> symbols = f.symbols().known().orElse(null);
    Set<String> traceable = f.traceable().known().orElse(null);
    Map<String, EnabledFunction> enabled = f.enabled().known().orElse(null);
    for (Facts.DeclaredHook d : f.declared()) {
      String fn = d.function();
      if (symbols != null && !symbols.contains(fn)) {
        problems.add(fn + " (" + d.where() + "): not in kallsyms: no such function in this kernel");
        continue;
      }
      if (traceable != null && !traceable.contains(fn)) {
        problems.add(
            fn
                + " ("
                + d.where()
                + "): not traceable (not in available_filter_functions: inlined, notrace or init code)");
        continue;
      }
      EnabledFunction line = enabled == null ? null : enabled.get(fn);
      if (d.mayDeny()
          && line != null
          && line.ipModify()
          && !(f.ftguardLoaded() || line.ownedBy("ftguard"))) {
        problems.add(
            fn
                + " ("
                + d.where()
                + "): already redirected by another ftrace user, so its deny rules cannot attach (EBUSY)");
      }
      if (d.mayDeny()
          && f.targets().stream().anyMatch(t -> t.ipModify() && t.symbol().equals(fn))) {
        problems.add(
            fn
                + " ("
                + d.where()
                + "): the module's built-in hooks redirect it; a deny rule on it cannot attach (EBUSY): audit it, or use the built-in event");
      }
    }
    if (symbols == null) {
      undecided.add("kallsyms: " + f.symbols().explain());
    }
    if (traceable == null) {
      undecided.add("traceability: " + f.traceable().explain());
    }
    int n = f.declared().size();
    if (!problems.isEmpty()) {
      return Check.warn(
          id,
          title,
          problems.size()
              + " of "
              + n
              + " will not be hooked: "
              + String.join("; ", problems)
              + ". The table loads all the same; the rules on these functions do nothing",
          "fix the function names, or remove those hooks and their rules");
    }
    if (!undecided.isEmpty()) {
      return Check.warn(
          id, title, "not checked: " + String.join("; ", undecided), "run as root (sudo) to check");
    }
    return Check.pass(id, title, "all " + n + " in kallsyms and traceable");
  }

  // ---- loading the module -----------------------------------------------------------------

  private static Optional<String> cmdlineParam(Facts f, String name) {
    return f.cmdline()
        .known()
        .flatMap(
            c ->
                Arrays.stream(c.split("\\s+"))
                    .filter(t -> t.startsWith(name + "="))
                    .map(t -> t.substring(name.length() + 1))
                    .reduce((a, b) -> b));
  }

  private static Check lockdownMode(String mode, String how) {
    String id = "lockdown";
    String title = "kernel lockdown";
    return switch (mode) {
      case "none" -> Check.pass(id, title, "none" + how);
      case "integrity" ->
          Check.fail(
              id,
              title,
              "integrity"
                  + how
                  + ": the kernel refuses modules without a valid signature from a key it trusts,"
                  + " and ftguard load builds an unsigned one",
              SIGN_FIX);
      case "confidentiality" ->
          Check.fail(
              id,
              title,
              "confidentiality"
                  + how
                  + ": the kernel refuses modules without a valid signature from a key it trusts"
                  + " (ftguard load builds an unsigned one), and tracefs is hidden even from root",
              SIGN_FIX);
      default -> Check.warn(id, title, "unknown mode '" + mode + "'" + how, "");
    };
  }

  static Check lockdown(Facts f) {
    if (f.lockdown() instanceof Reading.Found<String> l) {
      return lockdownMode(l.value(), "");
    }
    String why = f.lockdown().explain();
    Optional<KernelConfig> c = f.knownConfig();
    if (c.isPresent() && !c.get().isYes("CONFIG_SECURITY_LOCKDOWN_LSM")) {
      return Check.pass(
          "lockdown",
          "kernel lockdown",
          "none: the lockdown LSM is not built (CONFIG_SECURITY_LOCKDOWN_LSM not set)");
    }
    if (c.isPresent() && c.get().isYes("CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY")) {
      return lockdownMode(
          "confidentiality", " (forced by CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY)");
    }
    if (c.isPresent() && c.get().isYes("CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY")) {
      return lockdownMode("integrity", " (forced by CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY)");
    }
    Optional<String> param = cmdlineParam(f, "lockdown");
    if (param.isPresent()) {
      return lockdownMode(
          param.get(), " (lockdown=" + param.get() + " on the kernel command line)");
    }
    boolean secureBootLock =
        c.map(k -> k.isYes("CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT")).orElse(false);
    if (secureBootLock && f.secureBoot().known().orElse(false)) {
      return lockdownMode(
          "integrity", " (Secure Boot is on and CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT=y)");
    }
    boolean sbDecided = !secureBootLock || f.secureBoot().known().isPresent();
    if (c.isPresent() && f.cmdline().known().isPresent() && sbDecided) {
      return Check.pass(
          "lockdown",
          "kernel lockdown",
          "none: "
              + why
              + ", but neither the configuration, the kernel command line nor Secure Boot turns it on");
    }
    return Check.warn(
        "lockdown",
        "kernel lockdown",
        "undecided: " + why,
        f.lockdown() instanceof Reading.Missing<String>
            ? "mount securityfs (mount -t securityfs securityfs /sys/kernel/security) and run ftguard check again"
            : "");
  }

  static Check signatures(Facts f) {
    String id = "module.signature";
    String title = "module signatures";
    Optional<KernelConfig> c = f.knownConfig();
    boolean forced = c.map(k -> k.isYes("CONFIG_MODULE_SIG_FORCE")).orElse(false);
    String enforced =
        ": the kernel refuses unsigned modules (EKEYREJECTED), and ftguard load builds an unsigned one";
    if (f.sigEnforce() instanceof Reading.Found<Boolean> s) {
      if (s.value()) {
        return Check.fail(
            id,
            title,
            "enforced (module.sig_enforce=Y"
                + (forced ? ", CONFIG_MODULE_SIG_FORCE=y" : "")
                + ")"
                + enforced,
            SIGN_FIX);
      }
      return Check.pass(
          id,
          title,
          "not enforced (module.sig_enforce=N): an unsigned module loads and taints the kernel (E)");
    }
    if (forced) {
      return Check.fail(id, title, "enforced (CONFIG_MODULE_SIG_FORCE=y)" + enforced, SIGN_FIX);
    }
    Optional<String> param = cmdlineParam(f, "module.sig_enforce");
    if (param.filter(p -> p.equals("1") || p.equalsIgnoreCase("y")).isPresent()) {
      return Check.fail(
          id,
          title,
          "enforced (module.sig_enforce=" + param.get() + " on the kernel command line)" + enforced,
          SIGN_FIX);
    }
    if (c.isPresent()) {
      String detail =
          c.get().isYes("CONFIG_MODULE_SIG")
              ? "not forced by the configuration (CONFIG_MODULE_SIG_FORCE not set; module.sig_enforce=1 on the command line would)"
              : "no module signing in this kernel (CONFIG_MODULE_SIG not set)";
      return Check.pass(id, title, detail);
    }
    return Check.warn(
        id, title, "undecided: " + f.sigEnforce().explain() + ", and no kernel configuration", "");
  }

  static Check secureBoot(Facts f) {
    String id = "secure_boot";
    String title = "Secure Boot";
    return switch (f.secureBoot()) {
      case Reading.Found<Boolean> s when s.value() -> {
        boolean lockdownNone = f.lockdown().known().filter("none"::equals).isPresent();
        boolean notEnforced = f.sigEnforce().known().filter(x -> !x).isPresent();
        if (lockdownNone && notEnforced) {
          yield Check.pass(
              id,
              title,
              "on, but this kernel neither locks down nor enforces module signatures: unsigned"
                  + " modules load");
        }
        yield Check.warn(
            id,
            title,
            "on ("
                + s.source()
                + "): distribution kernels (Debian, Ubuntu, Fedora, RHEL) lock down to integrity"
                + " under Secure Boot, and then an unsigned module will not load",
            SIGN_FIX);
      }
      case Reading.Found<Boolean> s -> Check.pass(id, title, "off (" + s.source() + ")");
      default ->
          Check.warn(
              id,
              title,
              "undecided: " + f.secureBoot().explain(),
              "mokutil --sb-state tells whether it is on");
    };
  }

  static Check ibt(Facts f) {
    String id = "ibt";
    String title = "indirect branch tracking";
    Optional<KernelConfig> c = f.knownConfig();
    Optional<Boolean> cpu = f.cpuFlags().known().map(s -> s.contains("ibt"));
    State built = c.map(k -> k.state("CONFIG_X86_KERNEL_IBT")).orElse(null);
    if (built != null && built != State.YES) {
      return Check.pass(
          id,
          title,
          "the kernel is built without it (CONFIG_X86_KERNEL_IBT "
              + c.get().describe("CONFIG_X86_KERNEL_IBT")
              + ")");
    }
    if (cpu.isPresent() && !cpu.get()) {
      return Check.pass(
          id,
          title,
          built == State.YES
              ? "off: the kernel supports it, but the CPU flags have no ibt (the CPU lacks it, or ibt=off)"
              : "off: the CPU flags have no ibt");
    }
    List<String> wrapped =
        f.targets().stream()
            .filter(HookTargets.Target::wrapped)
            .map(HookTargets.Target::symbol)
            .toList();
    String why =
        ": an indirect call must land on an ENDBR instruction, and the kernel seals (overwrites)"
            + " the ENDBR of functions it never calls through a pointer. ftguard's wrappers call "
            + String.join(", ", wrapped)
            + " through a pointer; calling a sealed one would trap, so the module reads each one's"
            + " first instruction at load time and refuses to load (EOPNOTSUPP, the function named"
            + " in dmesg) rather than crash. Entering past the fentry site (ftguard load"
            + " --call-mode skip) is refused under IBT for the same reason";
    String fix =
        "nothing if ftguard load succeeds (with the default --call-mode guard); if it refuses a"
            + " sealed function, boot with ibt=off to hook it";
    if (cpu.isPresent()) {
      return Check.warn(
          id,
          title,
          "on (CPU flag ibt"
              + (built == State.YES
                  ? ", CONFIG_X86_KERNEL_IBT=y"
                  : "; the configuration is not known")
              + ")"
              + why,
          fix);
    }
    if (built == State.YES) {
      return Check.warn(
          id,
          title,
          "CONFIG_X86_KERNEL_IBT=y, on when the CPU has IBT (the CPU flags are not known: "
              + f.cpuFlags().explain()
              + ")"
              + why,
          fix);
    }
    return Check.warn(
        id, title, "undecided: no kernel configuration, and " + f.cpuFlags().explain(), "");
  }

  static Check headers(Facts f) {
    String id = "headers";
    String title = "kernel headers";
    String release = f.release().known().orElse("RELEASE");
    return switch (f.headers()) {
      case Reading.Found<java.nio.file.Path> h -> Check.pass(id, title, h.value().toString());
      case Reading.Missing<java.nio.file.Path> m ->
          Check.fail(
              id,
              title,
              m.what() + ": ftguard load cannot build the module for " + release + " (exit 7)",
              "apt-get install linux-headers-"
                  + release
                  + " (Debian, Ubuntu; dnf install kernel-devel-"
                  + release
                  + " on Fedora), or build it elsewhere and load it with ftguard load --ko FILE");
      default ->
          Check.warn(
              id, title, "undecided: " + f.headers().explain(), "give the release with --release");
    };
  }
}
