package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under {@code malformed/} starts with {@code # expect: LINE:COLUMN: fragment}; loading
 * it must give exactly one error, at that position, whose text contains the fragment.
 */
class MalformedCorpusTest {
  private static final Pattern EXPECT = Pattern.compile("# expect: (\\d+):(\\d+): (.+)");

  static Path corpus() {
    return Path.of("src/test/resources/malformed");
  }

  static Stream<Path> files() throws IOException {
    try (var s = Files.list(corpus())) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void corpusIsLargeEnough() throws IOException {
    assertThat(files().count()).isGreaterThanOrEqualTo(55);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void givesExactlyTheExpectedError(Path file) throws IOException {
    String text = Files.readString(file);
    Matcher m = EXPECT.matcher(text.lines().findFirst().orElseThrow());
    assertThat(m.matches())
        .as("first line of %s is '# expect: LINE:COLUMN: fragment'", file)
        .isTrue();
    String name = file.getFileName().toString();

    LoadResult r = PolicyLoader.load(new PolicySource(name, text));

    assertThat(r).isInstanceOf(LoadResult.Invalid.class);
    List<PolicyError> errors = ((LoadResult.Invalid) r).errors();
    assertThat(errors).as("errors of %s", name).hasSize(1);
    PolicyError e = errors.getFirst();
    assertThat(e.location())
        .isEqualTo(new Location(name, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    assertThat(e.toString())
        .startsWith(name + ":" + m.group(1) + ":" + m.group(2) + ": error: ")
        .contains(m.group(3));
    assertThat(e.hint()).as("every error has a hint").isNotBlank();
  }
}
