package dev.ftguard.agent.enrich;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map that drops its least recently used entry beyond {@code max} entries; not thread-safe. */
final class LruCache<K, V> extends LinkedHashMap<K, V> {
  private static final long serialVersionUID = 1L;

  private final int max;

  LruCache(int max) {
    super(16, 0.75f, true);
    if (max < 1) {
      throw new IllegalArgumentException("cache size below 1: " + max);
    }
    this.max = max;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > max;
  }
}
