package io.consensus.internal.watch;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import java.util.function.Function;

/**
 * etcd's protobuf values (watch events, range pages) as our immutable values, converted only
 * when read: a revision deleting tens of thousands of keys, or a snapshot of a million, costs
 * its reader (who reads it in slices) the conversion, not the handler that received it. The
 * protobuf values may come in several pieces (fragments of one watch response, pages of a
 * range). Unmodifiable; each value is converted once, and since the results are immutable
 * (final fields only) a reader on another thread sees a complete one.
 */
final class ConvertedOnDemand<R, T> extends AbstractList<T> implements RandomAccess {
  private final Function<R, T> convert;
  private final List<List<R>> pieces;
  /** starts[i]: the index of the first event of pieces.get(i). */
  private final int[] starts;
  private final int size;
  private final Object[] converted;

  ConvertedOnDemand(List<List<R>> pieces, Function<R, T> convert) {
    this.convert = convert;
    this.pieces = List.copyOf(pieces);
    this.starts = new int[this.pieces.size()];
    int n = 0;
    for (int i = 0; i < starts.length; i++) {
      starts[i] = n;
      n += this.pieces.get(i).size();
    }
    this.size = n;
    this.converted = new Object[n];
  }

  @Override
  @SuppressWarnings("unchecked")
  public T get(int index) {
    T e = (T) converted[index]; // bounds checked here
    if (e == null) {
      e = convert.apply(raw(index));
      converted[index] = e;
    }
    return e;
  }

  private R raw(int index) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo < hi) { // the last piece starting at or before index
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return pieces.get(lo).get(index - starts[lo]);
  }

  @Override
  public int size() {
    return size;
  }
}
