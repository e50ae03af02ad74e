package dev.ftguard.vm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Host programs the harness calls. */
final class Tools {
  private Tools() {}

  /** The program on PATH or in the sbin directories (often not on a user's PATH). */
  static String find(String program, String debianPackage) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir :
        (path + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new VmException(
        program
            + " not found on PATH or in /usr/sbin; install the Debian package "
            + debianPackage
            + " (scripts/setup does)");
  }

  static String run(List<String> command, String purpose) {
    return new String(runBytes(command, purpose), StandardCharsets.UTF_8);
  }

  /** Runs to completion; stdout on success, a {@link VmException} with stderr otherwise. */
  static byte[] runBytes(List<String> command, String purpose) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      CompletableFuture<byte[]> err =
          CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      byte[] out = p.getInputStream().readAllBytes();
      int rc = p.waitFor();
      if (rc != 0) {
        throw new VmException(
            "cannot "
                + purpose
                + ": '"
                + String.join(" ", command)
                + "' exited with "
                + rc
                + ": "
                + new String(err.join(), StandardCharsets.UTF_8).strip());
      }
      return out;
    } catch (IOException e) {
      throw new VmException(
          "cannot " + purpose + ": cannot run " + command.getFirst() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VmException("interrupted while trying to " + purpose, e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
