package dev.ftguard.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * An exclusive lock on one release directory of the module cache ({@code DIR/.lock}, an fcntl lock
 * the kernel drops when its holder exits), so that builds for one release never run at the same
 * time, whichever processes start them. Not reentrant: callers in one JVM serialise themselves.
 */
final class BuildLock implements AutoCloseable {
  static final String FILE = ".lock";

  private final FileChannel channel;

  private BuildLock(FileChannel channel) {
    this.channel = channel;
  }

  /** Takes the lock, saying so on {@code progress} if another process holds it. */
  static BuildLock acquire(Path releaseDir, String release, Consumer<String> progress)
      throws ModuleBuildException {
    Path file = releaseDir.resolve(FILE);
    FileChannel channel = null;
    try {
      Files.createDirectories(releaseDir);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        progress.accept(
            "waiting for another build of the module for " + release + " (" + file + ")");
        channel.lock();
      }
      return new BuildLock(channel);
    } catch (IOException e) {
      closeQuietly(channel);
      throw ModuleBuilder.io("cannot lock " + file, e);
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing releases the lock; nothing is left to undo
      }
    }
  }
}
