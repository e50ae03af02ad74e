package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModuleClosureTest {

  @Test
  void parsesInsmodLinesInOrderAndSkipsBuiltins() {
    String out =
        """
                insmod /k/root/lib/modules/6.1.0-56-amd64/kernel/drivers/virtio/virtio_ring.ko\s
                insmod /k/root/lib/modules/6.1.0-56-amd64/kernel/net/9p/9pnet.ko\s
                builtin crc32c_generic
                insmod /k/root/lib/modules/6.1.0-56-amd64/kernel/fs/9p/9p.ko debug=1
                """;
    assertThat(ModuleClosure.parseShowDepends(out))
        .containsExactly(
            Path.of("/k/root/lib/modules/6.1.0-56-amd64/kernel/drivers/virtio/virtio_ring.ko"),
            Path.of("/k/root/lib/modules/6.1.0-56-amd64/kernel/net/9p/9pnet.ko"),
            Path.of("/k/root/lib/modules/6.1.0-56-amd64/kernel/fs/9p/9p.ko"));
  }

  @Test
  void unknownLinesAreErrors() {
    assertThatThrownBy(
            () -> ModuleClosure.parseShowDepends("modprobe: FATAL: Module nope not found\n"))
        .isInstanceOf(VmException.class)
        .hasMessageContaining("Module nope not found");
  }

  @Test
  void moduleNamesWithAndWithoutCompression() {
    assertThat(ModuleClosure.moduleName(Path.of("/m/9pnet_virtio.ko"))).isEqualTo("9pnet_virtio");
    assertThat(ModuleClosure.moduleName(Path.of("/m/9p.ko.xz"))).isEqualTo("9p");
    assertThat(ModuleClosure.moduleName(Path.of("/m/overlay.ko.zst"))).isEqualTo("overlay");
  }

  @Test
  void baseModulesCoverThe9pShares() {
    assertThat(ModuleClosure.BASE_MODULES)
        .containsExactly("virtio_pci", "9pnet_virtio", "9p", "overlay");
  }
}
