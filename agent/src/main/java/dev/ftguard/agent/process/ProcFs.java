package dev.ftguard.agent.process;

import dev.ftguard.abi.Abi;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.PathCalls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads what ftguard needs from a {@code /proc} tree: the host's, or a fake one in tests (the same
 * layout: {@code PID/stat}, {@code PID/cmdline}, {@code PID/exe}, {@code PID/cwd}, {@code
 * PID/cgroup}, {@code sys/kernel/random/boot_id}).
 *
 * <p>Every read tolerates the process having gone (ENOENT, ESRCH) and the reader lacking permission
 * (EACCES, EPERM): the answer is then empty. Stateless and thread-safe.
 */
public final class ProcFs {
  /** At most this many bytes of a command line are read (the kernel keeps far more). */
  private static final int CMDLINE_READ = 4 * Abi.ARGV_MAX;

  private final Path root;

  /** The root and a slash, for the paths {@link #cwd} reads without {@code Path} objects. */
  private final String prefix;

  public ProcFs(Path root) {
    this.root = root;
    this.prefix = root + "/";
  }

  /** The host's {@code /proc}. */
  public static ProcFs host() {
    return new ProcFs(Path.of("/proc"));
  }

  public Path root() {
    return root;
  }

  /** {@code /proc/PID}. */
  public Path dir(long pid) {
    return root.resolve(Long.toString(pid));
  }

  /** {@code /proc/PID/exe}: opening it opens the process's binary, wherever it lives. */
  public Path exeLink(long pid) {
    return dir(pid).resolve("exe");
  }

  /** {@link #exeLink} as a string, made without {@code Path} objects (once per exec). */
  public String exePath(long pid) {
    return prefix + pid + "/exe";
  }

  /** The process ids listed (numeric entries of the root), in no particular order. */
  public List<Integer> pids() {
    List<Integer> pids = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(root)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (isNumber(name)) {
          try {
            pids.add(Integer.parseInt(name));
          } catch (NumberFormatException e) {
            // longer than an int: not a pid
          }
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return pids;
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** {@code /proc/PID/stat}, parsed. */
  public Optional<ProcStat> stat(long pid) {
    return readString(dir(pid).resolve("stat")).map(ProcStat::parse);
  }

  /** Target of {@code /proc/PID/exe} (with {@code " (deleted)"} when the file was removed). */
  public Optional<String> exe(long pid) {
    return readLink(exeLink(pid));
  }

  /** Target of {@code /proc/PID/cwd} (read once per exec and decision: no {@code Path}s). */
  public Optional<String> cwd(long pid) {
    try {
      return Optional.of(PathCalls.readLink(prefix + pid + "/cwd"));
    } catch (ErrnoException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code /proc/PID/cmdline} split at its NULs, bounded as the kernel bounds exec records (at most
   * {@link Abi#ARGC_MAX} arguments and {@link Abi#ARGV_MAX} bytes); empty for kernel threads,
   * zombies and unreadable processes.
   */
  public List<String> cmdline(long pid) {
    byte[] b;
    try (InputStream in = Files.newInputStream(dir(pid).resolve("cmdline"))) {
      b = in.readNBytes(CMDLINE_READ);
    } catch (IOException | SecurityException e) {
      return List.of();
    }
    return splitArgs(b, b.length);
  }

  /** NUL-separated arguments of {@code b[0..len)}, bounded like an exec record. */
  static List<String> splitArgs(byte[] b, int len) {
    List<String> args = new ArrayList<>();
    int used = 0;
    int start = 0;
    for (int i = 0; i <= len && args.size() < Abi.ARGC_MAX; i++) {
      if (i == len || b[i] == 0) {
        if (i == len && start == len) {
          break; // the last argument ended with its NUL
        }
        int n = i - start;
        if (used + n + 1 > Abi.ARGV_MAX) {
          break;
        }
        args.add(new String(b, start, n, StandardCharsets.UTF_8));
        used += n + 1;
        start = i + 1;
      }
    }
    return List.copyOf(args);
  }

  /**
   * The cgroup v2 path of the process: the {@code 0::} line of {@code /proc/PID/cgroup}, relative
   * to the reader's cgroup namespace.
   */
  public Optional<String> cgroup(long pid) {
    return readString(dir(pid).resolve("cgroup")).flatMap(ProcFs::cgroupV2Line);
  }

  /** The path of the {@code 0::PATH} line of a {@code /proc/PID/cgroup} text. */
  public static Optional<String> cgroupV2Line(String text) {
    int at = text.startsWith("0::") ? 0 : text.indexOf("\n0::");
    if (at < 0) {
      return Optional.empty();
    }
    int from = at == 0 ? 3 : at + 4;
    int end = text.indexOf('\n', from);
    return Optional.of(text.substring(from, end < 0 ? text.length() : end));
  }

  /** This boot's id ({@code sys/kernel/random/boot_id}), a UUID. */
  public Optional<String> bootId() {
    return readString(root.resolve("sys/kernel/random/boot_id")).map(String::trim);
  }

  private static Optional<String> readString(Path p) {
    try {
      return Optional.of(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> readLink(Path p) {
    try {
      return Optional.of(Files.readSymbolicLink(p).toString());
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty();
    }
  }
}
