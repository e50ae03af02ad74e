package dev.ftguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the facts: file formats, the running system, and given files. */
class SourcesTest {
  @TempDir Path tmp;
  Host host;

  @BeforeEach
  void setUp() {
    host = new Host(tmp.resolve("host"));
  }

  static GivenFiles.Given given(
      Path config, Path kallsyms, Path tracefs, String release, String machine) {
    return new GivenFiles.Given(
        Optional.ofNullable(config),
        Optional.ofNullable(kallsyms),
        Optional.ofNullable(tracefs),
        Optional.ofNullable(release),
        Optional.ofNullable(machine));
  }

  @Test
  void kernelVersions() {
    assertThat(KernelVersion.parse("6.1.0-13-amd64")).contains(new KernelVersion(6, 1, 0));
    assertThat(KernelVersion.parse("5.15.0-91-generic")).contains(new KernelVersion(5, 15, 0));
    assertThat(KernelVersion.parse("4.19")).contains(new KernelVersion(4, 19, 0));
    assertThat(KernelVersion.parse("6.18.44-fc-v595")).contains(new KernelVersion(6, 18, 44));
    assertThat(KernelVersion.parse("vmlinuz")).isEmpty();
    assertThat(new KernelVersion(5, 6, 19).atLeast(KernelVersion.KALLSYMS_VIA_KPROBE)).isFalse();
    assertThat(new KernelVersion(5, 7, 0).atLeast(KernelVersion.KALLSYMS_VIA_KPROBE)).isTrue();
    assertThat(new KernelVersion(3, 18, 140).atLeast(KernelVersion.IPMODIFY)).isFalse();
    assertThat(new KernelVersion(6, 1, 55)).hasToString("6.1.55");
  }

  @Test
  void kernelConfigs() {
    KernelConfig c =
        KernelConfig.parse(
            """
            #
            # Linux/x86 6.1.76 Kernel Configuration
            #
            CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.2.0-14) 12.2.0"
            CONFIG_MODULES=y
            CONFIG_KVM=m
            # CONFIG_KPROBES is not set
            CONFIG_NR_CPUS=64
            CONFIG_DEBUG_INFO=n
            """);
    assertThat(c.header()).contains(new KernelVersion(6, 1, 76));
    assertThat(c.state("CONFIG_MODULES")).isEqualTo(KernelConfig.State.YES);
    assertThat(c.state("CONFIG_KVM")).isEqualTo(KernelConfig.State.MODULE);
    assertThat(c.state("CONFIG_KPROBES")).isEqualTo(KernelConfig.State.NO);
    assertThat(c.state("CONFIG_ABSENT")).isEqualTo(KernelConfig.State.NO);
    assertThat(c.state("CONFIG_DEBUG_INFO")).isEqualTo(KernelConfig.State.NO);
    assertThat(c.state("CONFIG_NR_CPUS")).isEqualTo(KernelConfig.State.VALUE);
    assertThat(c.describe("CONFIG_KVM")).isEqualTo("=m");
    assertThat(c.describe("CONFIG_KPROBES")).isEqualTo("not set");
    assertThat(KernelConfig.parse("hello").looksLikeConfig()).isFalse();
  }

  @Test
  void enabledFunctionsLines() {
    // the 6.1 format (kernel/trace/ftrace.c, t_show): name (count) R I D, then a tab
    assertThat(
            EnabledFunction.parse(
                "schedule (1) R I   \ttramp: 0xffffffffc0201000 (klp_ftrace_handler+0x0/0x150) ->klp_ftrace_handler+0x0/0x150"))
        .hasValueSatisfying(
            f -> {
              assertThat(f.name()).isEqualTo("schedule");
              assertThat(f.count()).isEqualTo(1);
              assertThat(f.ipModify()).isTrue();
              assertThat(f.direct()).isFalse();
              assertThat(f.flagString()).isEqualTo("I R");
              assertThat(f.ownedBy("ftguard")).isFalse();
            });
    assertThat(EnabledFunction.parse("do_sys_open (2)    "))
        .hasValueSatisfying(f -> assertThat(f.flags()).isEmpty());
    assertThat(EnabledFunction.parse("vfs_read (1)     D"))
        .hasValueSatisfying(f -> assertThat(f.direct()).isTrue());
    // newer kernels add flags (C: call ops, M: modified): still read
    assertThat(
            EnabledFunction.parse(
                "vfs_write (1) R I   C  M \ttramp: 0x0 (ftg_ftrace_thunk+0x0/0x80 [ftguard])"))
        .hasValueSatisfying(
            f -> assertThat(f.flags()).containsExactlyInAnyOrder('R', 'I', 'C', 'M'))
        .hasValueSatisfying(f -> assertThat(f.ownedBy("ftguard")).isTrue());
    assertThat(EnabledFunction.parse("\tdirect-->bpf_trampoline_6442491234+0x0/0x1000")).isEmpty();
    assertThat(EnabledFunction.parse("")).isEmpty();
    assertThat(EnabledFunction.parse("no_count_here")).isEmpty();
  }

