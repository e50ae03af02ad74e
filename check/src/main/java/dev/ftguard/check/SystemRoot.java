package dev.ftguard.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The root a {@link LiveSystem} reads under ({@code /} for this machine, or a directory holding
 * another system's files), and where a path of that system is on this machine.
 */
final class SystemRoot {
  /** Symbolic links followed resolving one path under a root at most (the kernel's MAXSYMLINKS). */
  static final int MAX_LINKS = 40;

  private final Path root;
  private final boolean rooted;

  SystemRoot(Path root) {
    this.root = root;
    this.rooted = root.toAbsolutePath().normalize().getParent() != null;
  }

  Path root() {
    return root;
  }

  /** Whether this is another system's root, not {@code /}. */
  boolean rooted() {
    return rooted;
  }

  /**
   * {@code abs} (an absolute path such as {@code /proc/kallsyms}) under the root, as written: its
   * symbolic links are not resolved ({@link #locate} does that).
   */
  Path path(String abs) {
    return root.resolve(abs.substring(1));
  }

  /**
   * Where {@code abs} of the system checked is on this machine. Under {@code /} that is {@code abs}
   * itself (the kernel follows its links). Under another root every symbolic link on the way is
   * followed inside the root, as on the system it holds: an absolute target from the root (Debian's
   * {@code /lib/modules/R/build} points to {@code /usr/src/linux-headers-R}), a relative one from
   * the link's directory, and {@code ..} never above the root. More than {@link #MAX_LINKS} links
   * is {@link Reading.Missing} (a loop); a part that does not exist is kept as written, for the
   * reader to report.
   */
  Reading<Path> locate(String abs) {
    return inRoot(path(abs));
  }

  /** {@code p}, a path under the root as written, with its links followed inside the root. */
  Reading<Path> inRoot(Path p) {
    if (!rooted || !p.startsWith(root)) {
      return Reading.found(p, p.toString());
    }
    Deque<String> todo = new ArrayDeque<>();
    root.relativize(p).forEach(n -> todo.addLast(n.toString()));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String name = todo.removeFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      Path at = under(done).resolve(name);
      if (!Files.isSymbolicLink(at)) {
        done.add(name);
        continue;
      }
      String target;
      try {
        target = Files.readSymbolicLink(at).toString();
      } catch (IOException | UnsupportedOperationException e) {
        done.add(name); // the reader reports what is wrong with it
        continue;
      }
      if (++links > MAX_LINKS) {
        return new Reading.Missing<>(
            p
                + " does not resolve: more than "
                + MAX_LINKS
                + " symbolic links followed inside "
                + root
                + " (a loop: "
                + at
                + " points to "
                + target
                + ")");
      }
      if (target.startsWith("/")) {
        done.clear();
      }
      List<String> parts = Arrays.asList(target.split("/"));
      for (int i = parts.size() - 1; i >= 0; i--) {
        todo.addFirst(parts.get(i));
      }
    }
    return Reading.found(under(done), p.toString());
  }

  private Path under(List<String> names) {
    return names.isEmpty() ? root : root.resolve(String.join("/", names));
  }
}
