package dev.ftguard.it.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Samples of the benchmarks' guest loops: "label kind ns_per_op failures" lines, and medians. */
final class Medians {
  private Medians() {}

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Parsed figure lines: "label kind" → ns per operation, one per round; failures summed. */
  record Samples(Map<String, List<Double>> nanos, Map<String, Long> failures) {
    static Samples parse(String text) {
      Map<String, List<Double>> nanos = new TreeMap<>();
      Map<String, Long> failures = new TreeMap<>();
      for (String line : text.lines().filter(l -> !l.isBlank()).toList()) {
        String[] f = line.trim().split("\\s+");
        String key = f[0] + " " + f[1];
        nanos.computeIfAbsent(key, k -> new ArrayList<>()).add(Double.parseDouble(f[2]));
        failures.merge(key, Long.parseLong(f[3]), Long::sum);
      }
      return new Samples(nanos, failures);
    }

    double median(String key) {
      return Medians.median(nanos.get(key));
    }
  }
}
