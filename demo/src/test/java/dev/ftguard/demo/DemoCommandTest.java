package dev.ftguard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.cli.Context;
import dev.ftguard.cli.ExitCode;
import dev.ftguard.cli.Ftguard;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** With the demo's jar on the class path, {@code ftguard} has the {@code demo} command. */
class DemoCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    Context system = Context.system();
    return Ftguard.run(
        new Context(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            system.stdout(),
            system.env(),
            system.properties(),
            system.paths(),
            system.modules(),
            system.devices()),
        args);
  }

  @Test
  void theManPagesCoverTheProvidedCommand() {
    // the build's generator (ShellDocs) reads the same command line: the provider's command
    // included
    var pages =
        dev.ftguard.cli.ShellDocs.manPages(
            Ftguard.commandLine(Context.system()).getCommandSpec(), "1.2.3");
    assertThat(pages).containsKey("ftguard-demo.1");
    assertThat(pages.get("ftguard.1")).contains("\\fBftguard\\-demo\\fR(1)");
  }

  @Test
  void theCliFindsTheDemo() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("demo    Boot Debian's kernel in a VM");
    assertThat(run("demo", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: ftguard demo");
  }

  @Test
  void badTimesAreAUsageErrorBeforeAnyVm() {
    assertThat(run("demo", "--timeout", "10")).isEqualTo(ExitCode.USAGE.code());
    assertThat(err.toString())
        .isEqualTo(
            "ftguard: --timeout must be at least 30 s and --linger between 0 and the timeout\n");
  }
}
