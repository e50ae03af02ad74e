package dev.ftguard.vm;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A Debian kernel image unpacked by {@code scripts/setup} under {@code .cache/kernels/<abi>/}.
 *
 * @param abi Debian's ABI name, e.g. {@code 6.1.0-56-amd64} (also {@code uname -r} in the guest)
 * @param version Debian package version, e.g. {@code 6.1.192-2}
 * @param series the kernel series of {@code kmod/kernels.conf} it was prepared for, e.g. {@code
 *     6.1}
 * @param suite the Debian suite it comes from, e.g. {@code bookworm}
 * @param compiler the compiler its headers expect, e.g. {@code gcc-12}
 * @param pinned whether it is the default kernel of the VM tests ({@code default} in kernels.conf)
 * @param dir {@code .cache/kernels/<abi>}
 * @param vmlinux uncompressed ELF kernel, booted directly through its PVH entry
 * @param vmlinuz the compressed bzImage as shipped
 * @param root the {@code dpkg -x} tree, usable as {@code modprobe -d <root>}
 * @param modules {@code <root>/lib/modules/<abi>} with a {@code modules.dep}
 * @param config the kernel's {@code .config}
 * @param pvh whether {@code vmlinux} has the PVH entry note
 * @param buildRoot the root file system holding this kernel's headers and compiler, when it is not
 *     the host (a build root of the kernel's suite, {@code .cache/buildroots/<suite>})
 * @param kdir the headers ({@code linux-headers-<abi>}) as make sees them: inside the build root if
 *     there is one, else on the host
 */
public record DebianKernel(
    String abi,
    String version,
    String series,
    String suite,
    String compiler,
    boolean pinned,
    Path dir,
    Path vmlinux,
    Path vmlinuz,
    Path root,
    Path modules,
    Path config,
    boolean pvh,
    Optional<Path> buildRoot,
    Path kdir) {

  /** The image QEMU should boot: {@code vmlinux} (fast, PVH) or else {@code vmlinuz}. */
  public Path bootImage() {
    return pvh ? vmlinux : vmlinuz;
  }

  /** The headers as seen from the host: {@link #kdir} under the build root, if any. */
  public Path headers() {
    return buildRoot.map(r -> r.resolve(kdir.toString().substring(1))).orElse(kdir);
  }

  @Override
  public String toString() {
    return "Debian kernel "
        + abi
        + " ("
        + version
        + ", "
        + series
        + " from "
        + suite
        + ") in "
        + dir;
  }
}
