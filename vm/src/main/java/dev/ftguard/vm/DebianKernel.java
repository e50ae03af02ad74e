package dev.ftguard.vm;

import java.nio.file.Path;

/**
 * A Debian kernel image unpacked by {@code scripts/setup} under {@code .cache/kernels/<abi>/}.
 *
 * @param abi       Debian's ABI name, e.g. {@code 6.1.0-56-amd64} (also {@code uname -r} in the guest)
 * @param version   Debian package version, e.g. {@code 6.1.192-2}
 * @param dir       {@code .cache/kernels/<abi>}
 * @param vmlinux   uncompressed ELF kernel, booted directly through its PVH entry
 * @param vmlinuz   the compressed bzImage as shipped
 * @param root      the {@code dpkg -x} tree, usable as {@code modprobe -d <root>}
 * @param modules   {@code <root>/lib/modules/<abi>} with a {@code modules.dep}
 * @param config    the kernel's {@code .config}
 * @param pvh       whether {@code vmlinux} has the PVH entry note
 */
public record DebianKernel(String abi, String version, Path dir, Path vmlinux, Path vmlinuz,
                           Path root, Path modules, Path config, boolean pvh) {

    /** The image QEMU should boot: {@code vmlinux} (fast, PVH) or else {@code vmlinuz}. */
    public Path bootImage() {
        return pvh ? vmlinux : vmlinuz;
    }

    /** Headers for building modules against this kernel ({@code linux-headers-<abi>}). */
    public Path headers() {
        return Path.of("/usr/src/linux-headers-" + abi);
    }

    @Override
    public String toString() {
        return "Debian kernel " + abi + " (" + version + ") in " + dir;
    }
}
