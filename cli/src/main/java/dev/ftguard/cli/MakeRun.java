package dev.ftguard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run of make for {@link ModuleBuilder}: the command and its output go to the build log and the
 * progress sink, and the last {@link ModuleBuilder#LOG_TAIL_LINES} lines are kept for the error.
 */
final class MakeRun {
  private final String make;
  private final List<String> cmd;
  private final Path dir;
  private final Path log;
  private final Consumer<String> progress;
  private final ArrayDeque<String> tail;

  /**
   * @param make the make program, named when it cannot be started
   * @param cmd the whole command (make, or a build root's prefix and make)
   */
  MakeRun(
      String make,
      List<String> cmd,
      Path dir,
      Path log,
      Consumer<String> progress,
      ArrayDeque<String> tail) {
    this.make = make;
    this.cmd = List.copyOf(cmd);
    this.dir = dir;
    this.log = log;
    this.progress = progress;
    this.tail = tail;
  }

  /** Adds {@code line} to {@code tail}, dropping the oldest beyond the limit. */
  static void keep(ArrayDeque<String> tail, String line) {
    tail.addLast(line);
    if (tail.size() > ModuleBuilder.LOG_TAIL_LINES) {
      tail.removeFirst();
    }
  }

  /**
   * Runs the command in {@code dir} and returns its exit status.
   *
   * @throws ModuleBuildException the program cannot be started, it outlives the timeout, or the log
   *     cannot be written
   */
  int run(long timeoutMinutes) throws ModuleBuildException {
    try (Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      w.write("$ " + String.join(" ", cmd) + "\n");
      Process p = start();
      p.getOutputStream().close();
      try (var r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          w.write(line);
          w.write('\n');
          progress.accept(line);
          keep(tail, line);
        }
      }
      if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new ModuleBuildException(
            ModuleBuildException.Kind.MAKE_FAILED,
            "make did not finish within " + timeoutMinutes + " minutes; see " + log,
            log,
            List.copyOf(tail),
            null);
      }
      int exit = p.exitValue();
      w.write("exit status " + exit + "\n");
      return exit;
    } catch (IOException e) {
      throw ModuleBuilder.io("cannot run the build or write its log " + log, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ModuleBuilder.io("interrupted while building", e);
    }
  }

  private Process start() throws ModuleBuildException {
    try {
      return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new ModuleBuildException(
          ModuleBuildException.Kind.TOOL_MISSING,
          "cannot run "
              + make
              + " ("
              + e.getMessage()
              + "): install the build tools (Debian/Ubuntu: apt-get install build-essential)",
          null,
          List.of(),
          e);
    }
  }
}