  @Test
  void gzipAndPlainConfigsAreBothRead() throws Exception {
    Path plain = Files.writeString(tmp.resolve("config"), host.configText());
    assertThat(host.live().readConfig(plain).known().orElseThrow().isYes("CONFIG_KPROBES"))
        .isTrue();
    assertThat(
            host.live()
                .readConfig(host.path("/proc/config.gz"))
                .known()
                .orElseThrow()
                .isYes("CONFIG_KPROBES"))
        .isTrue();
  }

  @Test
  void theLiveSystemReadsWhatTheChecksNeed() {
    KernelReadings f = host.facts();
    assertThat(f.release())
        .isEqualTo(Reading.found(Host.RELEASE, host.path("/proc/sys/kernel/osrelease").toString()));
    assertThat(f.machine().known()).contains("x86_64");
    assertThat(f.symbols().known().orElseThrow()).hasSize(HookTargets.TABLE.size());
    assertThat(f.traceable().known().orElseThrow()).hasSize(HookTargets.TABLE.size());
    assertThat(f.enabled().known()).contains(Map.of());
    assertThat(f.lockdown().known()).contains("none");
    assertThat(f.sigEnforce().known()).contains(false);
    assertThat(f.secureBoot().known()).contains(false);
    assertThat(f.cpuFlags().known().orElseThrow()).contains("lm").doesNotContain("ibt");
    assertThat(f.cmdline().known().orElseThrow()).contains("root=/dev/sda1");
    assertThat(f.ftguardLoaded()).isFalse();
    host.write("/sys/module/ftguard/refcnt", "0\n");
    assertThat(host.facts().ftguardLoaded()).isTrue();
  }

  @Test
  void kallsymsOfANonRootUserStillHaveTheNames() {
    // addresses are zeroed without CAP_SYSLOG; the names are what counts
    assertThat(
            host.live()
                .readSymbols(host.path("/proc/kallsyms"), Set.of("commit_creds", "nope"))
                .known())
        .contains(Set.of("commit_creds"));
    host.write("/proc/kallsyms", "\n");
    assertThat(host.live().readSymbols(host.path("/proc/kallsyms"), Set.of("x")))
        .isInstanceOf(Reading.Broken.class);
  }

  @Test
  void debiansPlaceholderSystemMapIsNotASymbolTable() {
    String r = "6.1.0-50-amd64";
    host.write(
        "/boot/System.map-" + r,
        "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n");
    host.write("/boot/config-" + r, host.configText());
    host.given(given(null, null, null, r, null));
    Reading<Set<String>> s = host.facts().symbols();
    assertThat(s)
        .isEqualTo(
            new Reading.Broken<Set<String>>(
                host.path("/boot/System.map-" + r).toString(),
                "a placeholder without symbols (Debian ships the real System.map in the linux-image-RELEASE-dbg package)"));
    Check c = host.check("hooks.kallsyms");
    assertThat(c.status()).isEqualTo(Status.WARN);
    assertThat(c.fix()).contains("--kallsyms FILE");
  }

