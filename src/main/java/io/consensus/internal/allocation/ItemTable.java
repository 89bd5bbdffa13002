package io.consensus.internal.allocation;

import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Values by item name, where each value knows its own item (a summary, a route change): an
 * open-addressing table of the values alone, linear probing, at most half full.
 *
 * <p>Why not a {@code HashMap}: a member keeps one value per item of the fleet, and at 1M
 * items a {@code HashMap}'s entry objects and table cost 40 bytes per item; this costs 16-32
 * (a reference and an int per slot, two to four slots per value). The int is the item's hash,
 * stored beside its value: a probe rejects another item's slot without loading that value and its
 * item (at 100,000 items every such load misses the cache), and a removal's backward shift and
 * growth re-place values by their stored hash. Not thread-safe.
 */
public final class ItemTable<V> {
  private final Function<V, String> itemOf;
  private Object[] slots = new Object[16];
  // The tag of the item at each slot (see tag), 0 where the slot is empty.
  private int[] tags = new int[16];
  private int size;

  /** An empty table of values whose item is {@code itemOf(value)}. */
  public ItemTable(Function<V, String> itemOf) {
    this.itemOf = Objects.requireNonNull(itemOf, "itemOf");
  }

  private static int spread(String item) {
    int h = item.hashCode() * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /**
   * The item's spread hash with the top bit set: never 0 (0 marks an empty slot), and the same
   * home slot as the spread hash (a mask never reaches the top bit), so values sit where they did
   * before tags were stored: {@link #sample} and the iteration order see the same layout.
   */
  private static int tag(String item) {
    return spread(item) | Integer.MIN_VALUE;
  }

  @SuppressWarnings("unchecked")
  private V at(int i) {
    return (V) slots[i];
  }

  private int find(String item) {
    int tag = tag(item);
    int[] t = tags;
    int mask = t.length - 1;
    for (int i = tag & mask; ; i = (i + 1) & mask) {
      int here = t[i];
      if (here == 0) {
        return -i - 1;
      }
      if (here == tag && itemOf.apply(at(i)).equals(item)) {
        return i;
      }
    }
  }

  /** The value of {@code item}, or null. */
  public V get(String item) {
    int i = find(item);
    return i >= 0 ? at(i) : null;
  }

  /** Puts {@code value} under its item; returns the value it replaced, or null. */
  public V put(V value) {
    String item = itemOf.apply(Objects.requireNonNull(value, "value"));
    int i = find(item);
    if (i >= 0) {
      V old = at(i);
      slots[i] = value;
      return old;
    }
    if ((size + 1) * 2 > slots.length) {
      grow();
      i = find(item);
    }
    slots[-i - 1] = value;
    tags[-i - 1] = tag(item);
    size++;
    return null;
  }

  /** Removes the value of {@code item}; returns it, or null when there was none. */
  public V remove(String item) {
    int i = find(item);
    if (i < 0) {
      return null;
    }
    V old = at(i);
    // Backward-shift deletion: later values of the same probe run move up, no tombstones.
    int mask = slots.length - 1;
    int hole = i;
    for (int j = (i + 1) & mask; tags[j] != 0; j = (j + 1) & mask) {
      int home = tags[j] & mask;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        slots[hole] = slots[j];
        tags[hole] = tags[j];
        hole = j;
      }
    }
    slots[hole] = null;
    tags[hole] = 0;
    size--;
    return old;
  }

  private void grow() {
    Object[] oldSlots = slots;
    int[] oldTags = tags;
    slots = new Object[oldSlots.length * 2];
    tags = new int[oldSlots.length * 2];
    int mask = tags.length - 1;
    // In the old slots' order, as values were placed before tags were stored (the same layout).
    for (int k = 0; k < oldTags.length; k++) {
      int tag = oldTags[k];
      if (tag != 0) {
        int i = tag & mask;
        while (tags[i] != 0) {
          i = (i + 1) & mask;
        }
        slots[i] = oldSlots[k];
        tags[i] = tag;
      }
    }
  }

  public int size() {
    return size;
  }

  /** The items, in no particular order (a new array). */
  public String[] items() {
    String[] out = new String[size];
    int k = 0;
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] != null) {
        out[k++] = itemOf.apply(at(i));
      }
    }
    return out;
  }

  /** A read-only view of the values, in no particular order. */
  public Collection<V> values() {
    return new AbstractCollection<>() {
      @Override
      public Iterator<V> iterator() {
        return new Iterator<>() {
          private int next = advance(0);

          private int advance(int from) {
            while (from < slots.length && slots[from] == null) {
              from++;
            }
            return from;
          }

          @Override
          public boolean hasNext() {
            return next < slots.length;
          }

          @Override
          public V next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            V v = at(next);
            next = advance(next + 1);
            return v;
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  /**
   * Up to {@code k} values drawn uniformly at random, with replacement, for {@code action}: a
   * random slot at a time, so the cost is in {@code k}, not in the size (the table is at least a
   * quarter full while it grows; emptied by removals below an eighth, the draws give up after
   * {@code 8 k} empty slots). Returns how many were drawn.
   */
  public int sample(int k, Random rnd, java.util.function.Consumer<V> action) {
    int drawn = 0;
    for (int misses = 0; drawn < k && size > 0 && misses < 8 * k; ) {
      Object v = slots[rnd.nextInt(slots.length)];
      if (v == null) {
        misses++;
        continue;
      }
      @SuppressWarnings("unchecked")
      V value = (V) v;
      action.accept(value);
      drawn++;
    }
    return drawn;
  }

  /** A copy, sorted by item. */
  public TreeMap<String, V> toSortedMap() {
    TreeMap<String, V> out = new TreeMap<>();
    for (Object v : slots) {
      if (v != null) {
        @SuppressWarnings("unchecked")
        V value = (V) v;
        out.put(itemOf.apply(value), value);
      }
    }
    return out;
  }

  /** Removes every value. */
  public void clear() {
    Arrays.fill(slots, null);
    Arrays.fill(tags, 0);
    size = 0;
  }
}
