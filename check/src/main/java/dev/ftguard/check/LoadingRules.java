package dev.ftguard.check;

import dev.ftguard.check.KernelConfig.State;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Loading the module: lockdown, signatures, Secure Boot, indirect branch tracking and the kernel
 * headers to build against.
 */
final class LoadingRules {
  private LoadingRules() {}

  static final String SIGN_FIX =
      "sign the module with a key the kernel trusts: enroll a MOK key once (mokutil --import"
          + " MOK.der, reboot, confirm in MokManager), build (ftguard load --build-only prints the"
          + " module's path), sign it (/lib/modules/$(uname -r)/build/scripts/sign-file sha256"
          + " MOK.priv MOK.der ftguard.ko, or kmodsign sha512 MOK.priv MOK.der ftguard.ko) and load"
          + " it with ftguard load --ko FILE; docs/check.md has every step";

  private static Optional<String> cmdlineParam(KernelReadings f, String name) {
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

  static Check lockdown(KernelReadings f) {
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

  static Check signatures(KernelReadings f) {
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

  static Check secureBoot(KernelReadings f) {
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
      case Reading.Missing<Boolean> _,
          Reading.Denied<Boolean> _,
          Reading.Broken<Boolean> _,
          Reading.Skipped<Boolean> _ ->
          Check.warn(
              id,
              title,
              "undecided: " + f.secureBoot().explain(),
              "mokutil --sb-state tells whether it is on");
    };
  }

  static Check ibt(KernelReadings f) {
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
            + " --call-mode skip) is refused under IBT for the same reason, and the default"
            + " (--call-mode auto) calls through the fentry site (guard) there";
    String fix =
        "nothing if ftguard load succeeds (the default --call-mode auto uses guard under IBT);"
            + " if it refuses a sealed function, boot with ibt=off to hook it";
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

  static Check headers(KernelReadings f) {
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
      case Reading.Denied<java.nio.file.Path> _,
          Reading.Broken<java.nio.file.Path> _,
          Reading.Skipped<java.nio.file.Path> _ ->
          Check.warn(
              id, title, "undecided: " + f.headers().explain(), "give the release with --release");
    };
  }
}
