package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class InitramfsTest {

  private static Initramfs sample() {
    return new Initramfs()
        .charDevice("/dev/console", 0600, 5, 1)
        .file("/bin/busybox", new byte[] {1, 2, 3}, 0755)
        .symlink("/bin/sh", "busybox")
        .file("/init", "#!/bin/sh\necho hi\n", 0755)
        .file("/modules/order", "virtio.ko\n", 0644);
  }

  @Test
  void writesNewcCpioThatListsBackWithParentsFirst() throws Exception {
    List<String> listing = Initramfs.list(new ByteArrayInputStream(sample().toBytes()));

    assertThat(listing)
        .containsExactly(
            "d 0755 /dev",
            "c 0600 5:1 /dev/console",
            "d 0755 /bin",
            "f 0755 3 /bin/busybox",
            "l /bin/sh -> busybox",
            "f 0755 18 /init",
            "d 0755 /modules",
            "f 0644 10 /modules/order");
  }

  @Test
  void archiveIsGzipWithNewcMagic() throws Exception {
    byte[] bytes = sample().toBytes();
    assertThat(bytes[0] & 0xff).isEqualTo(0x1f);
    assertThat(bytes[1] & 0xff).isEqualTo(0x8b);
    byte[] cpio = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
    assertThat(new String(cpio, 0, 6, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("070701");
    assertThat(new String(cpio, java.nio.charset.StandardCharsets.US_ASCII)).contains("TRAILER!!!");
  }

  @Test
  void laterEntryReplacesEarlierOne() throws Exception {
    Initramfs fs = sample().file("/init", "new", 0700);
    assertThat(Initramfs.list(new ByteArrayInputStream(fs.toBytes())))
        .filteredOn(l -> l.endsWith(" /init"))
        .containsExactly("f 0700 3 /init");
  }

  @Test
  void outputAndHashAreReproducibleAndFollowContent() {
    assertThat(sample().toBytes()).isEqualTo(sample().toBytes());
    assertThat(sample().sha256()).isEqualTo(sample().sha256()).hasSize(64);
    assertThat(sample().file("/init", "changed", 0755).sha256()).isNotEqualTo(sample().sha256());
    assertThat(sample().file("/init", "#!/bin/sh\necho hi\n", 0700).sha256())
        .isNotEqualTo(sample().sha256());
  }

  @Test
  void listsArchiveFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path f = Files.write(dir.resolve("x.cpio.gz"), sample().toBytes());
    assertThat(Initramfs.list(f)).hasSize(8).contains("l /bin/sh -> busybox");
  }

  @Test
  void rejectsRelativeOrUnnormalizedPaths() {
    assertThatThrownBy(() -> new Initramfs().file("init", "x", 0755))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Initramfs().dir("/a//b", 0755))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Initramfs().dir("/a/../b", 0755))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void staticBusyboxHasNoElfInterpreterButDynamicProgramsDo() throws Exception {
    // the guest can only run a static busybox: there is no libc in the initramfs
    assertThat(GuestImage.hasInterpreter(minimalElf(false))).isFalse();
    assertThat(GuestImage.hasInterpreter(minimalElf(true))).isTrue();
    assertThatThrownBy(() -> GuestImage.hasInterpreter("#!/bin/sh\n".repeat(10).getBytes()))
        .isInstanceOf(VmException.class)
        .hasMessageContaining("not an ELF64");
  }

  /** ELF64 header plus two program headers: PT_LOAD and optionally PT_INTERP. */
  private static byte[] minimalElf(boolean dynamic) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(64 + 2 * 56).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
    b.putLong(0x20, 64); // e_phoff
    b.putShort(0x36, (short) 56); // e_phentsize
    b.putShort(0x38, (short) 2); // e_phnum
    b.putInt(64, 1); // PT_LOAD
    b.putInt(64 + 56, dynamic ? 3 : 4); // PT_INTERP or PT_NOTE
    return b.array();
  }
}
