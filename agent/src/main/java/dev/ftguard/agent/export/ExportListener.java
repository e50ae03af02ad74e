package dev.ftguard.agent.export;

/**
 * Told about each record the {@link Exporter} does not write, e.g. to count it in metrics ({@code
 * dev.ftguard.agent.metrics.AgentMetrics} is one). Called on the exporting thread; must be cheap.
 */
@FunctionalInterface
public interface ExportListener {
  /** Ignores everything. */
  ExportListener NONE = (_, _) -> {};

  /** {@code record} was dropped for {@code reason}. */
  void dropped(ExportDropReason reason, ExportRecord record);
}
