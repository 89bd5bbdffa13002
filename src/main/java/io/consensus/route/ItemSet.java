package io.consensus.route;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable sorted set of item names that shares structure with the set it was made from:
 * names live in sorted chunks of at most {@value #CHUNK} names, and adding or removing one
 * copies one chunk and the array of chunks. A {@link RoutingTable} keeps one per member and
 * changes it with an {@link Edit}, which copies the array of chunks once per revision and a
 * chunk per name: a revision's change to a set costs O(size / CHUNK) once plus O(CHUNK) per
 * name it touches (small chunks: a writer's set gains up to 64 names a revision). A whole set
 * is made in one pass by a {@link Builder} fed names in order (a snapshot's rebuild).
 *
 * <p>Each chunk's first name is kept again in one array beside the chunks: finding a name's
 * chunk binary-searches that compact array (at 75,000 names ~1,500 references, its upper levels
 * stay in cache) instead of loading a chunk at every step.
 */
final class ItemSet {
  static final int CHUNK = 64;
  static final ItemSet EMPTY = new ItemSet(new String[0][], new String[0], 0, 0);

  // The first count chunks, each non-empty and sorted, in order (the arrays may be longer: an
  // Edit hands over its arrays, room to grow included, rather than copy them once more).
  private final String[][] chunks;
  private final String[] firsts; // firsts[i] is chunks[i][0]
  private final int count;
  private final int size;

  private ItemSet(String[][] chunks, String[] firsts, int count, int size) {
    this.chunks = chunks;
    this.firsts = firsts;
    this.count = count;
    this.size = size;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  boolean contains(String name) {
    int c = chunkOf(firsts, count, name);
    return c >= 0 && Arrays.binarySearch(chunks[c], name) >= 0;
  }

  /** This set with {@code name} (this set itself when it holds it already). */
  ItemSet with(String name) {
    Edit e = edit();
    e.add(name);
    return e.done();
  }

  /** This set without {@code name} (this set itself when it does not hold it). */
  ItemSet without(String name) {
    Edit e = edit();
    e.remove(name);
    return e.done();
  }

  /** The names in order, as an unmodifiable view (no copy; the set never changes). */
  List<String> asList() {
    int[] starts = new int[count];
    int n = 0;
    for (int i = 0; i < count; i++) {
      starts[i] = n;
      n += chunks[i].length;
    }
    return new AbstractList<>() {
      @Override
      public String get(int index) {
        if (index < 0 || index >= size) {
          throw new IndexOutOfBoundsException(index);
        }
        int c = Arrays.binarySearch(starts, index);
        c = c >= 0 ? c : -c - 2;
        return chunks[c][index - starts[c]];
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  /** An editor starting from this set (for many changes in a row: see {@link Edit}). */
  Edit edit() {
    return new Edit(this);
  }

  /**
   * Changes to one set made in a row (a revision's to one member's set): the arrays of chunks and
   * of first names are copied once, at the first change, not at every change (at 75,000 names
   * each is ~1,500 references, more than a chunk). A name copies its chunk; a full chunk splits
   * in halves; an emptied chunk goes. The set it started from stays as it was; {@link #done} gives
   * the new one, which takes over the edit's arrays: no change after it.
   */
  static final class Edit {
    private final ItemSet from;
    private String[][] chunks; // null until the first change; the first count in use
    private String[] firsts;
    private int count;
    private int size;
    private boolean done;

    private Edit(ItemSet from) {
      this.from = from;
      this.size = from.size;
    }

    boolean isEmpty() {
      return size == 0;
    }

    private void copy() {
      count = from.count;
      chunks = Arrays.copyOf(from.chunks, count + 4);
      firsts = Arrays.copyOf(from.firsts, count + 4);
    }

    /** Adds {@code name} (nothing when present). */
    void add(String name) {
      checkNotDone();
      if (chunks == null) {
        if (from.contains(name)) {
          return;
        }
        copy();
      }
      if (count == 0) {
        insert(0, new String[] {name});
        size++;
        return;
      }
      int c = Math.max(0, chunkOf(firsts, count, name));
      String[] chunk = chunks[c];
      int at = Arrays.binarySearch(chunk, name);
      if (at >= 0) {
        return;
      }
      at = -at - 1;
      String[] grown = new String[chunk.length + 1];
      System.arraycopy(chunk, 0, grown, 0, at);
      grown[at] = name;
      System.arraycopy(chunk, at, grown, at + 1, chunk.length - at);
      size++;
      if (grown.length <= CHUNK) {
        set(c, grown);
        return;
      }
      set(c, Arrays.copyOfRange(grown, 0, grown.length / 2)); // a full chunk splits in halves
      insert(c + 1, Arrays.copyOfRange(grown, grown.length / 2, grown.length));
    }

    /** Removes {@code name} (nothing when absent). */
    void remove(String name) {
      checkNotDone();
      if (chunks == null) {
        if (!from.contains(name)) {
          return;
        }
        copy();
      }
      int c = chunkOf(firsts, count, name);
      if (c < 0) {
        return;
      }
      String[] chunk = chunks[c];
      int at = Arrays.binarySearch(chunk, name);
      if (at < 0) {
        return;
      }
      size--;
      if (chunk.length == 1) {
        System.arraycopy(chunks, c + 1, chunks, c, count - c - 1);
        System.arraycopy(firsts, c + 1, firsts, c, count - c - 1);
        count--;
        chunks[count] = null;
        firsts[count] = null;
        return;
      }
      String[] shrunk = new String[chunk.length - 1];
      System.arraycopy(chunk, 0, shrunk, 0, at);
      System.arraycopy(chunk, at + 1, shrunk, at, chunk.length - at - 1);
      set(c, shrunk);
    }

    private void checkNotDone() {
      if (done) {
        throw new IllegalStateException("the edit is done: its arrays belong to the set it made");
      }
    }

    private void set(int c, String[] chunk) {
      chunks[c] = chunk;
      firsts[c] = chunk[0];
    }

    private void insert(int c, String[] chunk) {
      if (count == chunks.length) {
        chunks = Arrays.copyOf(chunks, count + (count >> 1) + 4);
        firsts = Arrays.copyOf(firsts, chunks.length);
      }
      System.arraycopy(chunks, c, chunks, c + 1, count - c);
      System.arraycopy(firsts, c, firsts, c + 1, count - c);
      count++;
      set(c, chunk);
    }

    /** The set made: the one it started from when nothing changed. */
    ItemSet done() {
      done = true;
      if (chunks == null) {
        return from;
      }
      return size == 0 ? EMPTY : new ItemSet(chunks, firsts, count, size);
    }
  }

  /** Builds a set from names given in ascending order, each appended in O(1). */
  static final class Builder {
    private final java.util.ArrayList<String[]> chunks = new java.util.ArrayList<>();
    private String[] chunk = new String[CHUNK / 2];
    private int inChunk;
    private int size;
    private String last;

    /** Appends {@code name}, which must sort after every name appended before. */
    Builder add(String name) {
      if (last != null && last.compareTo(name) >= 0) {
        throw new IllegalArgumentException("names out of order: " + last + ", " + name);
      }
      last = name;
      // Chunks start half full, as splits leave them: room to grow before the first split.
      if (inChunk == CHUNK / 2) {
        chunks.add(chunk);
        chunk = new String[CHUNK / 2];
        inChunk = 0;
      }
      chunk[inChunk++] = name;
      size++;
      return this;
    }

    ItemSet build() {
      if (size == 0) {
        return EMPTY;
      }
      String[][] out = new String[chunks.size() + (inChunk > 0 ? 1 : 0)][];
      for (int i = 0; i < chunks.size(); i++) {
        out[i] = chunks.get(i);
      }
      if (inChunk > 0) {
        out[out.length - 1] = Arrays.copyOf(chunk, inChunk);
      }
      String[] firsts = new String[out.length];
      for (int i = 0; i < out.length; i++) {
        firsts[i] = out[i][0];
      }
      return new ItemSet(out, firsts, out.length, size);
    }
  }

  /**
   * The chunk that holds or would hold {@code name}: the last of the first {@code count} whose
   * first name is <= it; -1 when before all.
   */
  private static int chunkOf(String[] firsts, int count, String name) {
    int lo = 0;
    int hi = count - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (firsts[mid].compareTo(name) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
