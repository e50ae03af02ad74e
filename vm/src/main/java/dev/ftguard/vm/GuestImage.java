package dev.ftguard.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest's initrd, in two concatenated gzip cpio archives (the kernel unpacks both): a
 * <em>base</em> with busybox and the kernel modules, cached by content hash under {@code
 * .cache/kernels/<abi>/initramfs/}, and a small per-run <em>overlay</em> with {@code /init}, the
 * payload and the caller's files.
 */
final class GuestImage {
  private GuestImage() {}

  static final Path BUSYBOX = Path.of("/bin/busybox");

  /** The base archive content: busybox with applet links, device nodes, modules in load order. */
  static Initramfs base(DebianKernel kernel, List<String> extraModules) {
    Initramfs fs = new Initramfs();
    for (String d :
        List.of("/bin", "/dev", "/proc", "/sys", "/tmp", "/newroot", "/modules", "/.vm")) {
      fs.dir(d, 0755);
    }
    fs.charDevice("/dev/console", 0600, 5, 1);
    fs.charDevice("/dev/null", 0666, 1, 3);
    byte[] busybox = readBusybox();
    fs.file("/bin/busybox", busybox, 0755);
    for (String applet :
        Tools.run(List.of(BUSYBOX.toString(), "--list"), "list busybox applets").split("\\s+")) {
      if (!applet.isBlank() && !applet.equals("busybox")) {
        fs.symlink("/bin/" + applet, "busybox");
      }
    }
    List<String> wanted = new ArrayList<>(ModuleClosure.BASE_MODULES);
    extraModules.stream().filter(m -> !wanted.contains(m)).forEach(wanted::add);
    List<String> order = new ArrayList<>();
    for (Path ko : ModuleClosure.resolve(kernel, wanted)) {
      String name = ModuleClosure.moduleName(ko) + ".ko";
      fs.file("/modules/" + name, ModuleClosure.readUncompressed(ko), 0644);
      order.add(name);
    }
    fs.file("/modules/order", String.join("\n", order) + "\n", 0644);
    return fs;
  }

  /** Where the base archive lives in the kernel's cache. */
  static Path cachePath(DebianKernel kernel, Initramfs base) {
    return kernel
        .dir()
        .resolve("initramfs")
        .resolve("base-" + base.sha256().substring(0, 16) + ".cpio.gz");
  }

  /** Writes the base archive into the kernel's cache unless an identical one is there. */
  static Path cachedBase(DebianKernel kernel, Initramfs base) {
    Path file = cachePath(kernel, base);
    Path dir = file.getParent();
    if (Files.isRegularFile(file)) {
      return file;
    }
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "base-", ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        base.writeTo(out);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the initramfs cache " + file, e);
    }
  }

  /** Per-run part: {@code /init}, {@code /.vm/payload}, {@code /.vm/files/...}. */
  static Initramfs overlay(GuestSpec spec, List<GuestProtocol.Mount> shares) {
    Initramfs fs = new Initramfs();
    boolean shebang = spec.payload().startsWith("#!");
    fs.file("/init", GuestProtocol.initScript(shares, shebang), 0755);
    fs.file("/.vm/payload", spec.payload(), 0755);
    for (GuestFile f : spec.files()) {
      fs.file("/.vm/files" + f.guest(), f.content(), f.mode());
    }
    return fs;
  }

  static byte[] readBusybox() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(BUSYBOX);
    } catch (IOException e) {
      throw new VmException(
          "cannot read " + BUSYBOX + "; install busybox-static (scripts/setup does)", e);
    }
    if (hasInterpreter(bytes)) {
      throw new VmException(
          BUSYBOX
              + " is dynamically linked and cannot run alone in the initramfs; "
              + "install busybox-static (scripts/setup does)");
    }
    return bytes;
  }

  /** True if an ELF64 little-endian file has a PT_INTERP program header (is dynamically linked). */
  static boolean hasInterpreter(byte[] elf) {
    if (elf.length < 64
        || elf[0] != 0x7f
        || elf[1] != 'E'
        || elf[2] != 'L'
        || elf[3] != 'F'
        || elf[4] != 2) {
      throw new VmException("not an ELF64 file (expected a static busybox)");
    }
    long phoff = le(elf, 0x20, 8);
    int phentsize = (int) le(elf, 0x36, 2);
    int phnum = (int) le(elf, 0x38, 2);
    for (int i = 0; i < phnum; i++) {
      int at = (int) (phoff + (long) i * phentsize);
      if (at + 4 <= elf.length && le(elf, at, 4) == 3) { // PT_INTERP
        return true;
      }
    }
    return false;
  }

  private static long le(byte[] b, int at, int n) {
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }

  /** base + overlay, as one file for QEMU's {@code -initrd}. */
  static void concatenate(Path base, byte[] overlay, Path target) {
    try (OutputStream out = Files.newOutputStream(target)) {
      Files.copy(base, out);
      out.write(overlay);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  static String describe(Initramfs fs) {
    long bytes =
        fs.entries().stream()
            .mapToLong(e -> e instanceof Initramfs.File f ? f.content().length : 0)
            .sum();
    return fs.entries().size() + " entries, " + bytes / 1024 + " KiB";
  }
}
