package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The man pages and completion scripts the build writes ({@link ShellDocs}), from the same model as
 * the launcher's command line: one page per command, every option on its page, and a bash
 * completion that completes.
 */
class ShellDocsTest {
  @TempDir Path tmp;

  private static CommandLine model() {
    return Ftguard.commandLine(Context.system());
  }

  /** Every command of the model, walked here (not a list typed again). */
  private static List<CommandSpec> commands(CommandSpec spec) {
    List<CommandSpec> all = new ArrayList<>(List.of(spec));
    for (CommandLine sub : ShellDocs.distinct(spec)) {
      all.addAll(commands(sub.getCommandSpec()));
    }
    return all;
  }

  @Test
  void onePagePerCommandWithEveryOption() throws Exception {
    CommandLine cl = model();
    Map<String, String> pages = ShellDocs.manPages(cl.getCommandSpec(), "1.2.3");
    List<CommandSpec> commands = commands(cl.getCommandSpec());
    assertThat(pages).hasSize(commands.size());
    assertThat(pages.keySet())
        .contains("ftguard.1", "ftguard-run.1", "ftguard-policy-validate.1", "ftguard-policy.1");
    for (CommandSpec c : commands) {
      String page = pages.get(c.qualifiedName("-") + ".1");
      assertThat(page).as(c.qualifiedName()).isNotNull();
      assertThat(page)
          .contains(".TH " + c.qualifiedName("-").toUpperCase(java.util.Locale.ROOT) + " 1 ")
          .contains("\"ftguard 1.2.3\"")
          .contains(".SH NAME\n" + ShellDocs.escape(c.qualifiedName("-")) + " \\- ");
      for (OptionSpec o : c.options()) {
        assertThat(page)
            .as(c.qualifiedName())
            .contains(".B " + ShellDocs.escape(ShellDocs.label(o)));
      }
      for (CommandLine sub : ShellDocs.distinct(c)) {
        assertThat(page)
            .contains(
                "\\fB" + ShellDocs.escape(ShellDocs.pageName(sub.getCommandSpec())) + "\\fR(1)");
      }
    }
  }

  @Test
  void groffFormatsEveryPageWithoutComplaint() throws Exception {
    for (var page : ShellDocs.manPages(model().getCommandSpec(), "1.2.3").entrySet()) {
      Path f = tmp.resolve(page.getKey());
      Files.writeString(f, page.getValue());
      Result r = exec(List.of("groff", "-man", "-Tutf8", f.toString()));
      assertThat(r.err).as(page.getKey()).isEmpty();
      assertThat(r.code).isZero();
      String text = r.out.replaceAll(".\b", ""); // no overstrike (bold)
      assertThat(text).contains("NAME", "SYNOPSIS", "DESCRIPTION");
      if (page.getKey().equals("ftguard-run.1")) {
        assertThat(text).contains("--policy=FILE...", "--rotate-size=SIZE", "--no-lineage");
      }
    }
  }

  @Test
  void bashCompletesCommandsSubcommandsAndOptions() throws Exception {
    Path script = tmp.resolve("ftguard.bash");
    Files.writeString(script, ShellDocs.bash(model()));
    assertThat(complete(script, "ftguard", "pol")).containsExactly("policy");
    assertThat(complete(script, "ftguard", "policy", "va")).containsExactly("validate");
    assertThat(complete(script, "ftguard", "run", "--rotate-"))
        .containsExactlyInAnyOrder("--rotate-keep", "--rotate-size");
    assertThat(complete(script, "ftguard", "")).contains("run", "load", "policy", "verify");
  }

  @Test
  void zshWrapsTheBashCompletion() {
    CommandLine cl = model();
    String zsh = ShellDocs.zsh(cl);
    assertThat(zsh).startsWith("#compdef ftguard\n").contains(ShellDocs.bash(cl));
    assertThat(zsh).contains("bashcompinit").endsWith("_bash_complete -F _complete_ftguard\n");
  }

  /** What picocli's completion function puts in COMPREPLY for these words (last one: current). */
  private List<String> complete(Path script, String... words) throws Exception {
    StringBuilder quoted = new StringBuilder();
    for (String w : words) {
      quoted.append(" '").append(w).append('\'');
    }
    String line = String.join(" ", words);
    String cmd =
        "source "
            + script
            + "; COMP_WORDS=("
            + quoted
            + "); COMP_CWORD="
            + (words.length - 1)
            + "; COMP_LINE='"
            + line
            + "'; COMP_POINT="
            + line.length()
            + "; _complete_ftguard; printf '%s\\n' \"${COMPREPLY[@]}\"";
    Result r = exec(List.of("bash", "-c", cmd));
    assertThat(r.code).as(r.err).isZero();
    return Arrays.stream(r.out.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private record Result(int code, String out, String err) {}

  private static Result exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }
}
