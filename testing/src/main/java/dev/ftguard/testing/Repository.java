package dev.ftguard.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The ftguard checkout the tests run in: where kmod/, docs/, scripts/ and the modules are. */
public final class Repository {

  /** The system property surefire and failsafe set to the repository root (parent pom). */
  public static final String ROOT_PROPERTY = "ftguard.root";

  private Repository() {}

  /**
   * {@code -Dftguard.root} (Maven passes it), else the nearest directory upwards from the working
   * directory with {@code mvnw} (a test started from an IDE).
   *
   * @throws IllegalStateException when neither names a directory
   */
  public static Path root() {
    String property = System.getProperty(ROOT_PROPERTY);
    if (property != null && !property.isBlank()) {
      Path root = Path.of(property).toAbsolutePath().normalize();
      if (!Files.isDirectory(root)) {
        throw new IllegalStateException(
            "-D" + ROOT_PROPERTY + "=" + property + " is not a directory");
      }
      return root;
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the ftguard repository root: no mvnw in "
            + start
            + " or its parents; run from the repository or pass -D"
            + ROOT_PROPERTY
            + "=<repo>");
  }

  /** {@code relative} under the repository root. */
  public static Path resolve(String relative) {
    return root().resolve(relative);
  }
}
