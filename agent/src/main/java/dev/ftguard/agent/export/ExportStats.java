package dev.ftguard.agent.export;

import java.util.EnumMap;
import java.util.Map;

/**
 * The export stage's counters.
 *
 * @param exported records written to the sinks
 * @param dropped records not written, by reason (every reason present, 0 if none)
 */
public record ExportStats(long exported, Map<ExportDropReason, Long> dropped) {
  public ExportStats {
    EnumMap<ExportDropReason, Long> all = new EnumMap<>(ExportDropReason.class);
    for (ExportDropReason r : ExportDropReason.values()) {
      all.put(r, dropped.getOrDefault(r, 0L));
    }
    dropped = java.util.Collections.unmodifiableMap(all);
  }

  /** Records dropped for {@code reason}. */
  public long dropped(ExportDropReason reason) {
    return dropped.get(reason);
  }

  /** Records dropped for any reason. */
  public long droppedTotal() {
    return dropped.values().stream().mapToLong(Long::longValue).sum();
  }
}
