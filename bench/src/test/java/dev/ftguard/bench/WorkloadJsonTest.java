package dev.ftguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Decoded;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventDecoder;
import dev.ftguard.agent.enrich.Enricher;
import dev.ftguard.agent.enrich.Enrichment;
import dev.ftguard.agent.json.CallFieldNames;
import dev.ftguard.agent.json.EventLineWriter;
import dev.ftguard.agent.json.TreeReference;
import dev.ftguard.agent.process.ProcessTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's whole stream, pass after pass (pids reused, processes ending, hashes arriving),
 * written by the streaming writer with the process parts rendered once per image (from its third
 * event on; field by field before), is byte for byte what the Jackson tree of each enriched event
 * wrote ({@link TreeReference}).
 */
class WorkloadJsonTest {
  @Test
  void everyLineOfTheWorkloadAsTheTreeWroteIt() throws IOException {
    try (Workload w = Workload.create(PipelineBenchmark.EVENTS)) {
      ProcessTable table = w.table();
      try (Enricher enricher = w.enricher(table)) {
        var bytes = new ByteArrayOutputStream();
        EventLineWriter lines = new EventLineWriter(bytes);
        var expected = new StringBuilder();
        Set<String> kinds = new HashSet<>();
        int rendered = 0;
        int direct = 0;
        int lent = 0;
        for (int pass = 0; pass < 6; pass++) {
          for (Decoded d : EventDecoder.nativeOrder().decode(w.nextPass()).items()) {
            Event e = (Event) d;
            table.apply(e);
            Enrichment x = enricher.enrich(e);
            lines.line(e, CallFieldNames.NONE, x);
            expected.append(TreeReference.line(e, CallFieldNames.NONE, x)).append('\n');
            kinds.add(e.eventType().jsonName());
            if (x.process().isPresent()) {
              boolean own = x.processJson() != null && x.processJson().hasHead();
              rendered += own ? 1 : 0;
              direct += own ? 0 : 1;
              lent += !own && x.processJson() != null ? 1 : 0;
            }
          }
        }
        lines.flush();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        assertThat(kinds).containsExactlyInAnyOrder("exec", "fork", "exit", "decision");
        // every way of writing the process parts was compared: rendered once and kept (from an
        // image's third event on), and written field by field (its first two events), their
        // ancestors lent by the parent (most) or not (the long-lived processes found at start)
        assertThat(rendered + direct).isEqualTo(6 * PipelineBenchmark.EVENTS);
        assertThat(rendered).isGreaterThan(PipelineBenchmark.EVENTS);
        assertThat(direct).isGreaterThan(PipelineBenchmark.EVENTS);
        assertThat(lent).isGreaterThan(PipelineBenchmark.EVENTS).isLessThan(direct);
      }
    }
  }
}
