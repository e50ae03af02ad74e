package dev.ftguard.cli;

import dev.ftguard.agent.export.Priority;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.policy.PolicyError;
import java.io.PrintWriter;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lines for stderr: text ({@code ftguard: ...}, policy errors as {@code file:line:column: error:
 * ...}) or, with {@code --json-errors}, one JSON object per line; with {@code --journal} each line
 * starts with its syslog priority, {@code <3>} for errors and {@code <6>} for the rest
 * (sd-daemon(3), as the journal's event lines on stdout).
 */
final class Diagnostics {
  private final PrintWriter err;
  private final boolean json;
  private final String errorPrefix;
  private final String infoPrefix;

  Diagnostics(PrintWriter err, boolean json, boolean journal) {
    this.err = err;
    this.json = json;
    this.errorPrefix = journal ? Priority.ERR.prefix() : "";
    this.infoPrefix = journal ? Priority.INFO.prefix() : "";
  }

  /** Located policy errors, one per line. */
  synchronized void policyErrors(List<PolicyError> errors) {
    for (PolicyError e : errors) {
      if (json) {
        ObjectNode o = EventJson.MAPPER.createObjectNode();
        o.put("type", "policy_error");
        o.put("file", e.location().file());
        o.put("line", e.location().line());
        o.put("column", e.location().column());
        o.put("message", e.message());
        if (e.hint() != null && !e.hint().isEmpty()) {
          o.put("hint", e.hint());
        }
        o.put("text", e.toString());
        err.println(errorPrefix + EventJson.line(o));
      } else {
        err.println(errorPrefix + e);
      }
    }
    err.flush();
  }

  /** An error that does not end the program. */
  void error(String message) {
    line("error", message, null);
  }

  /** The error that ends the program, with its exit status. */
  void fatal(UserException e) {
    line("error", e.getMessage(), e.exitCode().code());
  }

  /** Something that is probably not meant, but does not stop anything. */
  void warning(String message) {
    line("warning", message, null);
  }

  /** Progress and summaries. */
  void info(String message) {
    line("info", message, null);
  }

  private synchronized void line(String type, String message, Integer exitCode) {
    err.print(type.equals("error") ? errorPrefix : infoPrefix);
    if (json) {
      ObjectNode o = EventJson.MAPPER.createObjectNode();
      o.put("type", type);
      o.put("message", message);
      if (exitCode != null) {
        o.put("exit_code", exitCode);
      }
      err.println(EventJson.line(o));
    } else {
      err.println("ftguard: " + (type.equals("warning") ? "warning: " : "") + message);
    }
    err.flush();
  }
}
