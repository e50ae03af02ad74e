package dev.ftguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule against a fake host ({@link Host}): healthy first, then one thing changed. */
class RulesTest {
  @TempDir Path tmp;
  Host host;

  @BeforeEach
  void setUp() {
    host = new Host(tmp);
  }

  static Check status(Check c, Status s) {
    assertThat(c.status()).as(c.id() + ": " + c.detail()).isEqualTo(s);
    return c;
  }

  // ---- a healthy host -----------------------------------------------------------------------

  @Test
  void aHealthyHostPassesEverything() {
    Report r = host.report();
    assertThat(r.checks())
        .allSatisfy(
            c -> assertThat(c.status()).as(c.id() + ": " + c.detail()).isEqualTo(Status.PASS));
    assertThat(r.checks())
        .extracting(Check::id)
        .containsExactly(
            "arch",
            "kernel.version",
            "kernel.tested",
            "config",
            "config.ftrace",
            "config.function_tracer",
            "config.dynamic_ftrace",
            "config.dynamic_ftrace_with_regs",
            "config.have_fentry",
            "config.kallsyms",
            "config.kprobes",
            "config.modules",
            "config.module_unload",
            "hooks.kallsyms",
            "hooks.traceable",
            "hooks.ipmodify",
            "hooks.ftrace_enabled",
            "lockdown",
            "module.signature",
            "secure_boot",
            "ibt",
            "headers");
    assertThat(r.exitCode()).isZero();
    assertThat(r.release()).contains(Host.RELEASE);
    assertThat(r.machine()).contains("x86_64");
    assertThat(host.check("config").detail())
        .isEqualTo("read from " + host.path("/proc/config.gz"));
    assertThat(host.check("hooks.kallsyms").detail())
        .isEqualTo("all " + HookTargets.TABLE.size() + " found in " + host.path("/proc/kallsyms"));
    assertThat(host.check("hooks.traceable").detail())
        .isEqualTo(
            "all "
                + HookTargets.TABLE.size()
                + " in "
                + host.path("/sys/kernel/tracing/available_filter_functions"));
    assertThat(host.check("kernel.version").detail())
        .isEqualTo(
            "6.1 (6.1.0-13-amd64): IPMODIFY (3.19+), system calls hooked as __x64_sys_* (4.17+),"
                + " kallsyms_lookup_name found through a kprobe (5.7+)");
    assertThat(host.check("kernel.tested").detail())
        .isEqualTo("tested in CI: Debian 6.1 (bookworm)");
    assertThat(host.check("headers").detail())
        .isEqualTo(host.path("/lib/modules/6.1.0-13-amd64/build").toString());
  }

  // ---- architecture and version -------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"i686", "i386", "x86"})
  void thirtyTwoBitX86FailsAndSaysWhy(String machine) {
    host.write("/proc/sys/kernel/arch", machine + "\n");
    Check c = status(host.check("arch"), Status.FAIL);
    assertThat(c.detail())
        .startsWith(machine + ": 32-bit x86 cannot host ftguard")
        .contains("-mregparm=3")
        .contains("__x64_sys_*")
        .contains("__ia32_sys_*")
        .contains("kmod/compat.h");
    assertThat(c.fix()).contains("x86_64");
  }

  @Test
  void otherArchitecturesFail() {
    host.given(
        new GivenFiles.Given(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of("aarch64")));
    Check c = status(host.check("arch"), Status.FAIL);
    assertThat(c.detail()).startsWith("aarch64: ftguard runs on x86_64 only");
  }

  @Test
  void unknownMachineWarns() {
    host.delete("/proc/sys/kernel/arch");
    Check c = status(host.check("arch"), Status.WARN);
    assertThat(c.detail())
        .isEqualTo("not known: " + host.path("/proc/sys/kernel/arch") + " does not exist");
    assertThat(c.fix()).contains("--machine");
  }

  @Test
  void theJvmArchIsTheFallbackOnOldKernels() {
    host.delete("/proc/sys/kernel/arch");
    assertThat(new LiveSystem(host.root, "amd64", java.nio.file.Files::newInputStream).machine())
        .isEqualTo(Reading.found("x86_64", "the JVM's os.arch (amd64)"));
    assertThat(LiveSystem.fromJvmArch("i386")).isEqualTo("i686");
    assertThat(LiveSystem.fromJvmArch("aarch64")).isEqualTo("aarch64");
  }

  @Test
  void versionTooOldForIpModify() {
    release("3.18.140-generic");
    Check c = status(host.check("kernel.version"), Status.FAIL);
    assertThat(c.detail())
        .startsWith("3.18.140 (3.18.140-generic): too old")
        .contains("came in Linux 3.19");
    assertThat(c.fix()).isEqualTo("run Linux 3.19 or later");
  }

