package io.consensus.internal.allocation;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts kept by name (and by a pair of names) in maps of mutable counts, for the index's per-member
 * and per-pair figures: no boxed {@code Integer} per change, and no zero count or empty inner map
 * is kept, so a map's keys are exactly the names with a count.
 */
final class Tally {
  private Tally() {
  }

  /** Adds {@code d} to the count of {@code key}, dropping it at zero. */
  static void add(Map<String, int[]> counts, String key, int d) {
    int[] c = counts.computeIfAbsent(key, k -> new int[1]);
    c[0] += d;
    if (c[0] == 0) {
      counts.remove(key);
    }
  }

  /** Adds {@code d} to the count of the pair ({@code outer}, {@code inner}), dropping it at zero. */
  static void add(Map<String, Map<String, int[]>> counts, String outer, String inner, int d) {
    Map<String, int[]> byInner = counts.computeIfAbsent(outer, k -> new HashMap<>());
    add(byInner, inner, d);
    if (byInner.isEmpty()) {
      counts.remove(outer);
    }
  }

  /** The count of {@code key}, 0 when none. */
  static int of(Map<String, int[]> counts, String key) {
    int[] c = counts.get(key);
    return c == null ? 0 : c[0];
  }

  /** The count of the pair ({@code outer}, {@code inner}), 0 when none. */
  static int of(Map<String, Map<String, int[]>> counts, String outer, String inner) {
    Map<String, int[]> byInner = counts.get(outer);
    return byInner == null ? 0 : of(byInner, inner);
  }

  /** The sum of the counts of every name not in {@code except}. */
  static int sumExcept(Map<String, int[]> counts, Set<String> except) {
    int n = 0;
    for (Map.Entry<String, int[]> e : counts.entrySet()) {
      if (!except.contains(e.getKey())) {
        n += e.getValue()[0];
      }
    }
    return n;
  }
}
