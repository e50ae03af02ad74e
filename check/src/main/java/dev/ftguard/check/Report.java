package dev.ftguard.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The outcome of every rule for one kernel, as a table for people or one JSON document.
 *
 * @param release the kernel release checked, if known
 * @param machine its machine, if known
 */
public record Report(Optional<String> release, Optional<String> machine, List<Check> checks) {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  /** Width of the human table when the terminal's is not known. */
  public static final int DEFAULT_WIDTH = 100;

  public Report {
    checks = List.copyOf(checks);
  }

  /** Reads the facts from {@code source} and runs every rule. */
  public static Report of(ReadingSource source) {
    return of(KernelReadings.gather(source));
  }

  public static Report of(KernelReadings facts) {
    return new Report(facts.release().known(), facts.machine().known(), Rules.all(facts));
  }

  /** The worst status. */
  public Status status() {
    return checks.stream().map(Check::status).reduce(Status.PASS, Status::worst);
  }

  /** 0 when every check passes, 1 with warnings only, 2 when one fails. */
  public int exitCode() {
    return status().exitCode();
  }

  public long count(Status s) {
    return checks.stream().filter(c -> c.status() == s).count();
  }

  /** The one-line verdict under the table. */
  public String verdict() {
    String counts =
        count(Status.PASS)
            + " pass, "
            + count(Status.WARN)
            + " warn, "
            + count(Status.FAIL)
            + " fail";
    return switch (status()) {
      case PASS -> counts + ": this kernel can host ftguard's hooks";
      case WARN ->
          counts
              + ": no check fails; the warnings say what could not be checked, what is not"
              + " tested or what may get in the way";
      case FAIL ->
          counts
              + ": ftguard cannot run on this kernel as it is ("
              + checks.stream()
                  .filter(c -> c.status() == Status.FAIL)
                  .map(Check::title)
                  .collect(java.util.stream.Collectors.joining(", "))
              + "; the fixes are under the failing lines)";
    };
  }

  /**
   * One JSON document: {@code kernel_release}, {@code arch}, {@code checks} (each {@code id},
   * {@code status}, {@code title}, {@code detail}, {@code fix}; null when there is nothing to do)
   * and {@code summary} ({@code status}, {@code exit_code} and the count of each status).
   */
  public ObjectNode json() {
    ObjectNode o = MAPPER.createObjectNode();
    putOrNull(o, "kernel_release", release);
    putOrNull(o, "arch", machine);
    ArrayNode arr = o.putArray("checks");
    for (Check c : checks) {
      ObjectNode j = arr.addObject();
      j.put("id", c.id());
      j.put("status", c.status().word());
      j.put("title", c.title());
      j.put("detail", c.detail());
      putOrNull(j, "fix", Optional.of(c.fix()).filter(x -> !x.isEmpty()));
    }
    ObjectNode s = o.putObject("summary");
    s.put("status", status().word());
    s.put("exit_code", exitCode());
    for (Status st : Status.values()) {
      s.put(st.word(), count(st));
    }
    return o;
  }

  public String jsonText() {
    return MAPPER.writeValueAsString(json());
  }

  private static void putOrNull(ObjectNode o, String key, Optional<String> v) {
    if (v.isPresent()) {
      o.put(key, v.get());
    } else {
      o.putNull(key);
    }
  }

  /**
   * The human table: a heading, then one line per check with aligned columns STATUS, CHECK and
   * DETAIL (the detail wrapped to {@code width}), the fix under failing and warning lines, and the
   * verdict. Every line ends with a newline.
   */
  public String table(int width) {
    StringBuilder sb = new StringBuilder();
    sb.append("ftguard check: kernel ")
        .append(release.orElse("(release not known)"))
        .append(", ")
        .append(machine.orElse("(machine not known)"))
        .append("\n\n");
    int statusW = "STATUS".length();
    int titleW = "CHECK".length();
    for (Check c : checks) {
      titleW = Math.max(titleW, c.title().length());
    }
    int detailCol = statusW + 2 + titleW + 2;
    int detailW = Math.max(30, width - detailCol);
    String indent = " ".repeat(detailCol);
    sb.append(pad("STATUS", statusW))
        .append("  ")
        .append(pad("CHECK", titleW))
        .append("  DETAIL\n");
    for (Check c : checks) {
      List<String> detail = wrap(c.detail(), detailW);
      sb.append(pad(c.status().name(), statusW))
          .append("  ")
          .append(pad(c.title(), titleW))
          .append("  ")
          .append(detail.getFirst())
          .append('\n');
      for (String l : detail.subList(1, detail.size())) {
        sb.append(indent).append(l).append('\n');
      }
      if (c.status() != Status.PASS && !c.fix().isEmpty()) {
        List<String> fix = wrap(c.fix(), detailW - 5);
        sb.append(indent).append("fix: ").append(fix.getFirst()).append('\n');
        for (String l : fix.subList(1, fix.size())) {
          sb.append(indent).append("     ").append(l).append('\n');
        }
      }
    }
    sb.append('\n').append(verdict()).append('\n');
    return sb.toString();
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }

  /** Splits {@code text} into lines of at most {@code width} characters at spaces. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (word.isEmpty()) {
        continue;
      }
      if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (!line.isEmpty()) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }
}
