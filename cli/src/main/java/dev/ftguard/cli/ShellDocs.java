package dev.ftguard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The man pages and shell completion of {@code ftguard}, generated at build time (the cli module's
 * {@code package} phase) from the picocli model of {@link Ftguard#commandLine(Context)}: the same
 * command line the launcher runs, with the commands that {@link CommandProvider}s add. picocli's
 * {@code AutoComplete} main cannot build {@code Ftguard} itself (it has no no-argument constructor:
 * it works in a {@link Context}), so it gets the built model instead.
 *
 * <p>The man pages are troff ({@code man(7)}) written here from the model: picocli-codegen's
 * ManPageGenerator writes AsciiDoc, which needs asciidoctor to become a man page.
 */
public final class ShellDocs {
  private ShellDocs() {}

  /** The command's name (the launcher's and the completion's). */
  static final String NAME = "ftguard";

  /**
   * {@code ShellDocs MANDIR COMPLETIONDIR}: writes {@code *.1}, {@code ftguard.bash} and {@code
   * _ftguard}.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ShellDocs MANDIR COMPLETIONDIR");
      System.exit(ExitCode.USAGE.code());
    }
    CommandLine cl = Ftguard.commandLine(Context.system());
    Path man = Path.of(args[0]);
    Path completion = Path.of(args[1]);
    Files.createDirectories(man);
    Files.createDirectories(completion);
    for (var page : manPages(cl.getCommandSpec(), VersionProvider.version()).entrySet()) {
      Files.writeString(man.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
    }
    Files.writeString(completion.resolve(NAME + ".bash"), bash(cl), StandardCharsets.UTF_8);
    Files.writeString(completion.resolve("_" + NAME), zsh(cl), StandardCharsets.UTF_8);
  }

  /** picocli's bash completion script for the model (function {@code _complete_ftguard}). */
  static String bash(CommandLine cl) {
    return AutoComplete.bash(NAME, cl);
  }

  /**
   * The zsh completion ({@code _ftguard} in {@code $fpath}): picocli's bash script run through
   * zsh's bashcompinit. On its first call the autoloaded function defines the bash functions, binds
   * them with {@code complete}, and completes the current word.
   */
  static String zsh(CommandLine cl) {
    return "#compdef "
        + NAME
        + "\n"
        + "# ftguard's completion for zsh: picocli's bash completion run by bashcompinit.\n"
        + "autoload -U +X bashcompinit && bashcompinit\n"
        + bash(cl)
        + "\n_bash_complete -F _complete_"
        + NAME
        + "\n";
  }

  /**
   * Every page by file name: {@code ftguard.1}, {@code ftguard-run.1}, {@code
   * ftguard-policy-apply.1}...
   */
  public static Map<String, String> manPages(CommandSpec root, String version) {
    Map<String, String> pages = new LinkedHashMap<>();
    collect(root, version, pages);
    return pages;
  }

  private static void collect(CommandSpec spec, String version, Map<String, String> pages) {
    if (spec.usageMessage().hidden()) {
      return;
    }
    pages.put(pageName(spec) + ".1", page(spec, version));
    for (CommandLine sub : distinct(spec)) {
      collect(sub.getCommandSpec(), version, pages);
    }
  }

  /** The subcommands, each once (aliases map to the same command). */
  static List<CommandLine> distinct(CommandSpec spec) {
    List<CommandLine> subs = new ArrayList<>();
    for (CommandLine sub : spec.subcommands().values()) {
      if (!subs.contains(sub)) {
        subs.add(sub);
      }
    }
    return subs;
  }

  /** {@code ftguard}, {@code ftguard-run}, {@code ftguard-policy-apply}. */
  static String pageName(CommandSpec spec) {
    return spec.qualifiedName("-");
  }

  private static String page(CommandSpec spec, String version) {
    StringBuilder sb = new StringBuilder();
    String title = pageName(spec).toUpperCase(Locale.ROOT);
    sb.append(
        ".\\\" Generated from the picocli model by dev.ftguard.cli.ShellDocs; do not edit.\n");
    sb.append(".TH ")
        .append(title)
        .append(" 1 \"\" \"ftguard ")
        .append(version)
        .append("\" \"ftguard manual\"\n");
    sb.append(".ad l\n.nh\n"); // ragged right, no hyphens: options and JSON are long words
    sb.append(".SH NAME\n")
        .append(escape(pageName(spec)))
        .append(" \\- ")
        .append(escape(firstLine(spec)))
        .append('\n');
    sb.append(".SH SYNOPSIS\n.nf\n");
    CommandLine.Help help =
        new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    for (String l : help.synopsis(0).strip().split("\n")) {
      sb.append(escape(l.strip())).append('\n');
    }
    sb.append(".fi\n");
    sb.append(".SH DESCRIPTION\n");
    for (String d : text(spec.usageMessage().description())) {
      sb.append(".PP\n").append(escape(d)).append('\n');
    }
    List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
    if (!options.isEmpty()) {
      sb.append(".SH OPTIONS\n");
      for (OptionSpec o : options) {
        sb.append(".TP\n.B ").append(escape(label(o))).append('\n');
        for (String d : text(o.renderedDescription())) {
          sb.append(escape(d)).append('\n');
        }
      }
    }
    List<PositionalParamSpec> params =
        spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
    if (!params.isEmpty()) {
      sb.append(".SH ARGUMENTS\n");
      for (PositionalParamSpec p : params) {
        sb.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n');
        for (String d : text(p.renderedDescription())) {
          sb.append(escape(d)).append('\n');
        }
      }
    }
    List<CommandLine> subs = distinct(spec);
    if (!subs.isEmpty()) {
      sb.append(".SH COMMANDS\n");
      for (CommandLine sub : subs) {
        CommandSpec s = sub.getCommandSpec();
        if (s.usageMessage().hidden()) {
          continue;
        }
        sb.append(".TP\n.B ")
            .append(escape(s.name()))
            .append('\n')
            .append(escape(firstLine(s)))
            .append(" See \\fB")
            .append(escape(pageName(s)))
            .append("\\fR(1).\n");
      }
    }
    Map<String, String> exits = spec.usageMessage().exitCodeList();
    if (!exits.isEmpty()) {
      sb.append(".SH EXIT STATUS\n");
      for (var e : exits.entrySet()) {
        sb.append(".TP\n.B ").append(escape(e.getKey().strip())).append('\n');
        sb.append(escape(unformat(e.getValue()))).append('\n');
      }
    }
    List<String> footer = text(spec.usageMessage().footer());
    if (!footer.isEmpty()) {
      sb.append(".SH NOTES\n");
      for (String f : footer) {
        sb.append(".PP\n").append(escape(f)).append('\n');
      }
    }
    sb.append(".SH SEE ALSO\n");
    List<String> see = new ArrayList<>();
    if (spec.parent() != null) {
      see.add("\\fB" + escape(pageName(spec.parent())) + "\\fR(1)");
    }
    for (CommandLine sub : subs) {
      if (!sub.getCommandSpec().usageMessage().hidden()) {
        see.add("\\fB" + escape(pageName(sub.getCommandSpec())) + "\\fR(1)");
      }
    }
    see.add("the documents in docs/ of ftguard's sources (docs/cli.md: every command)");
    sb.append(String.join(",\n", see)).append('\n');
    return sb.toString();
  }

  private static String firstLine(CommandSpec spec) {
    List<String> d = text(spec.usageMessage().description());
    if (d.isEmpty()) {
      d = text(spec.usageMessage().header());
    }
    return d.isEmpty() ? spec.name() : d.getFirst();
  }

  /** {@code -p, --policy=FILE...} */
  static String label(OptionSpec o) {
    String names = String.join(", ", o.names());
    if (o.arity().max() == 0) {
      return names;
    }
    return names + "=" + o.paramLabel() + (o.arity().max() > 1 ? "..." : "");
  }

  /** picocli text lines: {@code %n} breaks a line, {@code %%} is a percent sign; blanks dropped. */
  private static List<String> text(String[] lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      for (String part : unformat(l).split("\n")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    }
    return out;
  }

  private static String unformat(String s) {
    return s.replace("%n", "\n").replace("%%", "%");
  }

  /**
   * Text for troff: backslashes and hyphens escaped, a break point after each comma (JSON examples
   * are long words), no line read as a request.
   */
  static String escape(String s) {
    String e = s.replace("\\", "\\e").replace("-", "\\-").replace(",", ",\\:");
    return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
  }
}
