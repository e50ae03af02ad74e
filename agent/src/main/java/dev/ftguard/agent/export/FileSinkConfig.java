package dev.ftguard.agent.export;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@link RotatingFileSink}. The values are checked here (sizes, counts); the file
 * system (directory exists, is writable) is checked when the sink is opened. Bad values throw an
 * {@link ExportConfigException} subtype.
 *
 * @param path the active file, e.g. {@code /var/log/ftguard/events.jsonl}; rotated files are {@code
 *     events.jsonl.1}, {@code events.jsonl.2.gz}, ... next to it
 * @param maxBytes a file is rotated before a line would take it past this size (at least {@link
 *     #MIN_MAX_BYTES}); a single line longer than this gets a file of its own
 * @param keep rotated files kept, 1 to {@link #MAX_KEEP}; the oldest beyond are deleted
 * @param compress whether rotated files are gzip-compressed (in the background)
 * @param flush when buffered lines are written to the file
 * @param fsync whether every flush also forces the data to the disk (survives power loss up to the
 *     last flush, at the cost of a disk sync per flush); rotation and close always sync
 * @param permissions mode of files created (the process umask still applies); must let the owner
 *     read and write
 */
public record FileSinkConfig(
    Path path,
    long maxBytes,
    int keep,
    boolean compress,
    FlushPolicy flush,
    boolean fsync,
    Set<PosixFilePermission> permissions) {

  /** The smallest {@link #maxBytes()}: 64 KiB. */
  public static final long MIN_MAX_BYTES = 64 * 1024;

  /** The default {@link #maxBytes()}: 100 MiB. */
  public static final long DEFAULT_MAX_BYTES = 100L * 1024 * 1024;

  /** The default {@link #keep()}. */
  public static final int DEFAULT_KEEP = 10;

  /** The largest {@link #keep()}. */
  public static final int MAX_KEEP = 1000;

  /** The default flush policy of files: 512 lines or 1 s, whichever comes first. */
  public static final FlushPolicy DEFAULT_FLUSH =
      new FlushPolicy.Batched(512, Duration.ofSeconds(1));

  /** The default {@link #permissions()}: {@code rw-r-----} (events carry command lines). */
  public static final Set<PosixFilePermission> DEFAULT_PERMISSIONS =
      PosixFilePermissions.fromString("rw-r-----");

  public FileSinkConfig {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(flush, "flush");
    Objects.requireNonNull(permissions, "permissions");
    if (path.getFileName() == null) {
      throw new ExportConfigException.NotARegularFile(path, "not a file name");
    }
    if (maxBytes < MIN_MAX_BYTES) {
      throw new ExportConfigException.SizeTooSmall(maxBytes, MIN_MAX_BYTES);
    }
    if (keep < 1 || keep > MAX_KEEP) {
      throw new ExportConfigException.OutOfRange(
          "file.keep",
          "number of rotated files to keep",
          Integer.toString(keep),
          "1 to " + MAX_KEEP);
    }
    permissions = Set.copyOf(permissions);
    if (!permissions.contains(PosixFilePermission.OWNER_READ)
        || !permissions.contains(PosixFilePermission.OWNER_WRITE)) {
      throw new ExportConfigException.OutOfRange(
          "file.mode",
          "file mode",
          PosixFilePermissions.toString(permissions),
          "a mode that lets the owner read and write, e.g. rw-r----- (0640)");
    }
  }

  /** The defaults for {@code path}: 100 MiB files, 10 kept, compressed, {@link #DEFAULT_FLUSH}. */
  public static FileSinkConfig of(Path path) {
    return new FileSinkConfig(
        path, DEFAULT_MAX_BYTES, DEFAULT_KEEP, true, DEFAULT_FLUSH, false, DEFAULT_PERMISSIONS);
  }

  public FileSinkConfig withMaxBytes(long maxBytes) {
    return new FileSinkConfig(path, maxBytes, keep, compress, flush, fsync, permissions);
  }

  public FileSinkConfig withKeep(int keep) {
    return new FileSinkConfig(path, maxBytes, keep, compress, flush, fsync, permissions);
  }

  public FileSinkConfig withCompress(boolean compress) {
    return new FileSinkConfig(path, maxBytes, keep, compress, flush, fsync, permissions);
  }

  public FileSinkConfig withFlush(FlushPolicy flush) {
    return new FileSinkConfig(path, maxBytes, keep, compress, flush, fsync, permissions);
  }

  public FileSinkConfig withFsync(boolean fsync) {
    return new FileSinkConfig(path, maxBytes, keep, compress, flush, fsync, permissions);
  }

  public FileSinkConfig withPermissions(Set<PosixFilePermission> permissions) {
    return new FileSinkConfig(path, maxBytes, keep, compress, flush, fsync, permissions);
  }
}
