package dev.ftguard.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.testing.Repository;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java examples in docs/examples/java compile against this library. */
class ExamplesCompileTest {
  @TempDir Path out;

  static Path examples() {
    return Repository.root().resolve("docs/examples/java");
  }

  @Test
  void everyJavaExampleCompiles() throws Exception {
    List<String> files;
    try (Stream<Path> s = Files.list(examples())) {
      files = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
    }
    assertThat(files).isNotEmpty();
    List<String> options =
        List.of(
            "-d",
            out.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "-Xlint:all",
            "-Werror");
    var javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean ok =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                options,
                null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjectsFromStrings(files))
            .call();
    assertThat(ok).as(diagnostics.toString()).isTrue();
    assertThat(out.resolve("WatchMkdir.class")).exists();
  }
}
