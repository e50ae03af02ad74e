/**
 * Runs shell payloads as root inside a QEMU guest that boots Debian's own kernel.
 *
 * <p>The host kernel has no module support, so the ftguard module is tested in a guest: {@link
 * dev.ftguard.vm.KernelCatalog} finds the kernel prepared by {@code scripts/setup}, {@link
 * dev.ftguard.vm.GuestSpec} describes a run, {@link dev.ftguard.vm.Vm#run} boots it and returns a
 * {@link dev.ftguard.vm.GuestResult}; {@link dev.ftguard.vm.DmesgChecker} finds kernel warnings and
 * crashes in its logs.
 */
package dev.ftguard.vm;
