package dev.ftguard.cli;

import dev.ftguard.abi.Event;
import dev.ftguard.agent.enrich.Enricher;
import dev.ftguard.agent.enrich.Enrichment;
import dev.ftguard.agent.json.ExtraFields;
import dev.ftguard.agent.metrics.AgentMetrics;
import dev.ftguard.agent.process.BootClock;
import dev.ftguard.agent.process.ProcFs;
import dev.ftguard.agent.process.ProcessTable;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The process lineage and enrichment of {@code ftguard run} (docs/lineage.md): a process table fed
 * by fork, exec and exit events and a scan of /proc at start, so that every event carries the
 * process, its parent and ancestors with stable exec ids, cwd, cgroup and container, user and group
 * names, and the binary's SHA-256.
 */
final class LineageOptions {
  @Option(
      names = "--no-lineage",
      description = "Do not add the process, its ancestors and enrichment to the events.")
  boolean off;

  @Option(
      names = "--ancestors",
      paramLabel = "N",
      description = "Ancestors listed per event (0..64, default 8).")
  int ancestors = ProcessTable.Config.defaults().ancestorDepth();

  @Option(
      names = "--process-table-max",
      paramLabel = "N",
      description =
          "Most processes kept in the table (16..10000000, default 65536); ended ones are evicted first.")
  int maxEntries = ProcessTable.Config.defaults().maxEntries();

  /** Live upkeep per batch: processes checked against /proc for lost exits. */
  static final int UPKEEP_BUDGET = 64;

  /** The enricher of this run, or none with {@code --no-lineage}. */
  Optional<Lineage> start(Optional<AgentMetrics> metrics) {
    if (off) {
      return Optional.empty();
    }
    if (ancestors < 0 || ancestors > 64) {
      throw new UserException(
          ExitCode.USAGE, "--ancestors " + ancestors + " is out of range: give 0 to 64");
    }
    if (maxEntries < 16 || maxEntries > 10_000_000) {
      throw new UserException(
          ExitCode.USAGE,
          "--process-table-max " + maxEntries + " is out of range: give 16 to 10000000");
    }
    ProcFs procfs = ProcFs.host();
    ProcessTable table =
        new ProcessTable(
            ProcessTable.Config.defaults().withAncestorDepth(ancestors).withMaxEntries(maxEntries),
            procfs,
            BootClock.host(procfs));
    table.scan();
    return Optional.of(new Lineage(table, Enricher.create(table), metrics));
  }

  /** Applies each event to the table, then adds its enrichment to the event's line. */
  record Lineage(ProcessTable table, Enricher enricher, Optional<AgentMetrics> metrics)
      implements EventPump.Enricher {
    @Override
    public ExtraFields enrich(Event event) {
      table.apply(event);
      Enrichment x = enricher.enrich(event);
      metrics.ifPresent(m -> m.processTableSize(table.size()));
      return x;
    }

    /** Upkeep between batches: expire ended processes, catch lost exits. */
    void upkeep(long nowMonoNs) {
      table.maintain(nowMonoNs, UPKEEP_BUDGET);
    }
  }
}
