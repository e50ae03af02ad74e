package dev.ftguard.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file the user named on the command line, checked before it is read: it must exist and be a
 * regular file (a FIFO, socket or device is refused without being opened, so nothing hangs or reads
 * forever), and it is read with a size bound. Every refusal is an {@link Refused} whose message is
 * one line: what is wrong, which file, how to fix it.
 */
public final class InputFile {
  private InputFile() {}

  /** Why a file the user named cannot be read; the message is the one line to print. */
  public static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    public Refused(String message) {
      super(message);
    }

    public Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The attributes of {@code file} (symbolic links followed) when it is a regular file or a
   * directory.
   *
   * @param what what the file is, for the message ("policy file")
   * @throws Refused missing, not a regular file or directory, or its attributes unreadable
   */
  public static BasicFileAttributes stat(Path file, String what) throws Refused {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new Refused(what + " " + file + " does not exist: check the path", e);
    } catch (AccessDeniedException e) {
      throw new Refused(
          "cannot look at "
              + what
              + " "
              + file
              + ": permission denied (check the modes of its"
              + " directories, or run with sudo)",
          e);
    } catch (IOException e) {
      throw new Refused("cannot look at " + what + " " + file + ": " + e.getMessage(), e);
    }
    if (!a.isRegularFile() && !a.isDirectory()) {
      throw new Refused(
          what + " " + file + " is " + kind(file) + ", not a regular file: give a regular file");
    }
    return a;
  }

  /**
   * Reads a regular file of at most {@code limit} bytes.
   *
   * @param what what the file is, for the message ("policy file")
   * @param fix how to make a file that is too large fit ("split it into several files")
   * @throws Refused missing, a directory or another non-regular file, too large, or unreadable
   */
  public static byte[] read(Path file, String what, long limit, String fix) throws Refused {
    BasicFileAttributes a = stat(file, what);
    if (a.isDirectory()) {
      throw new Refused(what + " " + file + " is a directory: give a regular file in it");
    }
    if (a.size() > limit) {
      throw tooLarge(file, what, a.size(), limit, fix);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      if (bytes.length > limit) {
        throw tooLarge(file, what, -1, limit, fix); // it grew since stat
      }
      return bytes;
    } catch (Refused e) {
      throw e;
    } catch (NoSuchFileException e) {
      throw new Refused(what + " " + file + " does not exist: check the path", e);
    } catch (AccessDeniedException e) {
      throw new Refused(
          "cannot read "
              + what
              + " "
              + file
              + ": permission denied (check its mode, or run with"
              + " sudo)",
          e);
    } catch (IOException e) {
      throw new Refused("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a regular file of at most {@code limit} bytes as UTF-8 text ({@link #read}'s checks, then
   * malformed UTF-8 refused rather than replaced).
   */
  public static String readText(Path file, String what, long limit, String fix) throws Refused {
    byte[] bytes = read(file, what, limit, fix);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Refused(what + " " + file + " is not UTF-8 text: save it as UTF-8", e);
    }
  }

  private static Refused tooLarge(Path file, String what, long size, long limit, String fix) {
    return new Refused(
        what
            + " "
            + file
            + " is "
            + (size < 0 ? "larger than the limit" : size + " bytes, more than the limit")
            + " of "
            + bytes(limit)
            + ": "
            + fix);
  }

  /** {@code 4194304 bytes (4 MiB)}. */
  public static String bytes(long n) {
    if (n >= 1 << 20 && n % (1 << 20) == 0) {
      return n + " bytes (" + (n >> 20) + " MiB)";
    }
    return n + " bytes";
  }

  /** "a FIFO", "a socket", "a character device", ... (symbolic links followed). */
  static String kind(Path file) {
    try {
      int mode = (Integer) Files.getAttribute(file, "unix:mode");
      return switch (mode & 0170000) {
        case 0010000 -> "a FIFO (named pipe)";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        case 0040000 -> "a directory";
        default -> "a special file";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "a special file";
    }
  }
}
