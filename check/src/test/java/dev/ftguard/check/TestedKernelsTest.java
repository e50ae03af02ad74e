package dev.ftguard.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code kmod/kernels.conf}, as built into the module, and what does not parse. */
class TestedKernelsTest {
  static final String HEADER = "# comment\n#\n# series  suite  security  compiler  role\n";

  @Test
  void theBuiltInListIsKmodKernelsConf() {
    TestedKernels t = TestedKernels.builtIn();
    assertThat(t.series())
        .extracting(TestedKernels.Series::name)
        .containsExactly("5.10", "6.1", "6.12", "7.2");
    assertThat(t.series()).filteredOn(TestedKernels.Series::isDefault).hasSize(1);
    assertThat(t.defaultSeries())
        .isEqualTo(
            new TestedKernels.Series(
                6, 1, "bookworm", Optional.of("bookworm-security"), "gcc-12", true));
    assertThat(t.series())
        .extracting(TestedKernels.Series::suite)
        .containsExactly("bullseye", "bookworm", "trixie", "sid");
    assertThat(t.newest().security()).isEmpty();
    assertThat(t.oldest().compiler()).isEqualTo("gcc-10");
    assertThat(t.of(new KernelVersion(6, 12, 118)).map(TestedKernels.Series::describe))
        .contains("Debian 6.12 (trixie)");
    assertThat(t.of(new KernelVersion(6, 6, 0))).isEmpty();
    assertThat(t.describe()).isEqualTo("5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), 7.2 (sid)");
  }

  @Test
  void theResourceIsTheFileItselfNotACopy() throws Exception {
    String root = System.getProperty("ftguard.root");
    Path conf = Path.of(root == null ? ".." : root, "kmod", "kernels.conf");
    assertThat(conf).isRegularFile();
    try (InputStream in = TestedKernels.class.getResourceAsStream(TestedKernels.RESOURCE)) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(Files.readString(conf));
    }
  }

  @Test
  void commentsBlankLinesAndOrder() {
    TestedKernels t =
        TestedKernels.parse(
            HEADER
                + "\n6.12 trixie trixie-security gcc-14 -   # newest\n\t5.10\tbullseye - gcc-10 default\n",
            "k.conf");
    assertThat(t.series()).extracting(TestedKernels.Series::name).containsExactly("5.10", "6.12");
    assertThat(t.defaultSeries().name()).isEqualTo("5.10");
    assertThat(t.oldest().security()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "6.1 bookworm bookworm-security gcc-12|k.conf:4: 4 fields, expected 5 (series suite security compiler role): '6.1 bookworm bookworm-security gcc-12'",
        "6.1 bookworm - gcc-12 default extra|k.conf:4: 6 fields, expected 5",
        "6|k.conf:4: 1 field, expected 5",
        "6.x bookworm - gcc-12 default|k.conf:4: series '6.x' is not MAJOR.MINOR (such as 6.1)",
        "6.1.2 bookworm - gcc-12 default|k.conf:4: series '6.1.2' is not MAJOR.MINOR",
        "6.1 Bookworm - gcc-12 default|k.conf:4: suite 'Bookworm' is not a name",
        "6.1 bookworm bookworm/security gcc-12 default|k.conf:4: security 'bookworm/security' is not a name",
        "6.1 bookworm - gcc_12 default|k.conf:4: compiler 'gcc_12' is not a name",
        "6.1 bookworm - gcc-12 yes|k.conf:4: role 'yes' is neither 'default' nor '-'",
      })
  void aMalformedLineNamesItsNumber(String line, String message) {
    assertThatThrownBy(() -> TestedKernels.parse(HEADER + line + "\n", "k.conf"))
        .isInstanceOf(TestedKernels.Malformed.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void theListAsAWholeIsChecked() {
    assertThatThrownBy(() -> TestedKernels.parse(HEADER, "k.conf"))
        .isInstanceOf(TestedKernels.Malformed.class)
        .hasMessage("k.conf: no series");
    assertThatThrownBy(() -> TestedKernels.parse("6.1 bookworm - gcc-12 -\n", "k.conf"))
        .hasMessage("k.conf: no series has the role 'default'");
    assertThatThrownBy(
            () ->
                TestedKernels.parse(
                    "6.1 bookworm - gcc-12 default\n5.10 bullseye - gcc-10 default\n", "k.conf"))
        .hasMessage("k.conf:2: a second default (line 1 is the default already)");
    assertThatThrownBy(
            () ->
                TestedKernels.parse(
                    "6.1 bookworm - gcc-12 default\n\n6.1 trixie - gcc-14 -\n", "k.conf"))
        .hasMessage("k.conf:3: series 6.1 is listed twice");
  }

  @Test
  void itIsBounded() {
    assertThatThrownBy(() -> TestedKernels.parse("#" + "x".repeat(300) + "\n", "k.conf"))
        .hasMessage("k.conf:1: longer than 200 characters");
    assertThatThrownBy(() -> TestedKernels.parse("#\n".repeat(1001), "k.conf"))
        .hasMessage("k.conf: more than 1000 lines: not a list of kernels");
    StringBuilder many = new StringBuilder("1.0 a - gcc-1 default\n");
    for (int i = 1; i <= 64; i++) {
      many.append("2.").append(i).append(" a - gcc-1 -\n");
    }
    assertThatThrownBy(() -> TestedKernels.parse(many.toString(), "k.conf"))
        .hasMessage("k.conf:65: more than 64 series");
  }
}
