package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibCTest {
  @TempDir Path tmp;

  @Test
  void openOfAMissingFileThrowsEnoentWithNameAndDescription() {
    Path missing = tmp.resolve("nope");
    assertThatThrownBy(() -> LibC.open(missing, LibC.O_RDONLY))
        .isInstanceOfSatisfying(
            ErrnoException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(Errno.ENOENT);
              assertThat(e.errnoName()).isEqualTo("ENOENT");
              assertThat(e.description()).isEqualTo("No such file or directory");
              assertThat(e.call()).isEqualTo("open");
              assertThat(e.getMessage())
                  .isEqualTo("open " + missing + ": ENOENT (No such file or directory)");
            });
  }

  @Test
  void openOfADirectoryForWritingIsEisdir() {
    assertThatThrownBy(() -> LibC.open(tmp, LibC.O_WRONLY))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EISDIR));
  }

  @Test
  void readsARegularFile() throws Exception {
    Path f = tmp.resolve("f");
    Files.writeString(f, "hello");
    int fd = LibC.open(f, LibC.O_RDONLY | LibC.O_CLOEXEC);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(64);
      long n = LibC.read(fd, buf);
      assertThat(n).isEqualTo(5);
      assertThat(new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8))
          .isEqualTo("hello");
      assertThat(LibC.read(fd, buf)).isZero();
    } finally {
      LibC.close(fd);
    }
  }

  @Test
  void ioctlOnARegularFileIsEnotty() throws Exception {
    Path f = Files.writeString(tmp.resolve("f"), "x");
    int fd = LibC.open(f, LibC.O_RDONLY);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment stats = arena.allocate(Abi.STATS);
      assertThatThrownBy(() -> LibC.ioctl(fd, Abi.IOC_STATS, stats, "FTG_IOC_STATS"))
          .isInstanceOfSatisfying(
              ErrnoException.class,
              e -> {
                assertThat(e.errnoName()).isEqualTo("ENOTTY");
                assertThat(e.call()).isEqualTo("ioctl(FTG_IOC_STATS)");
              });
    } finally {
      LibC.close(fd);
    }
  }

  @Test
  void closeOfAClosedDescriptorIsEbadf() throws Exception {
    int[] p = LibC.pipe(LibC.O_CLOEXEC);
    LibC.close(p[0]);
    LibC.close(p[1]);
    assertThatThrownBy(() -> LibC.close(p[0]))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
  }

  @Test
  void pollOnAPipeTimesOutThenSeesData() throws Exception {
    int[] p = LibC.pipe(LibC.O_CLOEXEC | LibC.O_NONBLOCK);
    try (Arena arena = Arena.ofConfined()) {
      long t0 = System.nanoTime();
      assertThat(LibC.poll(p[0], LibC.POLLIN, 50)).isZero();
      assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(45);

      assertThat(LibC.write(p[1], arena.allocateFrom("abc"))).isEqualTo(4);
      short revents = LibC.poll(p[0], LibC.POLLIN, 1000);
      assertThat(revents & LibC.POLLIN).isEqualTo(LibC.POLLIN);
      MemorySegment buf = arena.allocate(16);
      assertThat(LibC.read(p[0], buf)).isEqualTo(4);
      assertThat(buf.getString(0)).isEqualTo("abc");

      // empty non-blocking pipe: EAGAIN
      assertThatThrownBy(() -> LibC.read(p[0], buf))
          .isInstanceOfSatisfying(
              ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("EAGAIN"));
    } finally {
      LibC.close(p[0]);
      LibC.close(p[1]);
    }
  }

  @Test
  void errnoNamesAndDescriptions() {
    assertThat(Errno.name(Errno.EPERM)).isEqualTo("EPERM");
    assertThat(Errno.name(1)).isEqualTo("EPERM");
    assertThat(Errno.name(11)).isEqualTo("EAGAIN");
    assertThat(Errno.name(16)).isEqualTo("EBUSY");
    assertThat(Errno.name(17)).isEqualTo("EEXIST");
    assertThat(Errno.name(38)).isEqualTo("ENOSYS");
    assertThat(Errno.name(129)).isEqualTo("EKEYREJECTED");
    assertThat(Errno.name(0)).isEqualTo("E0");
    assertThat(Errno.name(9999)).isEqualTo("E9999");
    assertThat(LibC.strerror(Errno.EPERM)).isEqualTo("Operation not permitted");
    assertThat(LibC.strerror(Errno.EBUSY)).isEqualTo("Device or resource busy");
  }

  @Test
  void syscallNumbersPerArchitecture() {
    assertThat(KernelModules.SyscallNumbers.forArch("amd64"))
        .isEqualTo(new KernelModules.SyscallNumbers(313, 176));
    assertThat(KernelModules.SyscallNumbers.forArch("aarch64"))
        .isEqualTo(new KernelModules.SyscallNumbers(273, 106));
    assertThatThrownBy(() -> KernelModules.SyscallNumbers.forArch("riscv64"))
        .hasMessageContaining("riscv64");
  }

  @Test
  void finitModuleOfAFileThatIsNotAModuleFails() throws Exception {
    // Whatever the kernel (no module support: ENOSYS; not a module: ENOEXEC; no privilege: EPERM),
    // the call must reach the kernel and report its errno rather than succeed.
    Path notKo = Files.writeString(tmp.resolve("not.ko"), "not an ELF file");
    assertThatThrownBy(() -> KernelModules.finitModule(notKo, "", 0))
        .isInstanceOfSatisfying(
            ErrnoException.class,
            e -> {
              assertThat(e.call()).isEqualTo("finit_module");
              assertThat(e.errno()).isIn(Errno.ENOSYS, Errno.ENOEXEC, Errno.EPERM, Errno.EINVAL);
            });
  }

  @Test
  void finitModuleOfAMissingFileFailsInOpen() {
    assertThatThrownBy(() -> KernelModules.finitModule(tmp.resolve("x.ko"), "", 0))
        .isInstanceOfSatisfying(
            ErrnoException.class,
            e -> {
              assertThat(e.call()).isEqualTo("open");
              assertThat(e.errno()).isEqualTo(Errno.ENOENT);
            });
  }

  @Test
  void deleteModuleOfAnUnknownModuleFails() {
    assertThatThrownBy(
            () -> KernelModules.deleteModule("ftguard_no_such_module", KernelModules.O_NONBLOCK))
        .isInstanceOfSatisfying(
            ErrnoException.class,
            e -> {
              assertThat(e.call()).isEqualTo("delete_module");
              assertThat(e.subject()).isEqualTo("ftguard_no_such_module");
              assertThat(e.errno()).isIn(Errno.ENOENT, Errno.ENOSYS, Errno.EPERM);
            });
  }
}
