package dev.ftguard.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The machine and the kernel release: the architecture, the version ftguard supports, and whether
 * ftguard was tested on this kernel.
 */
final class ReleaseRules {
  private ReleaseRules() {}

  static Check arch(KernelReadings f) {
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

  /** The warning when the release or its version cannot be read; null when the version is known. */
  private static Check versionUnknown(KernelReadings f, String id, String title, String what) {
    String give = "give it with --release (uname -r)";
    if (!(f.release() instanceof Reading.Found<String> r)) {
      return Check.warn(id, title, "not known: " + f.release().explain(), give);
    }
    if (f.version().isEmpty()) {
      return Check.warn(
          id, title, "cannot read " + what + " from the release '" + r.value() + "'", give);
    }
    return null;
  }

  static Check version(KernelReadings f) {
    String id = "kernel.version";
    String title = "kernel version";
    Check unknown = versionUnknown(f, id, title, "a version");
    if (unknown != null || !(f.release() instanceof Reading.Found<String> r)) {
      return unknown;
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

  static Check tested(KernelReadings f) {
    return tested(f, TestedKernels.builtIn());
  }

  /**
   * Where the kernel stands against the series ftguard is built and tested for ({@code
   * kmod/kernels.conf}): pass for a tested series, a warning outside them. Only the series
   * (major.minor) counts, not the distribution.
   */
  static Check tested(KernelReadings f, TestedKernels tested) {
    String id = "kernel.tested";
    String title = "tested kernel series";
    Check unknown = versionUnknown(f, id, title, "a series (MAJOR.MINOR)");
    if (unknown != null || !(f.release() instanceof Reading.Found<String> r)) {
      return unknown;
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
}