  @Test
  void givenFilesReplaceTheRunningKernels() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("other"));
    Path config =
        Files.writeString(
            other.resolve("config-6.1.0-13-amd64"),
            host.configText().replace("CONFIG_KPROBES=y", "# CONFIG_KPROBES is not set"));
    Path kallsyms =
        Files.writeString(other.resolve("kallsyms"), "ffffffff81000000 T commit_creds\n");
    Path tracefs = Files.createDirectories(other.resolve("tracing"));
    Files.writeString(tracefs.resolve("available_filter_functions"), "commit_creds\n");
    Files.writeString(tracefs.resolve("enabled_functions"), "commit_creds (1) R I  \n");
    host.given(given(config, kallsyms, tracefs, null, "x86_64"));
    KernelReadings f = host.facts();
    assertThat(f.config()).isInstanceOf(Reading.Found.class);
    assertThat(f.config().known().orElseThrow().isYes("CONFIG_KPROBES")).isFalse();
    assertThat(f.symbols().known()).contains(Set.of("commit_creds"));
    assertThat(f.traceable().known()).contains(Set.of("commit_creds"));
    assertThat(f.enabled().known().orElseThrow()).containsOnlyKeys("commit_creds");
    assertThat(f.machine()).isEqualTo(Reading.found("x86_64", "--machine"));
    Report r = host.report();
    assertThat(r.checks())
        .filteredOn(c -> c.id().equals("hooks.kallsyms"))
        .first()
        .satisfies(
            c ->
                assertThat(c.detail())
                    .startsWith(
                        (HookTargets.TABLE.size() - 1)
                            + " of "
                            + HookTargets.TABLE.size()
                            + " not in "
                            + kallsyms));
    assertThat(r.checks())
        .filteredOn(c -> c.id().equals("hooks.ipmodify"))
        .first()
        .satisfies(c -> assertThat(c.status()).isEqualTo(Status.FAIL));
  }

  @Test
  void anotherReleaseIsNotJudgedByTheRunningKernel() {
    String r = "6.5.0-1-amd64";
    host.write("/boot/config-" + r, host.configText());
    host.write("/lib/modules/" + r + "/build/Makefile", "");
    host.given(given(null, null, null, r, null));
    KernelReadings f = host.facts();
    assertThat(f.release()).isEqualTo(Reading.found(r, "--release"));
    assertThat(f.config()).isEqualTo(host.live().readConfig(host.path("/boot/config-" + r)));
    assertThat(f.symbols()).isInstanceOf(Reading.Skipped.class);
    assertThat(f.symbols().explain())
        .startsWith(
            "the running kernel is "
                + Host.RELEASE
                + ", not "
                + r
                + ": "
                + host.path("/boot/System.map-" + r)
                + " does not exist; give --kallsyms FILE");
    assertThat(f.traceable()).isInstanceOf(Reading.Skipped.class);
    assertThat(f.lockdown()).isInstanceOf(Reading.Skipped.class);
    assertThat(f.sigEnforce()).isInstanceOf(Reading.Skipped.class);
    assertThat(f.cpuFlags()).isInstanceOf(Reading.Skipped.class);
    assertThat(f.secureBoot().known()).contains(false); // the firmware is the same
    assertThat(f.headers().known()).contains(host.path("/lib/modules/" + r + "/build"));
    Report rep = host.report();
    assertThat(rep.checks())
        .filteredOn(c -> c.id().equals("hooks.traceable"))
        .first()
        .satisfies(
            c ->
                assertThat(c.detail())
                    .startsWith(
                        "not checked: the running kernel is " + Host.RELEASE + ", not " + r));
    // the configuration still decides signatures and lockdown
    assertThat(rep.checks())
        .filteredOn(c -> c.id().equals("module.signature"))
        .first()
        .satisfies(c -> assertThat(c.status()).isEqualTo(Status.PASS));
    // a System.map stands in for kallsyms
    host.write("/boot/System.map-" + r, "ffffffff81000000 T commit_creds\n");
    assertThat(host.facts().symbols().known()).contains(Set.of("commit_creds"));
  }

  @Test
  void theRunningReleaseGivenExplicitlyIsStillLive() {
    host.given(given(null, null, null, Host.RELEASE, null));
    KernelReadings f = host.facts();
    assertThat(f.symbols().known().orElseThrow()).hasSize(HookTargets.TABLE.size());
    assertThat(f.lockdown().known()).contains("none");
    assertThat(host.report().exitCode()).isZero();
  }
}
