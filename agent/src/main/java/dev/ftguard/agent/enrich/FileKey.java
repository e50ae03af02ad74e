package dev.ftguard.agent.enrich;

import dev.ftguard.abi.Errno;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.PathCalls;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Identifies the content of a file: device, inode and change time. Writing to a file, renaming over
 * it or changing its attributes moves its change time, so a hash cached under a key stays the hash
 * of that key's content.
 *
 * @param ctimeNs change time, nanoseconds since the epoch
 */
public record FileKey(long dev, long ino, long ctimeNs) {
  /**
   * The key and size of the file {@code path} leads to (links followed): one {@code statx} ({@link
   * PathCalls}); its failure as {@code Files.readAttributes} reports it ({@link
   * NoSuchFileException}, {@link AccessDeniedException}, else a {@link FileSystemException} with
   * the C library's description as reason).
   */
  static Stat stat(Path path) throws IOException {
    return stat(path.toString());
  }

  /** {@link #stat(Path)} of a path given as a string. */
  static Stat stat(String p) throws IOException {
    PathCalls.Info st;
    try {
      st = PathCalls.stat(p);
    } catch (ErrnoException e) {
      throw switch (e.errno()) {
        case Errno.ENOENT -> new NoSuchFileException(p);
        case Errno.EACCES -> new AccessDeniedException(p);
        default -> new FileSystemException(p, null, e.description());
      };
    }
    return new Stat(new FileKey(st.dev(), st.ino(), st.ctimeNs()), st.size());
  }

  /**
   * The key and size of the file an exec record says the process runs: what {@link #stat} of its
   * {@code /proc/PID/exe} would have read then, taken by the kernel.
   */
  static Stat of(ExecEvent.ExecFile f) {
    return new Stat(
        new FileKey(
            PathCalls.makedev(f.devMajor(), f.devMinor()),
            f.ino(),
            f.ctimeSec() * 1_000_000_000L + f.ctimeNsec()),
        f.size());
  }

  /** A key with the file's size. */
  record Stat(FileKey key, long size) {}
}
