package io.consensus.internal.allocation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * A set with O(1) add, remove and uniform random pick, for choosing candidate items
 * at random (random choice keeps concurrent members from colliding).
 */
final class IndexedSet {
  private final ArrayList<String> items = new ArrayList<>();
  // Each item's position in items: open addressing (linear probing, at most half full) of
  // names and positions side by side, no boxed Integer nor map entry per change (a revision
  // moves each touched item out of a set and back in).
  private String[] keys = new String[16];
  private int[] positions = new int[16];

  private static int spread(String s) {
    int h = s.hashCode() * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /** The slot of {@code s}, or {@code -(free slot) - 1}. */
  private int slot(String s) {
    int mask = keys.length - 1;
    for (int i = spread(s) & mask; ; i = (i + 1) & mask) {
      String k = keys[i];
      if (k == null) {
        return -i - 1;
      }
      if (k.equals(s)) {
        return i;
      }
    }
  }

  void add(String s) {
    int i = slot(s);
    if (i >= 0) {
      return;
    }
    if ((items.size() + 1) * 2 > keys.length) {
      grow();
      i = slot(s);
    }
    keys[-i - 1] = s;
    positions[-i - 1] = items.size();
    items.add(s);
  }

  void remove(String s) {
    int i = slot(s);
    if (i < 0) {
      return;
    }
    int pos = positions[i];
    unslot(i);
    String last = items.remove(items.size() - 1);
    if (pos < items.size()) {
      items.set(pos, last);
      positions[slot(last)] = pos;
    }
  }

  /** Empties slot {@code i}; later keys of its probe run move up (no tombstones). */
  private void unslot(int i) {
    int mask = keys.length - 1;
    int hole = i;
    for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
      int home = spread(keys[j]) & mask;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        keys[hole] = keys[j];
        positions[hole] = positions[j];
        hole = j;
      }
    }
    keys[hole] = null;
  }

  private void grow() {
    String[] oldKeys = keys;
    int[] oldPositions = positions;
    keys = new String[oldKeys.length * 2];
    positions = new int[oldKeys.length * 2];
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        int at = -slot(oldKeys[i]) - 1;
        keys[at] = oldKeys[i];
        positions[at] = oldPositions[i];
      }
    }
  }

  boolean contains(String s) {
    return slot(s) >= 0;
  }

  int size() {
    return items.size();
  }

  boolean isEmpty() {
    return items.isEmpty();
  }

  void clear() {
    items.clear();
    java.util.Arrays.fill(keys, null);
  }

  List<String> all() {
    return Collections.unmodifiableList(items);
  }

  /**
   * The items in a uniform random order, drawn only as far as the caller reads
   * ({@link RandomOrder}: no copy of the set, no set of the items seen). The set must not change
   * while the order is read.
   */
  Iterator<String> randomOrder(Random rnd) {
    RandomOrder order = new RandomOrder(items.size(), rnd);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return order.hasNext();
      }

      @Override
      public String next() {
        return items.get(order.next());
      }
    };
  }

  /** Up to {@code k} distinct members chosen uniformly at random, in the order drawn (a new, mutable list). */
  List<String> sample(int k, Random rnd) {
    int n = Math.min(Math.max(k, 0), items.size());
    List<String> out = new ArrayList<>(n);
    RandomOrder order = new RandomOrder(items.size(), rnd);
    while (out.size() < n) {
      out.add(items.get(order.next()));
    }
    return out;
  }
}
