package dev.ftguard.agent.export;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * JSON lines to a file that is rotated by size and whose rotated files are gzip-compressed.
 *
 * <p>Before a line would take the active file {@code NAME} past {@link FileSinkConfig#maxBytes()},
 * the file is synced and closed, the rotated files move one number up ({@code NAME.1.gz} becomes
 * {@code NAME.2.gz}, ...; those numbered {@link FileSinkConfig#keep()} and up are deleted), {@code
 * NAME} becomes {@code NAME.1} and a new {@code NAME} is started. A background thread then
 * compresses {@code NAME.1} as {@link RotatedFiles} describes (the next rotation waits for it), so
 * the event pump does not stall on gzip. Lines are never split across files, and a crash at any
 * point leaves every line written out readable, once, in the files {@link
 * RotatedFiles#oldestFirst(Path)} lists.
 *
 * <p>Opening the sink appends to an existing {@code NAME}; if its last line was cut short by a
 * crash, a line end is added first so that the next line starts on a line of its own (the cut line
 * stays, unparseable, for forensics). It also settles what an interrupted rotation or compression
 * left behind. The files are opened without following symbolic links, and {@code NAME.lock} is
 * locked while the sink is open, so that two writers never rotate each other's files.
 *
 * <p>A line is on disk once it has been flushed (and synced, with {@link FileSinkConfig#fsync()});
 * lines still in the buffer when the process dies are lost, as with any buffered writer.
 */
public final class RotatingFileSink implements Sink {
  private static final int BUFFER = 64 * 1024;
  private static final ByteBuffer NEWLINE = ByteBuffer.wrap(new byte[] {'\n'}).asReadOnlyBuffer();

  /**
   * Counters of a file sink.
   *
   * @param lines lines written since the sink was opened
   * @param bytes bytes written, line ends included
   * @param rotations rotations done
   * @param compressed rotated files compressed (at opening and after rotations)
   * @param compressFailures compressions that failed (the plain file stays; it is retried after the
   *     next rotation and at the next opening)
   * @param lastCompressFailure the last compression failure, if any
   * @param repairedLines cut lines found at the end of the active file and ended
   */
  public record Stats(
      long lines,
      long bytes,
      long rotations,
      long compressed,
      long compressFailures,
      Optional<String> lastCompressFailure,
      long repairedLines) {}

  /** Lock files held by sinks of this JVM (a second lock on a file would be refused anyway). */
  private static final Set<Path> LOCKED = ConcurrentHashMap.newKeySet();

  private final FileSinkConfig config;
  private final Path path;
  private Path lockKey;
  private FileChannel lockChannel;
  private final RotatedFiles files;
  private final FlushControl flush;
  private final ExecutorService compressor;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
  private Future<RotatedFiles.Settled> pending;
  private FileChannel channel;
  private long size;
  private boolean closed;

  private long lines;
  private long bytes;
  private long rotations;
  private long compressed;
  private long compressFailures;
  private String lastCompressFailure;
  private long repairedLines;

  private RotatingFileSink(
      FileSinkConfig config, Path path, RotatedFiles files, LongSupplier nanoClock) {
    this.config = config;
    this.path = path;
    this.files = files;
    this.flush = new FlushControl(config.flush(), nanoClock);
    this.compressor =
        config.compress()
            ? Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("ftguard-compress").factory())
            : null;
  }

  /**
   * Opens the sink: checks the directory and file, settles rotated files left by an earlier run,
   * and opens {@code NAME} for appending.
   *
   * @throws ExportConfigException.DirectoryMissing the directory does not exist
   * @throws ExportConfigException.NotWritable the directory or the file cannot be written
   * @throws ExportConfigException.NotARegularFile the path is a directory, a link or a device
   * @throws ExportConfigException.InUse another sink writes the same file
   * @throws IOException other failures of the file system (a rotated file that cannot be compressed
   *     is not one: it stays as it is and is counted in {@link Stats#compressFailures()})
   */
  public static RotatingFileSink open(FileSinkConfig config) throws IOException {
    return open(config, System::nanoTime, RotatedFiles.StepHook.NONE);
  }

  /** {@link #open(FileSinkConfig)} with the clock for {@link FlushPolicy.Batched#maxDelay()}. */
  public static RotatingFileSink open(FileSinkConfig config, LongSupplier nanoClock)
      throws IOException {
    return open(config, nanoClock, RotatedFiles.StepHook.NONE);
  }

  static RotatingFileSink open(
      FileSinkConfig config, LongSupplier nanoClock, RotatedFiles.StepHook hook)
      throws IOException {
    Objects.requireNonNull(config, "config");
    Path path = config.path().toAbsolutePath();
    checkFileSystem(path);
    RotatedFiles files = new RotatedFiles(path, config.permissions(), hook);
    RotatingFileSink sink = new RotatingFileSink(config, path, files, nanoClock);
    try {
      sink.lock();
      sink.settled(files.settle(config.compress()));
      sink.openActive(true);
    } catch (IOException | RuntimeException e) {
      sink.abandon();
      throw e;
    }
    return sink;
  }

  private static void checkFileSystem(Path path) {
    Path dir = path.getParent();
    if (!Files.isDirectory(dir)) {
      throw new ExportConfigException.DirectoryMissing(path, dir, Files.exists(dir));
    }
    if (Files.isSymbolicLink(path)) {
      throw new ExportConfigException.NotARegularFile(path, "a symbolic link");
    }
    if (Files.isDirectory(path, NOFOLLOW_LINKS)) {
      throw new ExportConfigException.NotARegularFile(path, "a directory");
    }
    boolean exists = Files.exists(path, NOFOLLOW_LINKS);
    if (exists && !Files.isRegularFile(path, NOFOLLOW_LINKS)) {
      throw new ExportConfigException.NotARegularFile(path, "a device, pipe or socket");
    }
    if (!Files.isWritable(dir)) {
      throw new ExportConfigException.NotWritable(path, dir, null, null);
    }
    if (exists && !Files.isWritable(path)) {
      throw new ExportConfigException.NotWritable(path, path, null, null);
    }
  }

  /**
   * Takes {@code NAME.lock} so that no other sink, in this process or another, writes and rotates
   * the same files.
   */
  private void lock() throws IOException {
    Path lockPath = path.resolveSibling(path.getFileName() + ".lock");
    Path key = path.getParent().toRealPath().resolve(lockPath.getFileName());
    if (!LOCKED.add(key)) {
      throw new ExportConfigException.InUse(path, lockPath);
    }
    lockKey = key;
    lockChannel =
        FileChannel.open(
            lockPath,
            Set.of(CREATE, WRITE, NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(config.permissions()));
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new ExportConfigException.InUse(path, lockPath);
    }
  }

  private void unlock() throws IOException {
    try {
      if (lockChannel != null) {
        lockChannel.close(); // releases the lock
      }
    } finally {
      lockChannel = null;
      if (lockKey != null) {
        LOCKED.remove(lockKey);
        lockKey = null;
      }
    }
  }

  /** Opens (or creates) the active file for appending; ends a cut last line. */
  private void openActive(boolean atStart) throws IOException {
    FileChannel ch;
    try {
      ch =
          FileChannel.open(
              path,
              Set.of(CREATE, WRITE, APPEND, NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(config.permissions()));
    } catch (AccessDeniedException e) {
      if (atStart) {
        throw new ExportConfigException.NotWritable(path, path.getParent(), e.getReason(), e);
      }
      throw e;
    } catch (FileSystemException e) {
      if (atStart && "Read-only file system".equals(e.getReason())) {
        throw new ExportConfigException.NotWritable(path, path.getParent(), e.getReason(), e);
      }
      throw e;
    }
    try {
      long length = ch.size();
      if (length > 0 && lastByte(length) != '\n') {
        ch.write(NEWLINE.duplicate());
        length++;
        repairedLines++;
      }
      size = length;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    channel = ch;
  }

  private byte lastByte(long length) throws IOException {
    try (FileChannel r = FileChannel.open(path, READ, NOFOLLOW_LINKS)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      r.read(b, length - 1);
      return b.get(0);
    }
  }

  @Override
  public synchronized void write(String line) throws IOException {
    byte[] b = Sink.encode(line);
    if (closed) {
      throw new IOException("sink " + path + " is closed");
    }
    if (channel == null) {
      openActive(false); // an earlier rotation failed half-way: go on in the active file
    }
    if (size > 0 && size + b.length > config.maxBytes()) {
      rotate();
    }
    if (b.length > buffer.remaining()) {
      drain();
    }
    if (b.length > buffer.capacity()) {
      ByteBuffer big = ByteBuffer.wrap(b);
      while (big.hasRemaining()) {
        channel.write(big);
      }
    } else {
      buffer.put(b);
    }
    size += b.length;
    lines++;
    bytes += b.length;
    if (flush.lineBuffered()) {
      flushOut();
    }
  }

  @Override
  public synchronized void flush() throws IOException {
    if (closed || (channel == null && buffer.position() == 0)) {
      return;
    }
    if (channel == null) {
      openActive(false);
    }
    flushOut();
  }

  private void flushOut() throws IOException {
    drain();
    if (config.fsync()) {
      channel.force(false);
    }
    flush.flushed();
  }

  /** Writes the buffer to the file; what a failed write leaves stays buffered. */
  private void drain() throws IOException {
    buffer.flip();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } finally {
      buffer.compact();
    }
  }

  private void rotate() throws IOException {
    drain();
    channel.force(true);
    channel.close();
    channel = null;
    flush.flushed();
    files.reached(RotatedFiles.Step.ROTATE_CLOSED);
    awaitCompression();
    files.shift(config.keep());
    Files.move(path, files.plain(1), ATOMIC_MOVE);
    files.reached(RotatedFiles.Step.ROTATE_RENAMED_ACTIVE);
    RotatedFiles.syncDirectory(files.directory());
    rotations++;
    openActive(false);
    if (compressor != null) {
      pending = compressor.submit(() -> files.settle(true));
    }
  }

  /** Waits for the compression started by the last rotation. */
  private void awaitCompression() throws IOException {
    if (pending == null) {
      return;
    }
    try {
      settled(pending.get());
    } catch (ExecutionException e) {
      compressFailures++;
      lastCompressFailure = String.valueOf(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(
          "interrupted while waiting for the compression of " + files.plain(1));
    }
    pending = null;
  }

  private void settled(RotatedFiles.Settled s) {
    compressed += s.compressed();
    compressFailures += s.failures();
    s.lastFailure().ifPresent(e -> lastCompressFailure = e.toString());
  }

  /** The counters. */
  public synchronized Stats stats() {
    return new Stats(
        lines,
        bytes,
        rotations,
        compressed,
        compressFailures,
        Optional.ofNullable(lastCompressFailure),
        repairedLines);
  }

  /** The active file. */
  public Path path() {
    return path;
  }

  /** Flushes, syncs and closes the active file and waits for a compression under way. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (channel != null) {
        try {
          drain();
          channel.force(true);
        } finally {
          channel.close();
          channel = null;
        }
      }
      awaitCompression();
    } finally {
      if (compressor != null) {
        compressor.close();
      }
      unlock();
    }
  }

  /** Drops the sink as a crash would: no flush, no sync, compression stopped. For tests. */
  synchronized void abandon() throws IOException {
    closed = true;
    if (compressor != null) {
      compressor.shutdownNow();
      compressor.close();
    }
    try {
      if (channel != null) {
        channel.close();
        channel = null;
      }
    } finally {
      unlock();
    }
  }
}
