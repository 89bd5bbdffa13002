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
  // Each item's String.hashCode() at its position in items: a random draw that decides from the
  // hash alone (TAKE_SHORT's designated taker, ShortTakers) reads this array and never loads the
  // item itself, one cache miss per draw fewer at 1,000,000 items. Only in a set built to keep
  // them (withHashes: the short-staffed items), null in the others (4 bytes per item each).
  private int[] hashes;

  IndexedSet() {
  }

  private IndexedSet(int[] hashes) {
    this.hashes = hashes;
  }

  /** A set that also keeps each item's hash by position, for {@link #hashAt}. */
  static IndexedSet withHashes() {
    return new IndexedSet(new int[16]);
  }
  // Each item's position in items: open addressing (linear probing, at most half full) of
  // names and entries side by side, no boxed Integer nor map entry per change (a revision
  // moves each touched item out of a set and back in). An entry is the name's tag (its spread
  // hash, top bit set: never 0) in the high half and its position in the low half, 0 where the
  // slot is empty: a probe rejects another name's slot by the entry alone, without loading that
  // name (at 100,000 items a cache miss), and finds the position in the same load.
  private String[] keys = new String[16];
  private long[] entries = new long[16];

  private static int tag(String s) {
    int h = s.hashCode() * 0x9E3779B9;
    return (h ^ (h >>> 16)) | Integer.MIN_VALUE;
  }

  private static long entry(int tag, int position) {
    return (long) tag << 32 | (position & 0xFFFFFFFFL);
  }

  private static int tagOf(long entry) {
    return (int) (entry >>> 32);
  }

  /** The slot of {@code s}, or {@code -(free slot) - 1}. */
  private int slot(String s) {
    int tag = tag(s);
    long[] e = entries;
    int mask = e.length - 1;
    for (int i = tag & mask; ; i = (i + 1) & mask) {
      long here = e[i];
      if (here == 0) {
        return -i - 1;
      }
      if (tagOf(here) == tag && keys[i].equals(s)) {
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
    entries[-i - 1] = entry(tag(s), items.size());
    if (hashes != null) {
      if (items.size() == hashes.length) {
        hashes = java.util.Arrays.copyOf(hashes, hashes.length * 2);
      }
      hashes[items.size()] = s.hashCode();
    }
    items.add(s);
  }

  void remove(String s) {
    int i = slot(s);
    if (i < 0) {
      return;
    }
    int pos = (int) entries[i];
    unslot(i);
    String last = items.remove(items.size() - 1);
    if (pos < items.size()) {
      items.set(pos, last);
      if (hashes != null) {
        hashes[pos] = hashes[items.size()];
      }
      int at = slot(last);
      entries[at] = entry(tagOf(entries[at]), pos);
    }
  }

  /** Empties slot {@code i}; later keys of its probe run move up (no tombstones). */
  private void unslot(int i) {
    int mask = keys.length - 1;
    int hole = i;
    for (int j = (i + 1) & mask; entries[j] != 0; j = (j + 1) & mask) {
      int home = tagOf(entries[j]) & mask;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        keys[hole] = keys[j];
        entries[hole] = entries[j];
        hole = j;
      }
    }
    keys[hole] = null;
    entries[hole] = 0;
  }

  private void grow() {
    String[] oldKeys = keys;
    long[] oldEntries = entries;
    keys = new String[oldKeys.length * 2];
    entries = new long[oldKeys.length * 2];
    int mask = entries.length - 1;
    for (int k = 0; k < oldEntries.length; k++) {
      long e = oldEntries[k];
      if (e != 0) {
        int i = tagOf(e) & mask;
        while (entries[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[k];
        entries[i] = e;
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
    java.util.Arrays.fill(entries, 0);
  }

  List<String> all() {
    return Collections.unmodifiableList(items);
  }

  /** The item at {@code position} (0 to size - 1; positions move as items are removed). */
  String at(int position) {
    return items.get(position);
  }

  /** {@code at(position).hashCode()}, without loading the item: in a set made {@link #withHashes}. */
  int hashAt(int position) {
    java.util.Objects.checkIndex(position, items.size());
    if (hashes == null) {
      throw new IllegalStateException("a set made without hashes");
    }
    return hashes[position];
  }

  /**
   * The positions ({@link #at}, {@link #hashAt}) in a uniform random order, its table sized for
   * {@code expectedDraws} draws. The set must not change while the order is read.
   */
  RandomOrder positionsInRandomOrder(Random rnd, int expectedDraws) {
    return new RandomOrder(items.size(), rnd, expectedDraws);
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
    RandomOrder order = new RandomOrder(items.size(), rnd, n);
    while (out.size() < n) {
      out.add(items.get(order.next()));
    }
    return out;
  }
}
