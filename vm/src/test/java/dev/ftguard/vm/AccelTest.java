package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class AccelTest {
  private static final String INTEL =
      """
            processor\t: 0
            vendor_id\t: GenuineIntel
            flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep vmx ssse3 sse4_1 sse4_2 x2apic
            processor\t: 1
            flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep vmx ssse3 sse4_1 sse4_2 x2apic
            """;
  private static final String AMD = "flags\t\t: fpu vme de pse tsc msr pae svm lm\n";

  /** A cloud sandbox guest: no hardware virtualisation flag, but a paravirtual /dev/kvm. */
  private static final String NO_HW = "flags\t\t: fpu vme de pse tsc msr pae hypervisor lm\n";

  @Test
  void realKvmWithVmxOrSvmAndUsableDevice() {
    assertThat(Accel.choose(INTEL, Set.of("kvm_intel", "kvm"), true).accel()).isEqualTo(Accel.KVM);
    assertThat(Accel.choose(AMD, Set.of("kvm_amd", "kvm"), true))
        .isEqualTo(new Accel.Choice(Accel.KVM, "CPU has svm and /dev/kvm is usable"));
  }

  @Test
  void paravirtualKvmPvmMeansTcgEvenWithFlags() {
    assertThat(Accel.choose(NO_HW, Set.of("kvm", "kvm_pvm"), true).accel()).isEqualTo(Accel.TCG);
    Accel.Choice c = Accel.choose(INTEL, Set.of("kvm", "kvm_pvm"), true);
    assertThat(c.accel()).isEqualTo(Accel.TCG);
    assertThat(c.reason()).contains("kvm_pvm");
  }

  @Test
  void noHardwareFlagOrNoDeviceMeansTcg() {
    assertThat(Accel.choose(NO_HW, Set.of("kvm"), true).reason()).contains("no vmx/svm");
    assertThat(Accel.choose(INTEL, Set.of("kvm_intel"), false))
        .isEqualTo(
            new Accel.Choice(
                Accel.TCG, "/dev/kvm is missing or not readable and writable by this user"));
    assertThat(Accel.choose("", Set.of(), false).accel()).isEqualTo(Accel.TCG);
  }

  @Test
  void flagWordsAreMatchedWholeNotAsSubstrings() {
    // "vmx" inside another word must not count
    assertThat(Accel.cpuFlags("flags\t: vmxfoo svmbar avx\n"))
        .doesNotContain("vmx", "svm")
        .contains("avx");
    assertThat(Accel.choose("flags\t: vmxfoo\n", Set.of(), true).accel()).isEqualTo(Accel.TCG);
  }

  @Test
  void moduleNamesFromProcModules() {
    String procModules =
        """
                kvm_intel 401408 0 - Live 0x0000000000000000
                kvm 1142784 1 kvm_intel, Live 0x0000000000000000
                irqbypass 16384 1 kvm, Live 0x0000000000000000
                """;
    assertThat(Accel.moduleNames(procModules))
        .containsExactlyInAnyOrder("kvm_intel", "kvm", "irqbypass");
  }

  @Test
  void qemuArgumentsPerAccelerator() {
    assertThat(Accel.TCG.qemuArgs())
        .containsExactly("-accel", "tcg,thread=single", "-cpu", "Nehalem");
    assertThat(Accel.KVM.qemuArgs()).containsExactly("-accel", "kvm", "-cpu", "host");
  }
}
