package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestSpecTest {
  private static final DebianKernel KERNEL =
      new DebianKernel(
          "6.1.0-56-amd64",
          "6.1.192-2",
          "6.1",
          "bookworm",
          "gcc-12",
          true,
          Path.of("/k"),
          Path.of("/k/vmlinux"),
          Path.of("/k/root/boot/vmlinuz-6.1.0-56-amd64"),
          Path.of("/k/root"),
          Path.of("/k/root/lib/modules/6.1.0-56-amd64"),
          Path.of("/k/root/boot/config"),
          true,
          java.util.Optional.empty(),
          Path.of("/usr/src/linux-headers-6.1.0-56-amd64"));

  @Test
  void defaults() {
    GuestSpec s = GuestSpec.builder(KERNEL).payload("true").build();
    assertThat(s.memoryMib()).isEqualTo(1024);
    assertThat(s.cpus()).isEqualTo(2);
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.accel()).isNull();
    assertThat(s.progress()).isNotNull();
  }

  @Test
  void harnessMountPointsCannotBeShared() {
    for (String guest : List.of("/usr", "/etc", "/out", "/usr/lib", "/proc/x", "/sys")) {
      assertThatThrownBy(
              () -> GuestSpec.builder(KERNEL).share(Share.readOnly(Path.of("/tmp"), guest)).build())
          .as(guest)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("harness's own mount");
    }
    assertThat(
            GuestSpec.builder(KERNEL)
                .share(Share.writable(Path.of("/tmp"), "/tmp/data"))
                .build()
                .shares())
        .hasSize(1);
  }

  @Test
  void guestPathsMustBeSafeForTheInitScript() {
    assertThatThrownBy(() -> Share.readOnly(Path.of("/tmp"), "relative"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Share.readOnly(Path.of("/tmp"), "/a b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Share.readOnly(Path.of("/tmp"), "/x;reboot"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Share.readOnly(Path.of("/tmp"), "/a/../usr"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> GuestSpec.builder(KERNEL).file(GuestFile.text("/usr/bin/x", "", 0755)).build())
        .hasMessageContaining("read-only host share");
  }

  @Test
  void limitsAreChecked() {
    assertThatThrownBy(() -> GuestSpec.builder(KERNEL).memoryMib(64).build())
        .hasMessageContaining("memoryMib 64");
    assertThatThrownBy(() -> GuestSpec.builder(KERNEL).cpus(0).build())
        .hasMessageContaining("cpus 0");
    assertThatThrownBy(() -> GuestSpec.builder(KERNEL).timeout(Duration.ZERO).build())
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> GuestSpec.builder(KERNEL).module("9p; reboot").build())
        .hasMessageContaining("module name");
  }

  @Test
  void qemuCommandLineFollowsTheSpec() {
    GuestSpec s =
        GuestSpec.builder(KERNEL)
            .memoryMib(768)
            .cpus(1)
            .kernelArg("ftguard.debug=1")
            .qemuArgs("-icount", "shift=5")
            .build();
    List<String> cmd =
        Vm.qemuCommand(
            s,
            Accel.TCG,
            Path.of("/w/serial.log"),
            Path.of("/w/initrd.img"),
            List.of("-fsdev", "x"));

    assertThat(String.join(" ", cmd))
        .endsWith(
            "-machine q35 -m 768M -smp 1 -nodefaults -no-user-config -display none"
                + " -no-reboot -serial file:/w/serial.log -monitor none -accel tcg,thread=single -cpu Nehalem -kernel /k/vmlinux"
                + " -initrd /w/initrd.img -append console=ttyS0 panic=-1 quiet loglevel=5 no_timer_check ftguard.debug=1 -fsdev x -icount shift=5");
    assertThat(cmd.getFirst()).endsWith("qemu-system-x86_64");
  }
}
