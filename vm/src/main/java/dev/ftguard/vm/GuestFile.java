package dev.ftguard.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A file placed into the guest's root file system before the payload starts, e.g. a freshly built
 * {@code .ko}. It travels inside the initramfs, so the guest needs no share for it.
 *
 * @param guest absolute path in the guest (not under the shared {@code /usr} or {@code /etc})
 * @param content the bytes
 * @param mode permission bits, e.g. {@code 0644}
 */
public record GuestFile(String guest, byte[] content, int mode) {
  private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9._+@:-]+)+");

  public GuestFile {
    guest = checkGuestPath(guest);
    Objects.requireNonNull(content, "content");
    content = content.clone();
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException(
          "mode " + Integer.toOctalString(mode) + " for " + guest + " has bits beyond 07777");
    }
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  /** Copies a host file; keeps its executable bit. */
  public static GuestFile copyOf(Path host, String guest) {
    try {
      return new GuestFile(guest, Files.readAllBytes(host), Files.isExecutable(host) ? 0755 : 0644);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + host + " for guest file " + guest, e);
    }
  }

  public static GuestFile text(String guest, String text, int mode) {
    return new GuestFile(guest, text.getBytes(StandardCharsets.UTF_8), mode);
  }

  /** Absolute, normalized, shell-safe (it ends up in the guest's /init script). */
  static String checkGuestPath(String guest) {
    Objects.requireNonNull(guest, "guest path");
    if (!SAFE_PATH.matcher(guest).matches()
        || guest.contains("/../")
        || guest.endsWith("/..")
        || guest.contains("/./")
        || guest.endsWith("/.")) {
      throw new IllegalArgumentException(
          "guest path '"
              + guest
              + "' must be absolute and use only letters, digits and . _ + @ : - (no . or .. parts)");
    }
    return guest;
  }
}
