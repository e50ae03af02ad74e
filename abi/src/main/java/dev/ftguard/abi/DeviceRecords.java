package dev.ftguard.abi;

import static dev.ftguard.abi.Abi.offset;

/**
 * Byte offsets of the device's counters and hook list: {@code struct ftg_stats} ({@code Abi.Stat})
 * and {@code struct ftg_hook_info} ({@code Abi.Hook}). Part of {@link Abi}.
 */
public sealed interface DeviceRecords permits Abi {
  /** Byte offsets in {@code struct ftg_stats}. */
  final class Stat {
    private Stat() {}

    public static final long SIZE = Abi.STATS.byteSize();
    public static final long ABI_VERSION = offset(Abi.STATS, "abi_version");
    public static final long NR_HOOKS = offset(Abi.STATS, "nr_hooks");
    public static final long HOOKS_ATTACHED = offset(Abi.STATS, "hooks_attached");
    public static final long INFLIGHT = offset(Abi.STATS, "inflight");
    public static final long PRODUCED = offset(Abi.STATS, "produced");
    public static final long DELIVERED = offset(Abi.STATS, "delivered");
    public static final long DROPPED = offset(Abi.STATS, "dropped");
    public static final long BUFFER_BYTES = offset(Abi.STATS, "buffer_bytes");
    public static final long BUFFER_ENTRIES = offset(Abi.STATS, "buffer_entries");
    public static final long TABLE_GENERATION = offset(Abi.STATS, "table_generation");
    public static final long TABLE_RULES = offset(Abi.STATS, "table_rules");
    public static final long TABLE_BYTES = offset(Abi.STATS, "table_bytes");
    public static final long DECISIONS = offset(Abi.STATS, "decisions");
    public static final long BLOCKED = offset(Abi.STATS, "blocked");
    public static final long KILLED = offset(Abi.STATS, "killed");
    public static final long CALL_HOOKS = offset(Abi.STATS, "call_hooks");
    public static final long CALL_HOOKS_ATTACHED = offset(Abi.STATS, "call_hooks_attached");
    public static final long CALL_SKIPPED = offset(Abi.STATS, "call_skipped");
    public static final long LOCKED = offset(Abi.STATS, "locked");
    public static final long TAMPER = offset(Abi.STATS, "tamper");
    public static final long CONTENT_HITS = offset(Abi.STATS, "content_hits");
    public static final long CONTENT_MISSES = offset(Abi.STATS, "content_misses");
    public static final long CONTENT_HASHES = offset(Abi.STATS, "content_hashes");
    public static final long CONTENT_UNKNOWN = offset(Abi.STATS, "content_unknown");
  }

  /** Byte offsets in {@code struct ftg_hook_info}. */
  final class Hook {
    private Hook() {}

    public static final long SIZE = Abi.HOOK_INFO.byteSize();
    public static final long INDEX = offset(Abi.HOOK_INFO, "index");
    public static final long FLAGS = offset(Abi.HOOK_INFO, "flags");
    public static final long ADDRESS = offset(Abi.HOOK_INFO, "address");
    public static final long HITS = offset(Abi.HOOK_INFO, "hits");
    public static final long NAME = offset(Abi.HOOK_INFO, "name");
  }
}
