package dev.ftguard.vm;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory shared into the guest over virtio-9p.
 *
 * @param host existing host directory
 * @param guest absolute mount point inside the guest's root
 * @param writable read-only shares use {@code cache=loose} (fast), writable ones {@code cache=none}
 *     (writes reach the host at once)
 */
public record Share(Path host, String guest, boolean writable) {
  public Share {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(guest, "guest");
    host = host.toAbsolutePath().normalize();
    guest = GuestFile.checkGuestPath(guest);
  }

  public static Share readOnly(Path host, String guest) {
    return new Share(host, guest, false);
  }

  public static Share writable(Path host, String guest) {
    return new Share(host, guest, true);
  }
}
