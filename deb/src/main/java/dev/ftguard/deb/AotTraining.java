package dev.ftguard.deb;

import dev.ftguard.cli.Context;
import dev.ftguard.cli.Ftguard;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the JDK 25 AOT cache (JEP 483/514/515): runs the commands whose start-up
 * matters, in one JVM, so that one {@code -XX:AOTCacheOutput} run records the classes they load and
 * link and the profiles of their methods.
 *
 * <p>Arguments: policy files for {@code policy validate}. Runs {@code --version}, {@code --help},
 * {@code policy --help} and {@code policy validate FILES}; their output is discarded. Exits
 * non-zero when a command fails, so a broken CLI fails the package build instead of training a
 * cache on an error path.
 *
 * <p>The launcher puts this class's jar on the class path behind {@code ftguard.jar} (an AOT cache
 * needs the class path of its training run), and runs {@code dev.ftguard.cli.Ftguard}.
 */
public final class AotTraining {
  private AotTraining() {}

  /** The command lines of the training run. */
  public static List<List<String>> commands(List<String> policies) {
    List<String> validate = new ArrayList<>(List.of("policy", "validate"));
    validate.addAll(policies);
    return List.of(List.of("--version"), List.of("--help"), List.of("policy", "--help"), validate);
  }

  public static void main(String[] args) {
    PrintStream out = System.out;
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    int failures = 0;
    for (List<String> command : commands(List.of(args))) {
      System.setOut(quiet);
      int code;
      try {
        code = Ftguard.run(Context.system(), command.toArray(String[]::new));
      } finally {
        System.setOut(out);
      }
      out.println("aot training: ftguard " + String.join(" ", command) + " -> exit " + code);
      if (code != 0) {
        failures++;
      }
    }
    out.flush();
    System.exit(failures == 0 ? 0 : 1);
  }
}
