package dev.ftguard.it;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.DoubleStream;

/**
 * Two commands' start-up, compared as whole processes: A and B in turn, after one warm-up each, the
 * CPU time (user + sys of the process and its children, as bash's {@code time} reports it) of every
 * run, and the ratio A/B pair by pair, so a comparison holds when the machine's speed drifts. CPU
 * rather than wall time: on a shared machine it is the steadier figure.
 */
record StartupComparison(String name, double[] cpuA, double[] cpuB, double[] ratios) {

  static StartupComparison measure(String name, List<String> a, List<String> b, int pairs) {
    cpu(a);
    cpu(b);
    double[] ca = new double[pairs];
    double[] cb = new double[pairs];
    double[] r = new double[pairs];
    for (int i = 0; i < pairs; i++) {
      ca[i] = cpu(a);
      cb[i] = cpu(b);
      r[i] = ca[i] / cb[i];
    }
    return new StartupComparison(name, ca, cb, r);
  }

  static double median(double[] v) {
    double[] s = DoubleStream.of(v).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  double medianRatio() {
    return median(ratios);
  }

  /** One row: medians with min–max. */
  String row() {
    return String.format(
        "%s: A %.3f s cpu (%.3f–%.3f), B %.3f s (%.3f–%.3f), A/B %.2f (%.2f–%.2f)",
        name,
        median(cpuA),
        DoubleStream.of(cpuA).min().orElseThrow(),
        DoubleStream.of(cpuA).max().orElseThrow(),
        median(cpuB),
        DoubleStream.of(cpuB).min().orElseThrow(),
        DoubleStream.of(cpuB).max().orElseThrow(),
        medianRatio(),
        DoubleStream.of(ratios).min().orElseThrow(),
        DoubleStream.of(ratios).max().orElseThrow());
  }

  /** The CPU seconds of one run of the command, which must succeed. */
  static double cpu(List<String> command) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "bash", "-c", "TIMEFORMAT='%3U %3S'; { time \"$@\" >/dev/null; } 2>&1", "startup"));
    cmd.addAll(command);
    // the command's stderr, if any, then bash's line with the times
    List<String> lines = PackageIT.run(cmd, "time " + command).strip().lines().toList();
    String out = lines.isEmpty() ? "" : lines.getLast();
    String[] f = out.split("\\s+");
    if (f.length != 2) {
      throw new AssertionError(command + ": no CPU times in '" + out + "'");
    }
    return Double.parseDouble(f[0]) + Double.parseDouble(f[1]);
  }
}
