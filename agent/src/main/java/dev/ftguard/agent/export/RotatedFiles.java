package dev.ftguard.agent.export;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The files of a rotated output: the active file {@code NAME} and, next to it, the rotated files
 * {@code NAME.1}, {@code NAME.2.gz}, ... (a higher number is older). A rotated slot {@code n} holds
 * {@code NAME.n} (plain) or {@code NAME.n.gz}; while it is being compressed it also holds {@code
 * NAME.n.gz.tmp}.
 *
 * <p>Compression never loses or duplicates a line: the gzip data is written to {@code
 * NAME.n.gz.tmp} and forced to disk, renamed to {@code NAME.n.gz}, and only then is {@code NAME.n}
 * deleted. Whatever step a crash interrupts, the plain file or a complete gzip file holds every
 * line, and {@link #oldestFirst(Path)} picks exactly one of them per slot (the plain file, when
 * both exist). When the sink opens again it settles every slot: a {@code .tmp} is deleted (it is
 * never the only copy), a slot with both files keeps the gzip file if it decompresses to exactly
 * the plain file's length (else the gzip file is deleted), and plain files are compressed.
 */
public final class RotatedFiles {
  /** The steps of rotation and compression, in order; crash tests stop the work at each. */
  enum Step {
    /** Rotation: the active file is synced and closed. */
    ROTATE_CLOSED,
    /** Rotation: one slot at or beyond the kept count was deleted. */
    ROTATE_DELETED_OLDEST,
    /** Rotation: one slot was renamed one number up. */
    ROTATE_SHIFTED,
    /** Rotation: the active file was renamed to {@code NAME.1}. */
    ROTATE_RENAMED_ACTIVE,
    /** Compression: part of the data is in {@code .gz.tmp}. */
    COMPRESS_TMP_PARTIAL,
    /** Compression: all the data is in {@code .gz.tmp}, not yet synced. */
    COMPRESS_TMP_WRITTEN,
    /** Compression: {@code .gz.tmp} is synced. */
    COMPRESS_TMP_SYNCED,
    /** Compression: {@code .gz.tmp} was renamed to {@code .gz}; the plain file still exists. */
    COMPRESS_RENAMED,
    /** Compression: the plain file was deleted. */
    COMPRESS_DELETED_PLAIN
  }

  /** Called at each {@link Step}; tests throw from it to simulate a crash there. */
  @FunctionalInterface
  interface StepHook {
    StepHook NONE = _ -> {};

    void reached(Step step) throws IOException;
  }

  /**
   * What {@link #settle(boolean)} did.
   *
   * @param failures slots that could not be settled (their files stay as they were)
   * @param lastFailure the last of those failures
   */
  record Settled(
      int compressed,
      int staleTmpDeleted,
      int duplicatesResolved,
      int failures,
      Optional<IOException> lastFailure) {}

  private static final int BUFFER = 64 * 1024;

  private final Path active;
  private final Path dir;
  private final String name;
  private final Set<PosixFilePermission> permissions;
  private final StepHook hook;

  RotatedFiles(Path active, Set<PosixFilePermission> permissions, StepHook hook) {
    this.active = active.toAbsolutePath();
    this.dir = Objects.requireNonNull(this.active.getParent(), "directory");
    this.name = this.active.getFileName().toString();
    this.permissions = permissions;
    this.hook = hook;
  }

  /**
   * The files that hold the lines written to {@code active}, oldest first: for each rotated slot
   * from the highest number down, {@code NAME.n} or else {@code NAME.n.gz}, then {@code NAME}.
   * Reading them in this order with {@link #open(Path)} gives every line once, in the order
   * written.
   */
  public static List<Path> oldestFirst(Path active) throws IOException {
    RotatedFiles files =
        new RotatedFiles(active, FileSinkConfig.DEFAULT_PERMISSIONS, StepHook.NONE);
    List<Path> out = new ArrayList<>();
    for (int n : files.slots().descendingSet()) {
      if (Files.isRegularFile(files.plain(n), NOFOLLOW_LINKS)) {
        out.add(files.plain(n));
      } else if (Files.isRegularFile(files.gz(n), NOFOLLOW_LINKS)) {
        out.add(files.gz(n));
      }
    }
    if (Files.isRegularFile(files.active, NOFOLLOW_LINKS)) {
      out.add(files.active);
    }
    return List.copyOf(out);
  }

