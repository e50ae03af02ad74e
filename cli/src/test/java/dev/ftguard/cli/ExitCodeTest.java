package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.testing.Repository;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/cli.md's exit status table lists exactly the codes of {@link ExitCode}. */
class ExitCodeTest {

  @Test
  void theDocumentedExitCodesAreTheEnumsCodes() throws Exception {
    String doc = Files.readString(Repository.resolve("docs/cli.md"));
    String table = doc.substring(doc.indexOf("## Exit status"));
    table = table.substring(0, table.indexOf("\n\n", table.indexOf("| code |")));
    Matcher row = Pattern.compile("(?m)^\\| (\\d+) \\|").matcher(table);
    List<Integer> documented = row.results().map(r -> Integer.parseInt(r.group(1))).toList();

    List<Integer> codes = Arrays.stream(ExitCode.values()).map(ExitCode::code).toList();
    assertThat(documented).first().isEqualTo(0); // success, not an error
    assertThat(documented.subList(1, documented.size())).isEqualTo(codes);
  }

  @Test
  void codesAreDistinctAndCountUpFromOne() {
    ExitCode[] all = ExitCode.values();
    for (int i = 0; i < all.length; i++) {
      assertThat(all[i].code()).as(all[i].name()).isEqualTo(i + 1);
    }
  }
}
