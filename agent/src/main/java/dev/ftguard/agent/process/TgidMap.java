package dev.ftguard.agent.process;

/**
 * Process id to newest {@link Image}: open addressing with linear probing, no boxing (a {@code
 * HashMap<Integer, Image>} costs about 48 more bytes per process).
 */
final class TgidMap {
  private static final int FREE = -1;

  private int[] keys;
  private Image[] values;
  private int size;

  TgidMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new int[cap];
    java.util.Arrays.fill(keys, FREE);
    values = new Image[cap];
  }

  int size() {
    return size;
  }

  private static int mix(int key) {
    int h = key * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  Image get(long key) {
    if (key < 0 || key > Integer.MAX_VALUE) {
      return null;
    }
    int k = (int) key;
    int mask = keys.length - 1;
    for (int i = mix(k) & mask; ; i = (i + 1) & mask) {
      int found = keys[i];
      if (found == k) {
        return values[i];
      }
      if (found == FREE) {
        return null;
      }
    }
  }

  void put(int key, Image value) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
      if (keys[i] == FREE) {
        keys[i] = key;
        values[i] = value;
        size++;
        return;
      }
    }
  }

  void remove(int key) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != key) {
      if (keys[i] == FREE) {
        return;
      }
      i = (i + 1) & mask;
    }
    // backward-shift deletion keeps every probe sequence unbroken
    int gap = i;
    for (int j = (gap + 1) & mask; keys[j] != FREE; j = (j + 1) & mask) {
      int home = mix(keys[j]) & mask;
      boolean movable = gap <= j ? (home <= gap || home > j) : (home <= gap && home > j);
      if (movable) {
        keys[gap] = keys[j];
        values[gap] = values[j];
        gap = j;
      }
    }
    keys[gap] = FREE;
    values[gap] = null;
    size--;
  }

  private void grow() {
    int[] oldKeys = keys;
    Image[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    java.util.Arrays.fill(keys, FREE);
    values = new Image[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != FREE) {
        put(oldKeys[i], oldValues[i]);
      }
    }
  }
}
