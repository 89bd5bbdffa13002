package io.consensus.internal.allocation;

import java.util.NoSuchElementException;
import java.util.Random;

/**
 * A uniform random order of the positions {@code 0..n-1}, drawn one at a time: a Fisher-Yates
 * shuffle over a virtual array of which only the positions a draw swapped are kept (in an int
 * table, no boxing). {@code k} draws cost time and memory in {@code k} whatever {@code n}; no draw
 * repeats and none is rejected, so a caller may stop as soon as it has what it needs.
 */
final class RandomOrder {
  private final int n;
  private final Random rnd;
  private int drawn;
  // The swapped positions and what they hold now: open addressing, linear probing, at most half
  // full; keys stored + 1 so that 0 marks a free slot.
  private int[] keys;
  private int[] values;
  private int size;

  RandomOrder(int n, Random rnd) {
    this(n, rnd, 0);
  }

  /**
   * As {@link #RandomOrder(int, Random)}, its table sized at once for {@code expectedDraws} draws
   * (a caller that knows how far it reads: no doubling and rehashing of the table as it draws,
   * 16 % of a 1,280-item TAKE_SHORT sample's cost).
   */
  RandomOrder(int n, Random rnd, int expectedDraws) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, was " + n);
    }
    this.n = n;
    this.rnd = rnd;
    // Each draw keeps at most one more position; at most half full.
    int want = Math.min(Math.max(expectedDraws, 0), n);
    int capacity = 16;
    while (capacity < 2 * (want + 1) && capacity < (1 << 30)) {
      capacity <<= 1;
    }
    keys = new int[capacity];
    values = new int[capacity];
  }

  boolean hasNext() {
    return drawn < n;
  }

  /** The next position: uniform over those not drawn yet. */
  int next() {
    if (drawn >= n) {
      throw new NoSuchElementException();
    }
    int i = drawn++;
    int j = i + rnd.nextInt(n - i);
    int atJ = valueAt(j);
    if (j != i) {
      // Position i is drawn for good; j, still ahead, now holds what i held.
      put(j, valueAt(i));
    }
    return atJ;
  }

  private static int spread(int p) {
    int h = p * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private int valueAt(int p) {
    int mask = keys.length - 1;
    for (int s = spread(p) & mask; keys[s] != 0; s = (s + 1) & mask) {
      if (keys[s] == p + 1) {
        return values[s];
      }
    }
    return p;
  }

  private void put(int p, int v) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int s = spread(p) & mask;
    while (keys[s] != 0 && keys[s] != p + 1) {
      s = (s + 1) & mask;
    }
    if (keys[s] == 0) {
      keys[s] = p + 1;
      size++;
    }
    values[s] = v;
  }

  private void grow() {
    int[] oldKeys = keys;
    int[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        int s = spread(oldKeys[i] - 1) & mask;
        while (keys[s] != 0) {
          s = (s + 1) & mask;
        }
        keys[s] = oldKeys[i];
        values[s] = oldValues[i];
      }
    }
  }
}
