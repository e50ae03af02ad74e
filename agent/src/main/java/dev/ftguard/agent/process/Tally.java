package dev.ftguard.agent.process;

/**
 * The running counts behind {@link ProcessTable.Counters}, shared by the table's parts (one thread:
 * the table's).
 */
final class Tally {
  long fromProc;
  long placeholders;
  long staleEnded;
  long expired;
  long evictedEnded;
  long evictedLive;
  long reconciled;
  long outOfOrder;

  ProcessTable.Counters snapshot(int images, int live) {
    return new ProcessTable.Counters(
        images,
        live,
        fromProc,
        placeholders,
        staleEnded,
        expired,
        evictedEnded,
        evictedLive,
        reconciled,
        outOfOrder);
  }
}
