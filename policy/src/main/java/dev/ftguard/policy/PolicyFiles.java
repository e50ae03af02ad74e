package dev.ftguard.policy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * From the policy paths a user gives to the files to read, for every command that takes policies
 * ({@code policy validate}, {@code policy apply}, {@code run -p}, {@code check --policy}).
 *
 * <ul>
 *   <li>A directory stands for its {@code *.yaml} and {@code *.yml} files, sorted by file name; not
 *       recursive (subdirectories are skipped), and names starting with '.' (editor and backup
 *       files) are skipped.
 *   <li>The same file named twice (twice on the command line, as a file and through its directory,
 *       through a symbolic or hard link) is read once, where it first appears: files are compared
 *       by device and inode.
 *   <li>Every path must exist and be a regular file or a directory ({@link InputFile#stat}).
 * </ul>
 */
public final class PolicyFiles {
  private PolicyFiles() {}

  /** What a policy path is called in messages. */
  public static final String WHAT = "policy file";

  /** The files to read, in order and without repeats, and the directories that gave none. */
  public record Expansion(List<Path> files, List<Path> emptyDirectories) {
    public Expansion {
      files = List.copyOf(files);
      emptyDirectories = List.copyOf(emptyDirectories);
    }
  }

  /** Whether a directory entry is a policy file by its name. */
  public static boolean isPolicyName(String name) {
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  /**
   * Expands directories and removes repeats.
   *
   * @throws InputFile.Refused a path is missing, a FIFO/socket/device, or a directory cannot be
   *     listed
   */
  public static Expansion expand(List<Path> paths) throws InputFile.Refused {
    List<Path> files = new ArrayList<>();
    List<Path> empty = new ArrayList<>();
    Set<Object> seen = new HashSet<>();
    for (Path p : paths) {
      BasicFileAttributes a = InputFile.stat(p, WHAT);
      if (!a.isDirectory()) {
        if (seen.add(key(p, a))) {
          files.add(p);
        }
        continue;
      }
      if (!seen.add(key(p, a))) {
        continue; // the same directory again
      }
      List<Path> entries = list(p);
      if (entries.isEmpty()) {
        empty.add(p);
      }
      for (Path e : entries) {
        BasicFileAttributes ea = InputFile.stat(e, WHAT);
        if (ea.isDirectory()) {
          continue; // not recursive
        }
        if (seen.add(key(e, ea))) {
          files.add(e);
        }
      }
    }
    return new Expansion(files, empty);
  }

  /**
   * The message for a directory without policy files, where one is required ({@code policy
   * validate}, {@code policy apply}).
   */
  public static String emptyDirectory(Path dir) {
    return "policy directory "
        + dir
        + " has no *.yaml or *.yml file: put policy files in it, or give the files themselves";
  }

  /** The directory's policy files (by name), sorted by file name; subdirectories included. */
  private static List<Path> list(Path dir) throws InputFile.Refused {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path e : ds) {
        if (isPolicyName(e.getFileName().toString())) {
          out.add(e);
        }
      }
    } catch (AccessDeniedException e) {
      throw new InputFile.Refused(
          "cannot list policy directory "
              + dir
              + ": permission denied (check its mode, or run"
              + " with sudo)",
          e);
    } catch (IOException e) {
      throw new InputFile.Refused("cannot list policy directory " + dir + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(e -> e.getFileName().toString()));
    return out;
  }

  /** Device and inode where the file system gives them, else the real path. */
  private static Object key(Path p, BasicFileAttributes a) throws InputFile.Refused {
    if (a.fileKey() != null) {
      return a.fileKey();
    }
    try {
      return p.toRealPath();
    } catch (IOException e) {
      throw new InputFile.Refused("cannot resolve " + WHAT + " " + p + ": " + e.getMessage(), e);
    }
  }
}
