package dev.ftguard.policy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads and validates policy files. Loading is all-or-nothing: any error in any file gives {@link
 * LoadResult.Invalid} with every error found, sorted by file (in the order given), line and column;
 * otherwise {@link LoadResult.Loaded} with the normalized {@link PolicySet}.
 */
public final class PolicyLoader {
  private PolicyLoader() {}

  public static LoadResult load(List<PolicySource> sources) {
    return new Validator().load(sources);
  }

  public static LoadResult load(PolicySource... sources) {
    return load(List.of(sources));
  }

  /**
   * Reads and loads policy files and directories ({@link PolicyFiles#expand}: a directory stands
   * for its {@code *.yaml}/{@code *.yml} files, the same file given twice is read once); errors
   * name each file as given. Each file is read with the bound {@link Limits#POLICY_FILE_BYTES}.
   *
   * @throws InputFile.Refused a path that cannot be read (missing, a FIFO or device, too large, not
   *     UTF-8) or a directory without policy files; its message is the one line to print
   */
  public static LoadResult loadFiles(List<Path> paths) throws IOException {
    PolicyFiles.Expansion x = PolicyFiles.expand(paths);
    if (!x.emptyDirectories().isEmpty()) {
      throw new InputFile.Refused(PolicyFiles.emptyDirectory(x.emptyDirectories().getFirst()));
    }
    List<PolicySource> sources = new ArrayList<>();
    for (Path f : x.files()) {
      sources.add(new PolicySource(f.toString(), readFile(f)));
    }
    return load(sources);
  }

  /** One policy file's text: a regular file of at most {@link Limits#POLICY_FILE_BYTES}, UTF-8. */
  public static String readFile(Path f) throws InputFile.Refused {
    return InputFile.readText(
        f,
        PolicyFiles.WHAT,
        Limits.POLICY_FILE_BYTES,
        "split it into several files (a directory of them is loaded as one set)");
  }
}