  /** Opens one of the files for reading, decompressing it if its name ends in {@code .gz}. */
  public static InputStream open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file, NOFOLLOW_LINKS);
    if (!file.getFileName().toString().endsWith(".gz")) {
      return in;
    }
    try {
      return new GZIPInputStream(in, BUFFER);
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }

  Path active() {
    return active;
  }

  Path directory() {
    return dir;
  }

  Path plain(int n) {
    return dir.resolve(name + "." + n);
  }

  Path gz(int n) {
    return dir.resolve(name + "." + n + ".gz");
  }

  Path tmp(int n) {
    return dir.resolve(name + "." + n + ".gz.tmp");
  }

  void reached(Step step) throws IOException {
    hook.reached(step);
  }

  /** The numbers of the rotated slots that hold any file (plain, gzip or temporary), ascending. */
  NavigableSet<Integer> slots() throws IOException {
    NavigableSet<Integer> slots = new TreeSet<>();
    String prefix = name + ".";
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, prefix + "*")) {
      for (Path p : entries) {
        int n = slotOf(p.getFileName().toString().substring(prefix.length()));
        if (n > 0) {
          slots.add(n);
        }
      }
    }
    return slots;
  }

  /** {@code n} of {@code "n"}, {@code "n.gz"} or {@code "n.gz.tmp"}; 0 for anything else. */
  private static int slotOf(String suffix) {
    String digits =
        suffix.endsWith(".gz.tmp")
            ? suffix.substring(0, suffix.length() - 7)
            : suffix.endsWith(".gz") ? suffix.substring(0, suffix.length() - 3) : suffix;
    if (digits.isEmpty() || digits.length() > 9 || digits.charAt(0) == '0') {
      return 0;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return 0;
      }
    }
    return Integer.parseInt(digits);
  }

  /**
   * Makes room for a new {@code NAME.1}: deletes the slots numbered {@code keep} and up, then
   * renames each remaining slot one number up, highest first (so no rename replaces a file).
   */
  void shift(int keep) throws IOException {
    for (int n : slots().descendingSet()) {
      if (n >= keep) {
        Files.deleteIfExists(tmp(n));
        Files.deleteIfExists(gz(n));
        Files.deleteIfExists(plain(n));
        hook.reached(Step.ROTATE_DELETED_OLDEST);
      } else {
        Files.deleteIfExists(tmp(n));
        if (Files.exists(plain(n), NOFOLLOW_LINKS)) {
          Files.move(plain(n), plain(n + 1), ATOMIC_MOVE);
        }
        if (Files.exists(gz(n), NOFOLLOW_LINKS)) {
          Files.move(gz(n), gz(n + 1), ATOMIC_MOVE);
        }
        hook.reached(Step.ROTATE_SHIFTED);
      }
    }
  }

  /**
   * Brings every rotated slot to a single file: deletes stale {@code .gz.tmp} files, resolves slots
   * that hold both a plain and a gzip file (left by a crash between the rename and the delete), and
   * with {@code compress} compresses the plain files.
   */
  Settled settle(boolean compress) throws IOException {
    int compressed = 0;
    int stale = 0;
    int duplicates = 0;
    int failures = 0;
    IOException lastFailure = null;
    for (int n : slots()) {
      try {
        if (Files.deleteIfExists(tmp(n))) {
          stale++;
        }
        boolean plain = Files.isRegularFile(plain(n), NOFOLLOW_LINKS);
        if (plain && Files.isRegularFile(gz(n), NOFOLLOW_LINKS)) {
          duplicates++;
          if (gzipHolds(gz(n), Files.size(plain(n)))) {
            Files.delete(plain(n));
            continue;
          }
          Files.delete(gz(n));
        }
        if (plain && compress) {
          compress(n);
          compressed++;
        }
      } catch (IOException e) {
        // the slot keeps a complete copy (see compress); the next settle tries again
        failures++;
        lastFailure = e;
      }
    }
    if (stale + duplicates + compressed > 0) {
      syncDirectory(dir);
    }
    return new Settled(compressed, stale, duplicates, failures, Optional.ofNullable(lastFailure));
  }

  /**
   * Compresses slot {@code n}'s plain file: {@code .gz.tmp}, fsync, rename to {@code .gz}, delete.
   */
  void compress(int n) throws IOException {
    Path plain = plain(n);
    Path gz = gz(n);
    Path tmp = tmp(n);
    Files.deleteIfExists(tmp);
    try {
      try (FileChannel in = FileChannel.open(plain, Set.of(READ, NOFOLLOW_LINKS));
          FileChannel out =
              FileChannel.open(
                  tmp,
                  Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS),
                  PosixFilePermissions.asFileAttribute(permissions))) {
        InputStream source = Channels.newInputStream(in);
        GZIPOutputStream zip = new GZIPOutputStream(Channels.newOutputStream(out), BUFFER);
        byte[] buf = new byte[BUFFER];
        boolean first = true;
        for (int r; (r = source.read(buf)) > 0; ) {
          zip.write(buf, 0, r);
          if (first) {
            first = false;
            zip.flush();
            hook.reached(Step.COMPRESS_TMP_PARTIAL);
          }
        }
        zip.finish();
        hook.reached(Step.COMPRESS_TMP_WRITTEN);
        out.force(true);
        hook.reached(Step.COMPRESS_TMP_SYNCED);
        zip.close();
      }
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, gz, ATOMIC_MOVE);
    syncDirectory(dir);
    hook.reached(Step.COMPRESS_RENAMED);
    Files.delete(plain);
    hook.reached(Step.COMPRESS_DELETED_PLAIN);
  }

  /**
   * Whether {@code gz} is a complete gzip file (checksum and length trailer) of {@code size} bytes.
   */
  static boolean gzipHolds(Path gz, long size) {
    try (InputStream in = open(gz)) {
      return in.transferTo(OutputStream.nullOutputStream()) == size;
    } catch (IOException e) {
      return false;
    }
  }

  /** Forces the directory's entries (renames, creations) to disk, where the file system allows. */
  static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, READ)) {
      d.force(true);
    } catch (IOException e) {
      // some file systems cannot sync a directory; each rename is still atomic
    }
  }
}
