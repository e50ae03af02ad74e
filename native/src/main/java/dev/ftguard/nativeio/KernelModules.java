package dev.ftguard.nativeio;

import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * Loading and unloading kernel modules with finit_module(2) and delete_module(2) through
 * syscall(2); glibc wraps neither.
 */
public final class KernelModules {
  private KernelModules() {}

  /** delete_module flag: fail instead of waiting while the module is in use. */
  public static final int O_NONBLOCK = LibC.O_NONBLOCK;

  /** System call numbers for the running architecture. */
  public record SyscallNumbers(long finitModule, long deleteModule) {
    public static SyscallNumbers forArch(String osArch) {
      return switch (osArch) {
        case "amd64", "x86_64" -> new SyscallNumbers(313, 176);
        case "aarch64", "arm64" -> new SyscallNumbers(273, 106);
        default ->
            throw new UnsupportedOperationException(
                "no finit_module/delete_module numbers for architecture " + osArch);
      };
    }

    public static SyscallNumbers current() {
      return forArch(System.getProperty("os.arch"));
    }
  }

  /**
   * finit_module(fd of {@code ko}, params, flags).
   *
   * @param params module parameters, e.g. {@code buffer_kb=1024}; empty for none
   * @throws ErrnoException from open (ENOENT, EACCES) or finit_module (EEXIST already loaded, EPERM
   *     not allowed, ENOEXEC wrong format or kernel, ENOENT unknown symbol, EKEYREJECTED signature,
   *     ENOSYS no module support, EINVAL bad parameter)
   */
  public static void finitModule(Path ko, String params, int flags) throws ErrnoException {
    long nr = SyscallNumbers.current().finitModule();
    int fd = LibC.open(ko, LibC.O_RDONLY | LibC.O_CLOEXEC);
    try (Arena arena = Arena.ofConfined()) {
      LibC.syscall("finit_module", ko.toString(), nr, fd, arena.allocateFrom(params), flags);
    } finally {
      LibC.close(fd);
    }
  }

  /**
   * delete_module(name, flags). With {@link #O_NONBLOCK} a module in use fails with EWOULDBLOCK
   * (EAGAIN) or EBUSY instead of waiting.
   *
   * @throws ErrnoException ENOENT not loaded, EPERM not allowed, EAGAIN/EBUSY in use
   */
  public static void deleteModule(String name, int flags) throws ErrnoException {
    long nr = SyscallNumbers.current().deleteModule();
    try (Arena arena = Arena.ofConfined()) {
      LibC.syscall("delete_module", name, nr, arena.allocateFrom(name), flags);
    }
  }
}
