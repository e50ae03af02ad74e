package dev.ftguard.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Kernel modules a guest must load, in load order, resolved on the host with {@code modprobe -d
 * <root> -S <abi> --show-depends} against the unpacked kernel tree.
 */
public final class ModuleClosure {
  private ModuleClosure() {}

  /** What the harness needs for its 9p shares (plus overlay for payloads that want one). */
  public static final List<String> BASE_MODULES =
      List.of("virtio_pci", "9pnet_virtio", "9p", "overlay");

  /**
   * Module files for {@code names} and everything they depend on; dependencies first, no repeats.
   */
  public static List<Path> resolve(DebianKernel kernel, List<String> names) {
    Set<Path> ordered = new LinkedHashSet<>();
    for (String name : names) {
      // one name per call: further arguments would be taken as module parameters
      String out =
          Tools.run(
              List.of(
                  Tools.find("modprobe", "kmod"),
                  "-d",
                  kernel.root().toString(),
                  "-S",
                  kernel.abi(),
                  "--show-depends",
                  name),
              "resolve module " + name + " for " + kernel.abi());
      ordered.addAll(parseShowDepends(out));
    }
    return List.copyOf(ordered);
  }

  /** The files of the {@code insmod <file> [params]} lines; {@code builtin} lines need nothing. */
  static List<Path> parseShowDepends(String output) {
    List<Path> files = new ArrayList<>();
    for (String line : output.lines().map(String::strip).toList()) {
      if (line.startsWith("insmod ")) {
        files.add(Path.of(line.substring("insmod ".length()).strip().split("\\s+")[0]));
      } else if (!line.isEmpty() && !line.startsWith("builtin ")) {
        throw new VmException("unexpected modprobe --show-depends line: '" + line + "'");
      }
    }
    return files;
  }

  /**
   * Module name and uncompressed bytes; Debian kernels after 6.1 ship {@code .ko.xz}/{@code
   * .ko.zst}.
   */
  static byte[] readUncompressed(Path file) {
    String name = file.getFileName().toString();
    try {
      if (name.endsWith(".ko")) {
        return Files.readAllBytes(file);
      }
      if (name.endsWith(".ko.gz")) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
          return in.readAllBytes();
        }
      }
      if (name.endsWith(".ko.xz")) {
        return Tools.runBytes(
            List.of(Tools.find("xz", "xz-utils"), "-dc", file.toString()), "decompress " + file);
      }
      if (name.endsWith(".ko.zst")) {
        return Tools.runBytes(
            List.of(Tools.find("zstd", "zstd"), "-dcq", file.toString()), "decompress " + file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read module " + file, e);
    }
    throw new VmException("unknown module file type: " + file);
  }

  /** {@code 9pnet_virtio} for {@code .../9pnet_virtio.ko.xz}. */
  static String moduleName(Path file) {
    String name = file.getFileName().toString();
    return name.substring(0, name.indexOf(".ko"));
  }
}
