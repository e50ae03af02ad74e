package dev.ftguard.agent.export;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.Samples;
import dev.ftguard.agent.json.EventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Lines and readers shared by the export tests. */
final class ExportFixtures {
  private ExportFixtures() {}

  /** Thrown by step hooks: the work stops there as if the machine had crashed. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String where) {
      super("simulated crash at " + where);
    }
  }

  /** A sample event of a kind chosen by {@code seq}, with that sequence number. */
  static Event event(long seq) {
    return switch ((int) (seq % 8)) {
      case 0 -> Samples.exec(seq);
      case 1 -> Samples.thread(seq);
      case 2 -> Samples.killed(seq);
      case 3 -> Samples.exited(seq);
      case 4 -> Samples.execDenied(seq);
      case 5 -> Samples.openWouldDeny(seq);
      case 6 -> Samples.connectAudit(seq, "169.254.169.254", Abi.AF_INET);
      default -> Samples.failedExecveat(seq);
    };
  }

  /** The JSON line of {@link #event(long)}. */
  static String line(long seq) {
    return EventJson.line(EventJson.event(event(seq)));
  }

  /** Every line of the files of {@code active}, oldest first, gzip files decompressed. */
  static List<String> readAll(Path active) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path file : RotatedFiles.oldestFirst(active)) {
      lines.addAll(read(file));
    }
    return lines;
  }

  /** The lines of one file (decompressed if {@code .gz}). */
  static List<String> read(Path file) throws IOException {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(RotatedFiles.open(file), StandardCharsets.UTF_8))) {
      return r.lines().toList();
    }
  }

  /** The {@code seq} of each line (every line must be a JSON object with one). */
  static List<Long> seqs(List<String> lines) {
    return lines.stream().map(l -> EventJson.MAPPER.readTree(l).get("seq").longValue()).toList();
  }

  /** 1, 2, ..., n. */
  static List<Long> oneTo(long n) {
    return range(1, n);
  }

  /** from, from + 1, ..., to. */
  static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }
}
