package dev.ftguard.agent.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;

/**
 * An export setting that cannot work. Each subtype is one kind of problem; the message says what is
 * wrong, where (the setting, and the path or value), and how to fix it, in one line that can be
 * shown to an operator as it is. {@link #setting()} names the setting with a stable key (e.g.
 * {@code file.max_bytes}) that a command line can map to its option name.
 */
public abstract sealed class ExportConfigException extends dev.ftguard.agent.ConfigException {
  private static final long serialVersionUID = 1L;

  private ExportConfigException(String setting, String problem, String fix, Throwable cause) {
    super(setting, problem, fix, cause);
  }

  /** The directory that should hold the output file does not exist (or is not a directory). */
  public static final class DirectoryMissing extends ExportConfigException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;

    DirectoryMissing(Path file, Path directory, boolean existsAsFile) {
      super(
          "file.path",
          existsAsFile
              ? "output file " + file + ": " + directory + " is not a directory"
              : "output file " + file + ": directory " + directory + " does not exist",
          existsAsFile
              ? "choose a file in a directory"
              : "create it (mkdir -p " + directory + ") or choose a file in an existing directory",
          null);
      this.directory = directory;
    }

    /** The missing directory. */
    public Path directory() {
      return directory;
    }
  }

  /** The output file, or the directory it is created and rotated in, cannot be written. */
  public static final class NotWritable extends ExportConfigException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    NotWritable(Path file, Path path, String reason, Throwable cause) {
      super(
          "file.path",
          "output file "
              + file
              + ": "
              + (path.equals(file) ? "the file" : "directory " + path)
              + " is not writable by this process (uid "
              + uid()
              + ")"
              + (reason == null ? "" : ": " + reason),
          path.equals(file)
              ? "make it writable (chmod u+w " + path + ") or choose another file"
              : "run as a user who may write there (root), change its owner or mode, or choose"
                  + " another directory (rotation creates and renames files in it)",
          cause);
      this.path = path;
    }

    /** The file or directory that cannot be written. */
    public Path path() {
      return path;
    }

    private static String uid() {
      try {
        Object uid = java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        return String.valueOf(uid);
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        return "unknown";
      }
    }
  }

  /** Another sink (in this or another process) writes and rotates the same file. */
  public static final class InUse extends ExportConfigException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    InUse(Path path, Path lock) {
      super(
          "file.path",
          "output file " + path + " is being written by another ftguard (it holds " + lock + ")",
          "stop the other one, or give each its own file: two writers would rotate each other's"
              + " files away",
          null);
      this.path = path;
    }

    public Path path() {
      return path;
    }
  }

  /** The output path names a directory, a symbolic link or a special file. */
  public static final class NotARegularFile extends ExportConfigException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    NotARegularFile(Path path, String what) {
      super(
          "file.path",
          "output file " + path + " is " + what,
          switch (what) {
            case "a directory" -> "give a file name in it, e.g. " + path.resolve("events.jsonl");
            case "a symbolic link" ->
                "ftguard does not follow links for its output (a link could point it anywhere);"
                    + " give the real path";
            default -> "give the path of a regular file (or of one to be created)";
          },
          null);
      this.path = path;
    }

    /** The path. */
    public Path path() {
      return path;
    }
  }

  /** The size limit of the output file is below {@link FileSinkConfig#MIN_MAX_BYTES}. */
  public static final class SizeTooSmall extends ExportConfigException {
    private static final long serialVersionUID = 1L;
    private final long given;
    private final long minimum;

    SizeTooSmall(long given, long minimum) {
      super(
          "file.max_bytes",
          "size limit "
              + given
              + " bytes is below the minimum of "
              + minimum
              + " bytes ("
              + minimum / 1024
              + " KiB): each file must hold many lines, and tiny files would rotate on every"
              + " burst",
          "use at least " + minimum + " bytes, e.g. 104857600 (100 MiB)",
          null);
      this.given = given;
      this.minimum = minimum;
    }

    public long given() {
      return given;
    }

    public long minimum() {
      return minimum;
    }
  }

  /** A number outside the range its setting allows. */
  public static final class OutOfRange extends ExportConfigException {
    private static final long serialVersionUID = 1L;
    private final String value;

    OutOfRange(String setting, String what, String value, String allowed) {
      super(setting, what + " " + value + " is out of range", "use " + allowed, null);
      this.value = value;
    }

    /** The value given, as text. */
    public String value() {
      return value;
    }
  }

  /** The binary filter is not a valid regular expression. */
  public static final class BadPattern extends ExportConfigException {
    private static final long serialVersionUID = 1L;
    private final String pattern;

    BadPattern(String pattern, PatternSyntaxException e) {
      super(
          "filter.binary",
          "regular expression "
              + quote(pattern)
              + " is not valid: "
              + e.getDescription()
              + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""),
          "write a java.util.regex pattern, e.g. ^/usr/bin/(curl|wget)$ (escape a literal"
              + " dot as \\.)",
          e);
      this.pattern = pattern;
    }

    public String pattern() {
      return pattern;
    }
  }

  /** A type filter or rate-limit exemption names a line type that does not exist. */
  public static final class UnknownType extends ExportConfigException {
    private static final long serialVersionUID = 1L;
    private final String type;

    UnknownType(String setting, String type, Collection<String> known) {
      super(
          setting,
          "unknown line type " + quote(type),
          "use one of " + String.join(", ", new TreeSet<>(known)),
          null);
      this.type = type;
    }

    public String type() {
      return type;
    }
  }

  private static String quote(String s) {
    return "'" + Objects.toString(s) + "'";
  }
}
