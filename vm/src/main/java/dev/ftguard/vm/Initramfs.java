package dev.ftguard.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * An initramfs under construction: directories, files, symlinks and device nodes, written as a
 * gzip-compressed cpio "newc" archive (the format the kernel unpacks into its rootfs). Parent
 * directories are added automatically; a later entry for the same path replaces the earlier one.
 * Output is reproducible (fixed owner and time), so {@link #sha256()} can key a cache.
 */
public final class Initramfs {

  /** One archive member. Paths are absolute ({@code /bin/sh}); the archive stores them relative. */
  public sealed interface Entry permits Dir, File, Symlink, CharDevice {
    String path();
  }

  public record Dir(String path, int mode) implements Entry {}

  public record File(String path, int mode, byte[] content) implements Entry {}

  public record Symlink(String path, String target) implements Entry {}

  public record CharDevice(String path, int mode, int major, int minor) implements Entry {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  public Initramfs dir(String path, int mode) {
    return put(new Dir(norm(path), mode));
  }

  public Initramfs file(String path, byte[] content, int mode) {
    return put(new File(norm(path), mode, content.clone()));
  }

  public Initramfs file(String path, String text, int mode) {
    return file(path, text.getBytes(StandardCharsets.UTF_8), mode);
  }

  public Initramfs symlink(String path, String target) {
    return put(new Symlink(norm(path), target));
  }

  public Initramfs charDevice(String path, int mode, int major, int minor) {
    return put(new CharDevice(norm(path), mode, major, minor));
  }

  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  private Initramfs put(Entry e) {
    String parent = parentOf(e.path());
    if (parent != null && !(entries.get(parent) instanceof Dir)) {
      dir(parent, 0755);
    }
    entries.remove(e.path()); // keep order: re-added at the end, after its parents
    entries.put(e.path(), e);
    return this;
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? null : path.substring(0, slash);
  }

  private static String norm(String path) {
    if (!path.startsWith("/")
        || path.endsWith("/")
        || path.contains("//")
        || path.contains("/../")) {
      throw new IllegalArgumentException(
          "initramfs path '" + path + "' must be absolute and normalized");
    }
    return path;
  }

  /** Content hash over every entry's type, path, mode and data. */
  public String sha256() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Entry e : entries.values()) {
        String head =
            switch (e) {
              case Dir d -> "d " + d.mode() + " " + d.path();
              case File f -> "f " + f.mode() + " " + f.content().length + " " + f.path();
              case Symlink s -> "l " + s.path() + " " + s.target();
              case CharDevice c ->
                  "c " + c.mode() + " " + c.major() + ":" + c.minor() + " " + c.path();
            };
        md.update(head.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        if (e instanceof File f) {
          md.update(f.content());
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the gzip-compressed cpio newc archive. */
  public void writeTo(OutputStream out) throws IOException {
    GZIPOutputStream gz =
        new GZIPOutputStream(out, 1 << 16) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        };
    try (CpioArchiveOutputStream cpio =
        new CpioArchiveOutputStream(gz, CpioConstants.FORMAT_NEW, 4)) {
      for (Entry e : entries.values()) {
        String name = e.path().substring(1);
        CpioArchiveEntry ce = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        ce.setTime(0);
        ce.setUID(0);
        ce.setGID(0);
        byte[] data =
            switch (e) {
              case Dir d -> {
                ce.setMode(CpioConstants.C_ISDIR | d.mode());
                ce.setNumberOfLinks(2);
                yield new byte[0];
              }
              case File f -> {
                ce.setMode(CpioConstants.C_ISREG | f.mode());
                ce.setNumberOfLinks(1);
                yield f.content();
              }
              case Symlink s -> {
                ce.setMode(CpioConstants.C_ISLNK | 0777);
                ce.setNumberOfLinks(1);
                yield s.target().getBytes(StandardCharsets.UTF_8);
              }
              case CharDevice c -> {
                ce.setMode(CpioConstants.C_ISCHR | c.mode());
                ce.setNumberOfLinks(1);
                ce.setRemoteDeviceMaj(c.major());
                ce.setRemoteDeviceMin(c.minor());
                yield new byte[0];
              }
            };
        ce.setSize(data.length);
        cpio.putArchiveEntry(ce);
        cpio.write(data);
        cpio.closeArchiveEntry();
      }
      cpio.finish();
    }
  }

  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Lists a gzip-compressed cpio archive, one line per member in archive order, like {@code d 0755
   * /bin}, {@code f 0755 2113336 /bin/busybox}, {@code l /bin/sh -> busybox}, {@code c 0600 5:1
   * /dev/console}.
   */
  public static List<String> list(Path archive) {
    try (InputStream in = Files.newInputStream(archive)) {
      return list(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list initramfs " + archive, e);
    }
  }

  public static List<String> list(InputStream gzipped) throws IOException {
    List<String> lines = new ArrayList<>();
    try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(new GZIPInputStream(gzipped))) {
      for (CpioArchiveEntry e = cpio.getNextEntry(); e != null; e = cpio.getNextEntry()) {
        String path = "/" + e.getName();
        String perm = String.format("%04o", e.getMode() & 07777);
        lines.add(
            switch ((int) (e.getMode() & CpioConstants.S_IFMT)) {
              case CpioConstants.C_ISDIR -> "d " + perm + " " + path;
              case CpioConstants.C_ISLNK ->
                  "l " + path + " -> " + new String(cpio.readAllBytes(), StandardCharsets.UTF_8);
              case CpioConstants.C_ISCHR ->
                  "c "
                      + perm
                      + " "
                      + e.getRemoteDeviceMaj()
                      + ":"
                      + e.getRemoteDeviceMin()
                      + " "
                      + path;
              case CpioConstants.C_ISREG -> "f " + perm + " " + e.getSize() + " " + path;
              default -> "? " + Long.toOctalString(e.getMode()) + " " + path;
            });
      }
    }
    return lines;
  }
}
