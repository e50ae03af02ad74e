package dev.ftguard.cli;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.verify.Finding;
import dev.ftguard.verify.Report;
import dev.ftguard.verify.Verifier;
import dev.ftguard.verify.VerifyException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ftguard verify}: proves that no wrapper in a built module tail-calls its original. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Prove that no hook wrapper in MODULE.ko reaches its original through a tail call.",
      "Exit status 11 when one does: loading that module would hang the first call of the"
          + " hooked function."
    })
public final class VerifyCommand implements Callable<Integer> {
  /** The one sentence that says why a finding matters. */
  static final String WHY =
      "a tail call leaves parent_ip in the kernel, so the ftrace callback sends the original back"
          + " to the wrapper forever (a soft lockup)";

  @ParentCommand Ftguard parent;

  @Parameters(arity = "1..*", paramLabel = "MODULE.ko", description = "Built modules to check.")
  List<Path> modules;

  @Option(names = "--json", description = "Print one JSON object per module instead of text.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = parent.context.out();
    int findings = 0;
    List<String> failing = new ArrayList<>();
    for (Path ko : modules) {
      Report r;
      try {
        r = Verifier.verify(ko);
      } catch (VerifyException e) {
        out.flush();
        throw error(e);
      }
      if (json) {
        out.println(EventJson.line(json(r)));
      } else {
        text(out, r);
      }
      out.flush();
      if (!r.clean()) {
        findings += r.findings().size();
        failing.add(
            ko
                + " ("
                + r.findings().stream()
                    .map(Finding::wrapper)
                    .distinct()
                    .collect(Collectors.joining(", "))
                + ")");
      }
    }
    if (findings > 0) {
      throw new UserException(
          ExitCode.TAIL_CALL,
          plural(findings, "tail call")
              + " in "
              + String.join(", ", failing)
              + ": "
              + WHY
              + "; build the wrappers with -fno-optimize-sibling-calls (kmod/Kbuild) and do not"
              + " load this module");
    }
    return 0;
  }

  static UserException error(VerifyException e) {
    return switch (e.kind()) {
      case DECODER_MISSING -> new UserException(ExitCode.FAILURE, e.getMessage(), e);
      case UNREADABLE, NOT_ELF, NOT_X86_64_RELOCATABLE, NO_WRAPPERS, BAD_WRAPPERS ->
          new UserException(ExitCode.USAGE, e.getMessage(), e);
    };
  }

  static String plural(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  /** The summary line, a table of wrappers, then every finding. */
  static void text(PrintWriter out, Report r) {
    int wrappers = r.wrappers().size();
    if (r.clean()) {
      out.printf(
          "%s: %s, no tail call: each reaches its original only through calls%n",
          r.file(), plural(wrappers, "wrapper"));
    } else {
      long bad = r.findings().stream().map(Finding::wrapper).distinct().count();
      out.printf(
          "%s: %s in %d of %s%n",
          r.file(), plural(r.findings().size(), "tail call"), bad, plural(wrappers, "wrapper"));
    }
    if (wrappers == 0) {
      return;
    }
    int nw = Math.max(7, r.wrappers().stream().mapToInt(w -> w.name().length()).max().orElse(7));
    int no =
        Math.max(8, r.wrappers().stream().mapToInt(w -> w.original().length()).max().orElse(8));
    List<String> bodies = r.wrappers().stream().map(VerifyCommand::body).toList();
    int nb = Math.max(4, bodies.stream().mapToInt(String::length).max().orElse(4));
    String row = "  %-" + nw + "s  %-" + no + "s  %-" + nb + "s  %s%n";
    out.printf(row, "WRAPPER", "ORIGINAL", "CODE", "RESULT");
    for (int i = 0; i < wrappers; i++) {
      Report.Wrapper w = r.wrappers().get(i);
      int n = r.findings(w).size();
      out.printf(
          row, w.name(), w.original(), bodies.get(i), n == 0 ? "clean" : plural(n, "TAIL CALL"));
    }
    if (!r.clean()) {
      out.println("tail calls:");
      for (Finding f : r.findings()) {
        out.printf("  %s: %s%n", f.where(), f.instruction());
        out.printf(
            "      %s%s%n",
            f.reason().description(), f.detail().isEmpty() ? "" : "; " + f.detail());
      }
    }
  }

  /** {@code .text+0x9a0 210 bytes, .text.unlikely+0x10 24 bytes}. */
  private static String body(Report.Wrapper w) {
    return w.parts().stream()
        .map(p -> p.section() + "+0x" + Long.toHexString(p.offset()) + " " + p.size() + " bytes")
        .collect(Collectors.joining(", "));
  }

  static ObjectNode json(Report r) {
    ObjectNode o = EventJson.MAPPER.createObjectNode();
    o.put("file", r.file().toString());
    o.put("clean", r.clean());
    ArrayNode ws = o.putArray("wrappers");
    for (Report.Wrapper w : r.wrappers()) {
      ObjectNode j = ws.addObject();
      j.put("name", w.name());
      j.put("original", w.original());
      ArrayNode parts = j.putArray("parts");
      for (Report.Part p : w.parts()) {
        ObjectNode pj = parts.addObject();
        pj.put("symbol", p.symbol());
        pj.put("section", p.section());
        pj.put("offset", p.offset());
        pj.put("size", p.size());
      }
      j.put("instructions", w.instructions());
      j.put("findings", r.findings(w).size());
    }
    ArrayNode fs = o.putArray("findings");
    for (Finding f : r.findings()) {
      ObjectNode j = fs.addObject();
      j.put("wrapper", f.wrapper());
      j.put("function", f.function());
      j.put("section", f.section());
      j.put("function_offset", f.functionOffset());
      j.put("section_offset", f.sectionOffset());
      j.put("instruction", f.instruction());
      j.put("target", f.target());
      j.put("reason", f.reason().name().toLowerCase(Locale.ROOT));
      j.put("description", f.reason().description());
      j.put("detail", f.detail());
    }
    return o;
  }
}