  @Test
  void version319IsEnoughAndUsesTheOldSystemCallNames() {
    release("3.19.0");
    Check c = status(host.check("kernel.version"), Status.PASS);
    assertThat(c.detail())
        .contains("system calls hooked as sys_* (before 4.17)")
        .contains("exported (before 5.7)");
    assertThat(host.facts().targets())
        .extracting(HookTargets.Target::symbol)
        .contains("sys_execve", "sys_execveat");
  }

  @Test
  void unparseableReleaseWarns() {
    host.write("/proc/sys/kernel/osrelease", "weird\n");
    Check c = status(host.check("kernel.version"), Status.WARN);
    assertThat(c.detail()).isEqualTo("cannot read a version from the release 'weird'");
  }

  // ---- the tested kernel series (kmod/kernels.conf) -----------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "5.10.0-46-amd64=Debian 5.10 (bullseye)",
        "6.1.0-13-amd64=Debian 6.1 (bookworm)",
        "6.1.158-1=Debian 6.1 (bookworm)",
        "6.12.118+deb13-amd64=Debian 6.12 (trixie)",
        "7.2.13+deb14-amd64=Debian 7.2 (sid)"
      })
  void aTestedSeriesPasses(String releaseAndSeries) {
    String[] rs = releaseAndSeries.split("=");
    release(rs[0]);
    Check c = status(host.check("kernel.tested"), Status.PASS);
    assertThat(c.title()).isEqualTo("tested kernel series");
    assertThat(c.detail()).isEqualTo("tested in CI: " + rs[1]);
    assertThat(c.fix()).isEmpty();
  }

  static final String TESTED =
      ". ftguard is built and tested on 5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), 7.2 (sid) only";

  @Test
  void olderThanTheOldestSeriesIsOutsideTheTestedRange() {
    release("5.4.0-150-generic");
    Check c = status(host.check("kernel.tested"), Status.WARN);
    assertThat(c.detail())
        .isEqualTo(
            "5.4 (5.4.0-150-generic): outside the tested range: older than the oldest series tested"
                + " in CI, Debian 5.10 (bullseye)"
                + TESTED);
    assertThat(c.fix())
        .isEqualTo(
            "to use it on this kernel all the same, build the module with this kernel's headers and"
                + " the compiler they were built with: ftguard load --kernel-release 5.4.0-150-generic"
                + " --build-root DIR, where DIR is a root file system (chroot) holding both;"
                + " docs/kernels.md");
    assertThat(host.check("kernel.version").status())
        .isEqualTo(Status.PASS); // it can host the hooks
  }

  @Test
  void newerThanTheNewestSeriesIsOutsideTheTestedRange() {
    release("7.5.1-amd64");
    Check c = status(host.check("kernel.tested"), Status.WARN);
    assertThat(c.detail())
        .isEqualTo(
            "7.5 (7.5.1-amd64): outside the tested range: newer than the newest series tested in"
                + " CI, Debian 7.2 (sid)"
                + TESTED);
    assertThat(c.fix()).contains("ftguard load --kernel-release 7.5.1-amd64 --build-root DIR");
  }

  @ParameterizedTest
  @ValueSource(strings = {"6.6.0-1-amd64", "6.11.2", "6.2.0"})
  void aSeriesBetweenTestedOnesIsNotTested(String r) {
    release(r);
    Check c = status(host.check("kernel.tested"), Status.WARN);
    KernelVersion v = KernelVersion.parse(r).orElseThrow();
    assertThat(c.detail())
        .isEqualTo(
            v.major()
                + "."
                + v.minor()
                + " ("
                + r
                + "): not tested: it lies between the series tested in CI, Debian 6.1 (bookworm)"
                + " and Debian 6.12 (trixie)"
                + TESTED);
    assertThat(c.detail() + c.fix()).doesNotContain("should work");
    assertThat(c.fix()).contains("--build-root DIR").contains("docs/kernels.md");
  }

  @Test
  void theTestedRowNeedsTheRelease() {
    host.delete("/proc/sys/kernel/osrelease");
    Check c = status(host.check("kernel.tested"), Status.WARN);
    assertThat(c.detail())
        .isEqualTo("not known: " + host.path("/proc/sys/kernel/osrelease") + " does not exist");
    assertThat(c.fix()).isEqualTo("give it with --release (uname -r)");
    host.write("/proc/sys/kernel/osrelease", "weird\n");
    c = status(host.check("kernel.tested"), Status.WARN);
    assertThat(c.detail()).isEqualTo("cannot read a series (MAJOR.MINOR) from the release 'weird'");
  }

  @Test
  void theTestedRowUsesTheSeriesItIsGiven() {
    TestedKernels one = TestedKernels.parse("6.6 trixie - gcc-14 default\n", "test.conf");
    KernelReadings f = host.facts();
    assertThat(ReleaseRules.tested(f, one).detail())
        .isEqualTo(
            "6.1 (6.1.0-13-amd64): outside the tested range: older than the oldest series tested in"
                + " CI, Debian 6.6 (trixie). ftguard is built and tested on 6.6 (trixie) only");
  }

  /** Checks another release: its config is /boot/config-R. */
  private void release(String r) {
    host.write("/boot/config-" + r, host.configText().replace("6.1.55", r));
    host.given(
        new GivenFiles.Given(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(r),
            Optional.empty()));
  }

  // ---- configuration ------------------------------------------------------------------------

  @Test
  void noConfigAnywhereSaysWhereItLookedAndWhatIsUndecided() {
    host.delete("/proc/config.gz");
    Check c = status(host.check("config"), Status.WARN);
    assertThat(c.detail())
        .startsWith(
            "no kernel configuration: "
                + host.path("/proc/config.gz")
                + " and "
                + host.path("/boot/config-" + Host.RELEASE)
                + " do not exist")
        .contains("CONFIG_IKCONFIG_PROC")
        .contains(
            "undecided without it: CONFIG_FTRACE, CONFIG_FUNCTION_TRACER, CONFIG_DYNAMIC_FTRACE,"
                + " CONFIG_DYNAMIC_FTRACE_WITH_REGS, CONFIG_HAVE_FENTRY, CONFIG_KALLSYMS,"
                + " CONFIG_KPROBES, CONFIG_MODULES, CONFIG_MODULE_UNLOAD");
    assertThat(c.fix()).contains("--config FILE");
    for (String id :
        List.of(
            "config.ftrace",
            "config.kprobes",
            "config.modules",
            "config.dynamic_ftrace_with_regs")) {
      Check o = status(host.check(id), Status.WARN);
      assertThat(o.detail()).isEqualTo("undecided: no kernel configuration (see kernel config)");
      assertThat(o.fix()).isEmpty();
    }
    // what the running system still tells is decided
    status(host.check("hooks.kallsyms"), Status.PASS);
    status(host.check("lockdown"), Status.PASS);
    status(host.check("module.signature"), Status.PASS);
    status(host.check("ibt"), Status.PASS);
    assertThat(host.report().exitCode()).isEqualTo(1);
  }

  @Test
  void bootConfigIsTheFallback() {
    host.delete("/proc/config.gz");
    host.write("/boot/config-" + Host.RELEASE, host.configText());
    Check c = status(host.check("config"), Status.PASS);
    assertThat(c.detail()).isEqualTo("read from " + host.path("/boot/config-" + Host.RELEASE));
  }

  @Test
  void aConfigOfAnotherVersionWarns() {
    host.configHeader = "# Linux/x86 5.10.0 Kernel Configuration";
    host.writeConfig();
    Check c = status(host.check("config"), Status.WARN);
    assertThat(c.detail())
        .contains("it is the configuration of Linux 5.10 and the kernel checked is 6.1");
  }

  @Test
  void aFileThatIsNotAConfigWarns() {
    host.delete("/proc/config.gz").write("/proc/config.gz", "hello\n");
    Check c = status(host.check("config"), Status.WARN);
    assertThat(c.detail())
        .startsWith("cannot use " + host.path("/proc/config.gz") + ": no CONFIG_ lines");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CONFIG_FTRACE",
        "CONFIG_FUNCTION_TRACER",
        "CONFIG_DYNAMIC_FTRACE",
        "CONFIG_HAVE_FENTRY",
        "CONFIG_KALLSYMS",
        "CONFIG_KPROBES",
        "CONFIG_MODULES"
      })
  void aMissingOptionFails(String option) {
    host.option(option, null);
    Check c = status(host.check(id(option)), Status.FAIL);
    assertThat(c.title()).isEqualTo(option);
    assertThat(c.detail()).startsWith("not set: ");
    assertThat(c.fix()).isNotEmpty();
    assertThat(host.report().exitCode()).isEqualTo(2);
    // absent altogether is the same as "is not set"
    host.config.remove(option);
    host.writeConfig();
    assertThat(host.check(id(option)).detail()).startsWith("not set: ");
  }

  @Test
  void aBoolOptionSetToModuleIsNotBuiltIn() {
    host.option("CONFIG_KPROBES", "m");
    Check c = status(host.check("config.kprobes"), Status.FAIL);
    assertThat(c.detail())
        .startsWith("=m, but it must be built in (=y): since 5.7 kallsyms_lookup_name");
  }

  @Test
  void modulesOffSaysSo() {
    host.option("CONFIG_MODULES", null).option("CONFIG_MODULE_UNLOAD", null);
    Check c = status(host.check("config.modules"), Status.FAIL);
    assertThat(c.detail())
        .isEqualTo(
            "not set: this kernel cannot load modules at all (finit_module fails with ENOSYS)");
    assertThat(c.fix()).contains("ftguard demo");
  }

  @Test
  void moduleUnloadOffOnlyWarns() {
    host.option("CONFIG_MODULE_UNLOAD", null);
    Check c = status(host.check("config.module_unload"), Status.WARN);
    assertThat(c.detail()).contains("can never be unloaded");
    assertThat(host.report().exitCode()).isEqualTo(1);
  }

  @Test
  void withArgsOnlyIsExplained() {
    host.option("CONFIG_DYNAMIC_FTRACE_WITH_REGS", null);
    Check c = status(host.check("config.dynamic_ftrace_with_regs"), Status.FAIL);
    assertThat(c.detail())
        .startsWith("not set; this kernel offers only CONFIG_DYNAMIC_FTRACE_WITH_ARGS")
        .contains("FTRACE_OPS_FL_SAVE_REGS (EINVAL)")
        .contains("IPMODIFY can only be set with SAVE_REGS");
    host.option("CONFIG_DYNAMIC_FTRACE_WITH_ARGS", null);
    assertThat(status(host.check("config.dynamic_ftrace_with_regs"), Status.FAIL).detail())
        .startsWith("not set: the module needs SAVE_REGS and IPMODIFY");
  }

  @Test
  void kprobesAreNeededFrom57On() {
    host.option("CONFIG_KPROBES", null);
    release("5.7.0-1-amd64");
    assertThat(status(host.check("config.kprobes"), Status.FAIL).detail())
        .startsWith("not set: since 5.7");
    release("5.6.19");
    assertThat(status(host.check("config.kprobes"), Status.PASS).detail())
        .isEqualTo(
            "not set: not needed before 5.7, where kallsyms_lookup_name is exported to modules");
  }

  private static String id(String option) {
    return "config." + option.substring(7).toLowerCase(java.util.Locale.ROOT);
  }

  // ---- hook targets -------------------------------------------------------------------------

  @Test
  void aTargetMissingFromKallsymsFails() {
    String syms =
        read("/proc/kallsyms").replace("T security_file_open\n", "T security_file_open.cold\n");
    host.write("/proc/kallsyms", syms);
    Check c = status(host.check("hooks.kallsyms"), Status.FAIL);
    assertThat(c.detail())
        .startsWith(
            "1 of "
                + HookTargets.TABLE.size()
                + " not in "
                + host.path("/proc/kallsyms")
                + ": security_file_open (needs CONFIG_SECURITY).")
        .contains("refuses to load when one is missing (ENOENT)");
    // reported once: traceability is only about the targets that exist
    assertThat(status(host.check("hooks.traceable"), Status.PASS).detail())
        .startsWith("all " + (HookTargets.TABLE.size() - 1) + " in ");
  }

  @Test
  void aMissingTargetNamesTheOptionThatIsOff() {
    host.option("CONFIG_BSD_PROCESS_ACCT", null);
    host.write(
        "/proc/kallsyms", read("/proc/kallsyms").replace("0000000000000000 T acct_collect\n", ""));
    Check c = status(host.check("hooks.kallsyms"), Status.FAIL);
    assertThat(c.detail()).contains(": acct_collect (needs CONFIG_BSD_PROCESS_ACCT: not set).");
  }

  @Test
  void withoutSymbolsTheConfigCanStillRuleOutATarget() {
    host.delete("/proc/kallsyms").option("CONFIG_SECURITY_NETWORK", null);
    Check c = status(host.check("hooks.kallsyms"), Status.FAIL);
    assertThat(c.detail())
        .startsWith("no symbol list (" + host.path("/proc/kallsyms") + " does not exist)")
        .contains("rules out security_socket_connect (CONFIG_SECURITY_NETWORK not set)");
    host.option("CONFIG_SECURITY_NETWORK", "y");
    Check w = status(host.check("hooks.kallsyms"), Status.WARN);
    assertThat(w.detail())
        .isEqualTo("undecided: " + host.path("/proc/kallsyms") + " does not exist");
    assertThat(w.fix()).contains("--kallsyms FILE");
  }

  @Test
  void aTargetNotTraceableFails() {
    String f = read("/sys/kernel/tracing/available_filter_functions").replace("commit_creds\n", "");
    host.write("/sys/kernel/tracing/available_filter_functions", f);
    Check c = status(host.check("hooks.traceable"), Status.FAIL);
    assertThat(c.detail())
        .startsWith(
            "not in "
                + host.path("/sys/kernel/tracing/available_filter_functions")
                + ": commit_creds. ftrace cannot attach to it")
        .contains("ftrace_set_filter_ip fails");
    assertThat(c.fix()).isEqualTo("nothing to set: this kernel build cannot host that hook");
  }

  @Test
  void unreadableTracefsWarnsNeedsRoot() {
    host.rootOnly.add("/sys/kernel/tracing");
    host.rootOnly.add("/sys/kernel/debug");
    Check t = status(host.check("hooks.traceable"), Status.WARN);
    assertThat(t.detail())
        .isEqualTo(
            "needs root: "
                + host.path("/sys/kernel/tracing/available_filter_functions")
                + " and "
                + host.path("/sys/kernel/debug/tracing/available_filter_functions")
                + " (tracefs is readable by root only)");
    assertThat(t.fix()).isEqualTo("run ftguard check as root (sudo) to check this");
    Check e = status(host.check("hooks.ipmodify"), Status.WARN);
    assertThat(e.detail())
        .startsWith("needs root: " + host.path("/sys/kernel/tracing/enabled_functions"));
    // and nothing else needs root
    assertThat(host.report().checks()).filteredOn(c -> c.status() != Status.PASS).hasSize(2);
  }

  @Test
  void ftraceSwitchedOffFailsBecauseThePermanentHooksCannotAttach() throws Exception {
    assertThat(status(host.check("hooks.ftrace_enabled"), Status.PASS).detail())
        .isEqualTo(
            "1: function tracing is on (" + host.path("/proc/sys/kernel/ftrace_enabled") + ")");
    host.write("/proc/sys/kernel/ftrace_enabled", "0\n");
    Check off = status(host.check("hooks.ftrace_enabled"), Status.FAIL);
    assertThat(off.detail()).contains("EBUSY").startsWith("0: function tracing is switched off");
    assertThat(off.fix()).startsWith("sysctl kernel.ftrace_enabled=1");
    host.write("/proc/sys/kernel/ftrace_enabled", "on\n");
    assertThat(status(host.check("hooks.ftrace_enabled"), Status.WARN).detail())
        .isEqualTo(
            "undecided: cannot use "
                + host.path("/proc/sys/kernel/ftrace_enabled")
                + ": expected 1 or 0 (Y or N), found 'on'");
    Files.delete(host.path("/proc/sys/kernel/ftrace_enabled"));
    assertThat(status(host.check("hooks.ftrace_enabled"), Status.WARN).detail())
        .startsWith("undecided: ");
  }

  @Test
  void tracefsRefusedEvenToRootWarnsWithTheReason() {
    host.refused.add("/sys/kernel/tracing/available_filter_functions");
    host.refused.add("/sys/kernel/tracing/enabled_functions");
    Check c = status(host.check("hooks.traceable"), Status.WARN);
    assertThat(c.detail())
        .isEqualTo(
            "undecided: cannot use "
                + host.path("/sys/kernel/tracing/available_filter_functions")
                + ": the kernel refused to open it (EPERM, not the file's permissions: lockdown, a"
                + " security module or a sandbox forbids it, even to root)");
    status(host.check("hooks.ipmodify"), Status.WARN);
  }

  @Test
  void tracefsNotMountedWarnsWithHowToMountIt() {
    host.delete("/sys/kernel/tracing");
    java.nio.file.Path dir = host.path("/sys/kernel/tracing");
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Check c = status(host.check("hooks.traceable"), Status.WARN);
    assertThat(c.detail())
        .isEqualTo(
            "undecided: "
                + dir
                + " is empty (tracefs is not mounted there); "
                + host.path("/sys/kernel/debug/tracing")
                + " does not exist");
    assertThat(c.fix())
        .startsWith("mount tracefs as root (mount -t tracefs nodev /sys/kernel/tracing)");
  }

  @Test
  void debugfsTracingIsTheSecondPlace() {
    String f = read("/sys/kernel/tracing/available_filter_functions");
    host.delete("/sys/kernel/tracing");
    host.write("/sys/kernel/debug/tracing/available_filter_functions", f);
    host.write("/sys/kernel/debug/tracing/enabled_functions", "");
    assertThat(status(host.check("hooks.traceable"), Status.PASS).detail())
        .isEqualTo(
            "all "
                + HookTargets.TABLE.size()
                + " in "
                + host.path("/sys/kernel/debug/tracing/available_filter_functions"));
  }

  @Test
  void aTargetHeldByAnotherIpModifyUserFails() {
    host.enabled(
        "security_file_open (1) R I   \ttramp: 0xffffffffc0a01000 (klp_ftrace_handler+0x0/0x110) ->klp_ftrace_handler+0x0/0x110",
        "do_one_initcall (1) R I   \ttramp: 0xffffffffc0a02000 (klp_ftrace_handler+0x0/0x110) ->klp_ftrace_handler+0x0/0x110");
    Check c = status(host.check("hooks.ipmodify"), Status.FAIL);
    assertThat(c.detail())
        .startsWith(
            "already modified by another IPMODIFY ftrace user (livepatch, or another hooking module): security_file_open (1 user, flags I R)")
        .contains("fails with EBUSY");
    assertThat(c.fix()).contains("/sys/kernel/livepatch");
  }

  @Test
  void probeTargetsAndPlainTracersDoNotConflict() {
    host.enabled(
        "wake_up_new_task (1) R I   \ttramp: 0xffffffffc0a01000 (klp_ftrace_handler+0x0/0x110) ->klp_ftrace_handler+0x0/0x110",
        "commit_creds (2)    ",
        "security_file_open (1) R     \ttramp: 0xffffffffc0a03000 (kprobe_ftrace_handler+0x0/0x1a0) ->kprobe_ftrace_handler+0x0/0x1a0");
    Check c = status(host.check("hooks.ipmodify"), Status.PASS);
    assertThat(c.detail())
        .isEqualTo(
            "none is modified by another ftrace user ("
                + host.path("/sys/kernel/tracing/enabled_functions")
                + ")");
  }

  @Test
  void ftguardsOwnHooksAreNotAConflict() {
    host.enabled(
        "__x64_sys_execve (1) R I   \ttramp: 0xffffffffc0a01000 (ftg_ftrace_thunk+0x0/0x80 [ftguard]) ->ftg_ftrace_thunk+0x0/0x80 [ftguard]",
        "commit_creds (1) R I   \ttramp: 0xffffffffc0a02000 (ftg_ftrace_thunk+0x0/0x80 [ftguard]) ->ftg_ftrace_thunk+0x0/0x80 [ftguard]");
    Check c = status(host.check("hooks.ipmodify"), Status.PASS);
    assertThat(c.detail())
        .isEqualTo("held by ftguard itself (the module is loaded): __x64_sys_execve, commit_creds");
  }

  @Test
  void aBpfTrampolineWarns() {
    host.enabled("security_file_open (1)     D\n\tdirect-->bpf_trampoline_6442491234+0x0/0x1000");
    Check c = status(host.check("hooks.ipmodify"), Status.WARN);
    assertThat(c.detail())
        .startsWith(
            "a direct trampoline (a BPF fentry/fexit program) is attached to security_file_open");
  }

  // ---- lockdown, signatures, Secure Boot ----------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"integrity", "confidentiality"})
  void lockdownFailsWithHowToSign(String mode) {
    host.write(
        "/sys/kernel/security/lockdown",
        "none "
            + (mode.equals("integrity")
                ? "[integrity] confidentiality"
                : "integrity [confidentiality]")
            + "\n");
    Check c = status(host.check("lockdown"), Status.FAIL);
    assertThat(c.detail())
        .startsWith(mode + ": the kernel refuses modules without a valid signature");
    assertThat(c.fix())
        .contains("mokutil --import")
        .contains("scripts/sign-file")
        .contains("kmodsign")
        .contains("--ko");
    if (mode.equals("confidentiality")) {
      assertThat(c.detail()).contains("tracefs is hidden even from root");
    }
  }

  @Test
  void lockdownFromTheConfigWhenSecurityfsIsNotMounted() {
    host.delete("/sys/kernel/security/lockdown");
    Check none = status(host.check("lockdown"), Status.PASS);
    assertThat(none.detail())
        .startsWith(
            "none: " + host.path("/sys/kernel/security/lockdown") + " does not exist, but neither");
    host.option("CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY", "y");
    assertThat(status(host.check("lockdown"), Status.FAIL).detail())
        .startsWith("integrity (forced by CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY)");
    host.option("CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY", null);
    host.write("/proc/cmdline", "ro lockdown=confidentiality quiet\n");
    assertThat(status(host.check("lockdown"), Status.FAIL).detail())
        .startsWith("confidentiality (lockdown=confidentiality on the kernel command line)");
    host.write("/proc/cmdline", "ro quiet\n").secureBoot(true);
    assertThat(status(host.check("lockdown"), Status.FAIL).detail())
        .startsWith("integrity (Secure Boot is on and CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT=y)");
    host.option("CONFIG_SECURITY_LOCKDOWN_LSM", null);
    assertThat(status(host.check("lockdown"), Status.PASS).detail())
        .isEqualTo("none: the lockdown LSM is not built (CONFIG_SECURITY_LOCKDOWN_LSM not set)");
    host.delete("/proc/config.gz");
    Check w = status(host.check("lockdown"), Status.WARN);
    assertThat(w.fix()).contains("mount -t securityfs");
  }

  @Test
  void sigEnforceYFails() {
    host.write("/sys/module/module/parameters/sig_enforce", "Y\n");
    Check c = status(host.check("module.signature"), Status.FAIL);
    assertThat(c.detail())
        .startsWith(
            "enforced (module.sig_enforce=Y): the kernel refuses unsigned modules (EKEYREJECTED)");
    assertThat(c.fix()).isEqualTo(LoadingRules.SIGN_FIX);
  }

  @Test
  void sigForceInTheConfigFails() {
    host.delete("/sys/module/module").option("CONFIG_MODULE_SIG_FORCE", "y");
    Check c = status(host.check("module.signature"), Status.FAIL);
    assertThat(c.detail()).startsWith("enforced (CONFIG_MODULE_SIG_FORCE=y)");
    host.option("CONFIG_MODULE_SIG_FORCE", null);
    assertThat(status(host.check("module.signature"), Status.PASS).detail())
        .startsWith("not forced by the configuration");
    host.option("CONFIG_MODULE_SIG", null);
    assertThat(status(host.check("module.signature"), Status.PASS).detail())
        .isEqualTo("no module signing in this kernel (CONFIG_MODULE_SIG not set)");
  }

  @Test
  void secureBootOnWarns() {
    host.secureBoot(true);
    // the lockdown LSM locks down under Secure Boot
    host.write("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
    Check c = status(host.check("secure_boot"), Status.WARN);
    assertThat(c.detail())
        .startsWith("on (" + host.path(Host.SECURE_BOOT) + "): distribution kernels");
    assertThat(c.fix()).isEqualTo(LoadingRules.SIGN_FIX);
  }

  @Test
  void secureBootOnWithoutLockdownOrEnforcementPasses() {
    host.secureBoot(true);
    assertThat(status(host.check("secure_boot"), Status.PASS).detail())
        .startsWith("on, but this kernel neither locks down");
  }

  @Test
  void secureBootOffOrNoEfi() {
    assertThat(status(host.check("secure_boot"), Status.PASS).detail())
        .isEqualTo("off (" + host.path(Host.SECURE_BOOT) + ")");
    host.delete("/sys/firmware/efi");
    assertThat(status(host.check("secure_boot"), Status.PASS).detail())
        .isEqualTo(
            "off ("
                + host.path("/sys/firmware/efi")
                + " does not exist: the machine booted without EFI)");
    host.write("/sys/firmware/efi/efivars/Boot0000-8be4df61-93ca-11d2-aa0d-e0e4d81b9ea8", "x");
    assertThat(status(host.check("secure_boot"), Status.PASS).detail())
        .contains("the firmware has no Secure Boot");
    host.delete("/sys/firmware/efi/efivars/Boot0000-8be4df61-93ca-11d2-aa0d-e0e4d81b9ea8");
    Check w = status(host.check("secure_boot"), Status.WARN);
    assertThat(w.detail()).contains("efivarfs is not mounted");
  }

  // ---- IBT and headers ----------------------------------------------------------------------

  @Test
  void ibtOnWarnsAndExplains() {
    host.option("CONFIG_X86_KERNEL_IBT", "y");
    host.write("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu lm ibt user_shstk\n");
    Check c = status(host.check("ibt"), Status.WARN);
    assertThat(c.detail())
        .startsWith(
            "on (CPU flag ibt, CONFIG_X86_KERNEL_IBT=y): an indirect call must land on an ENDBR")
        .contains(
            "call __x64_sys_execve, __x64_sys_execveat, security_bprm_check, security_mmap_file"
                + " through a pointer")
        .contains("refuses to load (EOPNOTSUPP");
    assertThat(c.fix()).contains("ibt=off");
  }

  @Test
  void ibtNeedsBothTheKernelAndTheCpu() {
    host.option("CONFIG_X86_KERNEL_IBT", "y");
    assertThat(status(host.check("ibt"), Status.PASS).detail())
        .isEqualTo(
            "off: the kernel supports it, but the CPU flags have no ibt (the CPU lacks it, or ibt=off)");
    host.option("CONFIG_X86_KERNEL_IBT", "m"); // not a valid value for a bool: not built in
    host.write("/proc/cpuinfo", "flags\t\t: fpu lm ibt\n");
    assertThat(status(host.check("ibt"), Status.PASS).detail())
        .startsWith("the kernel is built without it");
    host.delete("/proc/config.gz");
    assertThat(status(host.check("ibt"), Status.WARN).detail())
        .startsWith("on (CPU flag ibt; the configuration is not known)");
  }

  @Test
  void headersMissingFails() {
    host.delete("/lib/modules/" + Host.RELEASE + "/build");
    Check c = status(host.check("headers"), Status.FAIL);
    assertThat(c.detail())
        .isEqualTo(
            host.path("/lib/modules/" + Host.RELEASE + "/build/Makefile")
                + " does not exist: ftguard load cannot build the module for "
                + Host.RELEASE
                + " (exit 7)");
    assertThat(c.fix()).startsWith("apt-get install linux-headers-" + Host.RELEASE);
  }

  @Test
  void headersLinkPointingNowhereSaysWhere() throws Exception {
    host.delete("/lib/modules/" + Host.RELEASE + "/build");
    java.nio.file.Files.createSymbolicLink(
        host.path("/lib/modules/" + Host.RELEASE + "/build"), tmp.resolve("usr/src/gone"));
    assertThat(status(host.check("headers"), Status.FAIL).detail())
        .startsWith(
            host.path("/lib/modules/" + Host.RELEASE + "/build")
                + " points to "
                + tmp.resolve("usr/src/gone")
                + ", which does not exist");
  }

  private String read(String abs) {
    try {
      return java.nio.file.Files.readString(host.path(abs));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ---- functions policies hook by name (ftguard check --policy) -----------------------------

  Check declared(KernelReadings.DeclaredHook... hooks) {
    return Rules.declaredHooks(KernelReadings.gather(host.source(), List.of(hooks)));
  }

  @Test
  void declaredHooksPresentAndTraceablePass() throws Exception {
    host.write("/proc/kallsyms", "0000000000000000 T vfs_mkdir\n0000000000000000 T inet_bind\n");
    host.write("/sys/kernel/tracing/available_filter_functions", "vfs_mkdir\ninet_bind\n");
    Check c =
        declared(
            new KernelReadings.DeclaredHook("vfs_mkdir", false, "p.yaml:3:7"),
            new KernelReadings.DeclaredHook("inet_bind", false, "p.yaml:8:7"));
    assertThat(c.status()).isEqualTo(Status.PASS);
    assertThat(c.detail()).isEqualTo("all 2 in kallsyms and traceable");
    // and the report has the check only when policies were given
    assertThat(host.report().checks()).noneMatch(x -> x.id().equals("policy.hooks"));
    assertThat(
            Report.of(
                    KernelReadings.gather(
                        host.source(),
                        List.of(new KernelReadings.DeclaredHook("vfs_mkdir", false, "x"))))
                .checks())
        .anyMatch(x -> x.id().equals("policy.hooks"));
  }

  @Test
  void declaredHooksMissingUntraceableOrTakenWarnWithWhere() throws Exception {
    host.write(
        "/proc/kallsyms",
        "0000000000000000 T vfs_mkdir\n0000000000000000 t inlined_one\n0000000000000000 T taken\n");
    host.write("/sys/kernel/tracing/available_filter_functions", "vfs_mkdir\ntaken\n");
    host.enabled(
        "taken (1) R I   \ttramp: 0xffffffffc0000000 (klp_ftrace_handler+0x0/0x100) ->ftrace_ops_list_func+0x0/0x100");
    Check c =
        declared(
            new KernelReadings.DeclaredHook("no_such", false, "p.yaml:3:7"),
            new KernelReadings.DeclaredHook("inlined_one", false, "p.yaml:5:7"),
            new KernelReadings.DeclaredHook("taken", true, "p.yaml:7:7"),
            new KernelReadings.DeclaredHook("vfs_mkdir", false, "p.yaml:9:7"));
    assertThat(c.status()).isEqualTo(Status.WARN);
    assertThat(c.detail())
        .startsWith("3 of 4 will not be hooked: ")
        .contains("no_such (p.yaml:3:7): not in kallsyms")
        .contains("inlined_one (p.yaml:5:7): not traceable")
        .contains("taken (p.yaml:7:7): already redirected by another ftrace user")
        .doesNotContain("vfs_mkdir (");
    // an audit-only hook shares a redirected function
    assertThat(declared(new KernelReadings.DeclaredHook("taken", false, "p.yaml:7:7")).status())
        .isEqualTo(Status.PASS);
  }

  @Test
  void aDenyOnAFunctionTheBuiltInHooksRedirectCannotAttach() {
    Check c = declared(new KernelReadings.DeclaredHook("security_file_open", true, "p.yaml:4:7"));
    assertThat(c.status()).isEqualTo(Status.WARN);
    assertThat(c.detail()).contains("the module's built-in hooks redirect it");
    assertThat(
            declared(new KernelReadings.DeclaredHook("security_file_open", false, "p.yaml:4:7"))
                .status())
        .isEqualTo(Status.PASS);
  }

  @Test
  void declaredHooksWithoutRootAreNotChecked() {
    host.write("/proc/kallsyms", "0000000000000000 T vfs_mkdir\n");
    host.rootOnly.add("/sys/kernel/tracing");
    Check c = declared(new KernelReadings.DeclaredHook("vfs_mkdir", false, "p.yaml:3:7"));
    assertThat(c.status()).isEqualTo(Status.WARN);
    assertThat(c.detail()).startsWith("not checked: traceability: ");
    assertThat(c.fix()).isEqualTo("run as root (sudo) to check");
  }
}
