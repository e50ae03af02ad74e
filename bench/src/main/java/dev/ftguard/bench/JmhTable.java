package dev.ftguard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The table of docs/performance.md's Java pipeline section, from the JSON results of a JMH run of
 * {@link PipelineBenchmark} ({@code -prof gc -rf json}): per benchmark the events per second
 * (median and min–max over every measured iteration of every fork), the ratio of the medians to
 * {@code baseline} of the same run, the bytes allocated per event ({@code gc.alloc.rate.norm}: JMH
 * divides by operations, and one operation is one event) and, for {@code pipeline}, whether the
 * goals are met.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.ftguard.bench.JmhTable bench/target/pipeline.json \
 *     bench/target/pipeline.md
 * </pre>
 */
public final class JmhTable {

  /** The pipeline's goals (issue 14): events per second on one core, bytes allocated per event. */
  static final double GOAL_EVENTS_PER_SECOND = 1_000_000;

  static final double GOAL_BYTES_PER_EVENT = 1024;

  private static final String BASELINE = "baseline";
  private static final String PIPELINE = "pipeline";

  private JmhTable() {}

  /** A benchmark's figures: events/s of every iteration, bytes per event (NaN without -prof gc). */
  record Row(String name, List<Double> eventsPerSecond, double bytesPerEvent) {
    double median() {
      return median(eventsPerSecond);
    }

    static double median(List<Double> values) {
      List<Double> s = values.stream().sorted().toList();
      int n = s.size();
      return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: JmhTable JMH-RESULT.json OUT.md");
      System.exit(2);
    }
    String md = table(rows(new ObjectMapper().readTree(Files.readString(Path.of(args[0])))));
    Files.writeString(Path.of(args[1]), md);
    System.out.print(md);
  }

  static Map<String, Row> rows(JsonNode results) {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (JsonNode r : results) {
      String full = r.path("benchmark").asString();
      String name = full.substring(full.lastIndexOf('.') + 1);
      List<Double> values = new ArrayList<>();
      for (JsonNode fork : r.path("primaryMetric").path("rawData")) {
        for (JsonNode v : fork) {
          values.add(v.asDouble());
        }
      }
      if (values.isEmpty()) {
        throw new IllegalArgumentException(full + ": no measured iteration in the results");
      }
      JsonNode norm = r.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score");
      rows.put(name, new Row(name, values, norm.isNumber() ? norm.asDouble() : Double.NaN));
    }
    return rows;
  }

  static String table(Map<String, Row> rows) {
    Row base = rows.get(BASELINE);
    StringBuilder md = new StringBuilder();
    md.append(
        "| benchmark | events/s (median) | min–max | ratio to `baseline` | bytes allocated per"
            + " event | ≥ 1,000,000 events/s | < 1 KB per event |\n");
    md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
    for (Row r : rows.values()) {
      double min = r.eventsPerSecond().stream().mapToDouble(d -> d).min().orElseThrow();
      double max = r.eventsPerSecond().stream().mapToDouble(d -> d).max().orElseThrow();
      boolean goal = r.name().equals(PIPELINE);
      md.append(
          String.format(
              Locale.ROOT,
              "| `%s` | %,.0f | %,.0f–%,.0f | %s | %s | %s | %s |%n",
              r.name(),
              r.median(),
              min,
              max,
              base == null ? "—" : String.format(Locale.ROOT, "%.2f", r.median() / base.median()),
              Double.isNaN(r.bytesPerEvent())
                  ? "—"
                  : String.format(Locale.ROOT, "%,.0f", r.bytesPerEvent()),
              goal ? met(r.median() >= GOAL_EVENTS_PER_SECOND) : "—",
              goal && !Double.isNaN(r.bytesPerEvent())
                  ? met(r.bytesPerEvent() < GOAL_BYTES_PER_EVENT)
                  : "—"));
    }
    return md.toString();
  }

  private static String met(boolean met) {
    return met ? "met" : "not met";
  }
}
