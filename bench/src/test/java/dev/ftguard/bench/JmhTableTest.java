package dev.ftguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

class JmhTableTest {

  private static final String RESULTS =
      """
      [
        {"benchmark": "dev.ftguard.bench.PipelineBenchmark.baseline",
         "primaryMetric": {"score": 2000000, "rawData": [[1900000, 2000000], [2100000]]},
         "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 412.5}}},
        {"benchmark": "dev.ftguard.bench.PipelineBenchmark.pipeline",
         "primaryMetric": {"score": 1000000, "rawData": [[900000, 1200000], [1100000, 1000000]]},
         "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 1500}}},
        {"benchmark": "dev.ftguard.bench.PipelineBenchmark.decode",
         "primaryMetric": {"score": 5000000, "rawData": [[5000000]]},
         "secondaryMetrics": {}}
      ]
      """;

  @Test
  void mediansRatiosAllocationAndGoals() {
    String md = JmhTable.table(JmhTable.rows(new ObjectMapper().readTree(RESULTS)));
    assertThat(md.lines())
        .containsExactly(
            "| benchmark | events/s (median) | min–max | ratio to `baseline` | bytes allocated per"
                + " event | ≥ 1,000,000 events/s | < 1 KB per event |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            "| `baseline` | 2,000,000 | 1,900,000–2,100,000 | 1.00 | 413 | — | — |",
            // median of the four iterations of both forks, not JMH's mean
            "| `pipeline` | 1,050,000 | 900,000–1,200,000 | 0.53 | 1,500 | met | not met |",
            "| `decode` | 5,000,000 | 5,000,000–5,000,000 | 2.50 | — | — | — |");
  }

  @Test
  void aBenchmarkWithoutMeasurementsIsAnError() {
    String empty =
        """
        [{"benchmark": "dev.ftguard.bench.PipelineBenchmark.pipeline",
          "primaryMetric": {"score": 0, "rawData": []}}]
        """;
    assertThatThrownBy(() -> JmhTable.rows(new ObjectMapper().readTree(empty)))
        .hasMessage(
            "dev.ftguard.bench.PipelineBenchmark.pipeline: no measured iteration in the results");
  }
}
