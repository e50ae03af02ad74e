package dev.ftguard.agent.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Identifies the content of a file: device, inode and change time. Writing to a file, renaming over
 * it or changing its attributes moves its change time, so a hash cached under a key stays the hash
 * of that key's content.
 *
 * @param ctimeNs change time, nanoseconds since the epoch
 */
public record FileKey(long dev, long ino, long ctimeNs) {
  /** The key and size of the file {@code path} leads to (links followed). */
  static Stat stat(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,ctime,size");
    return new Stat(
        new FileKey(
            (Long) a.get("dev"),
            (Long) a.get("ino"),
            ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS)),
        (Long) a.get("size"));
  }

  /** A key with the file's size. */
  record Stat(FileKey key, long size) {}
}
