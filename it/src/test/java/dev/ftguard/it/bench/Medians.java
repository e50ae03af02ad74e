package dev.ftguard.it.bench;

import java.util.Arrays;
import java.util.Collection;

/** Medians of the benchmarks' per-round figures. */
final class Medians {
  private Medians() {}

  static double median(Collection<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Median, min and max of one figure over the rounds. */
  record Spread(double median, double min, double max) {
    static Spread of(Collection<Double> values) {
      return new Spread(
          Medians.median(values),
          values.stream().mapToDouble(d -> d).min().orElseThrow(),
          values.stream().mapToDouble(d -> d).max().orElseThrow());
    }
  }
}
