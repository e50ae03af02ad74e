package dev.ftguard.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.testing.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/performance.md's generated tables: every marker names a file that a VM benchmark writes
 * (which {@code ./dev bench} runs) or that {@code ./dev bench} writes itself (the JMH table), so
 * the document cannot quote a benchmark that no longer exists; and {@code scripts/bench-docs}
 * replaces exactly the marked tables.
 */
class BenchDocsTest {

  private static final Pattern MARKER =
      Pattern.compile("^<!-- generated from (\\S+) by \\./dev bench: do not edit -->$");
  private static final String END = "<!-- end of generated table -->";

  @Test
  void everyGeneratedTableComesFromABenchmarkThatDevBenchRuns() throws Exception {
    Path root = Repository.root();
    List<String> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root.resolve("it/src/test/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith("Benchmark.java")).toList()) {
        sources.add(Files.readString(f));
      }
    }
    String dev = Files.readString(root.resolve("dev"));
    assertThat(dev).contains("scripts/bench-docs");
    List<String> generated = markers(Files.readAllLines(root.resolve("docs/performance.md")));
    assertThat(generated).as("generated tables in docs/performance.md").isNotEmpty();
    for (String file : generated) {
      String name = Path.of(file).getFileName().toString(); // a benchmark names it, or its stem
      String stem = name.substring(0, name.lastIndexOf('.'));
      boolean benchmark =
          sources.stream()
              .anyMatch(s -> s.contains("\"" + name + "\"") || s.contains("\"" + stem + "\""));
      assertThat(benchmark || dev.contains(" " + file + "\n"))
          .as("a benchmark, or ./dev bench, writing %s", file)
          .isTrue();
    }
  }

  @Test
  void benchDocsReplacesTheMarkedTablesAndKeepsTheRest(@TempDir Path dir) throws Exception {
    Path root = Repository.root();
    Path out = root.resolve("it/target/bench");
    Files.createDirectories(out);
    Path table = Files.createTempFile(out, "bench-docs-test", ".md");
    try {
      Files.writeString(table, "| new | table |\n| --- | --- |\n");
      String src = root.relativize(table).toString();
      Path doc = dir.resolve("doc.md");
      Files.writeString(
          doc,
          String.join(
              "\n",
              "# title",
              "<!-- generated from " + src + " by ./dev bench: do not edit -->",
              "| old |",
              END,
              "prose",
              "<!-- generated from it/target/bench/never-written.md by ./dev bench: do not edit -->",
              "| kept |",
              END,
              ""));
      Process p =
          new ProcessBuilder(root.resolve("scripts/bench-docs").toString(), doc.toString())
              .redirectErrorStream(true)
              .start();
      String log = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as(log).isZero();
      assertThat(Files.readString(doc))
          .isEqualTo(
              String.join(
                  "\n",
                  "# title",
                  "<!-- generated from " + src + " by ./dev bench: do not edit -->",
                  "| new | table |",
                  "| --- | --- |",
                  END,
                  "prose",
                  "<!-- generated from it/target/bench/never-written.md by ./dev bench: do not"
                      + " edit -->",
                  "| kept |",
                  END,
                  ""));
      assertThat(log).contains("never-written.md not written by this run");

      Files.writeString(doc, "x\n" + END + "\n");
      Process bad =
          new ProcessBuilder(root.resolve("scripts/bench-docs").toString(), doc.toString())
              .redirectErrorStream(true)
              .start();
      String err = new String(bad.getInputStream().readAllBytes());
      assertThat(bad.waitFor()).isEqualTo(2);
      assertThat(err).contains(":2: an end marker without a start marker");
      assertThat(Files.readString(doc)).as("left as it was").isEqualTo("x\n" + END + "\n");
    } finally {
      Files.delete(table);
    }
  }

  private static List<String> markers(List<String> lines) {
    List<String> files = new ArrayList<>();
    boolean inside = false;
    for (String line : lines) {
      Matcher m = MARKER.matcher(line);
      if (m.matches()) {
        assertThat(inside).as("a marker inside a generated table: %s", line).isFalse();
        files.add(m.group(1));
        inside = true;
      } else if (line.equals(END)) {
        assertThat(inside).as("an end marker without a start").isTrue();
        inside = false;
      }
    }
    assertThat(inside).as("the last generated table is closed").isFalse();
    return files;
  }
}
