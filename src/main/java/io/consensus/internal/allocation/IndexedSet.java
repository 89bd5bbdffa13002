package io.consensus.internal.allocation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A set with O(1) add, remove and uniform random pick, for choosing candidate items
 * at random (random choice keeps concurrent members from colliding).
 */
final class IndexedSet {
  private final ArrayList<String> items = new ArrayList<>();
  private final Map<String, Integer> positions = new HashMap<>();

  void add(String s) {
    if (!positions.containsKey(s)) {
      positions.put(s, items.size());
      items.add(s);
    }
  }

  void remove(String s) {
    Integer pos = positions.remove(s);
    if (pos == null) {
      return;
    }
    String last = items.remove(items.size() - 1);
    if (pos < items.size()) {
      items.set(pos, last);
      positions.put(last, pos);
    }
  }

  boolean contains(String s) {
    return positions.containsKey(s);
  }

  int size() {
    return items.size();
  }

  boolean isEmpty() {
    return items.isEmpty();
  }

  void clear() {
    items.clear();
    positions.clear();
  }

  List<String> all() {
    return Collections.unmodifiableList(items);
  }

  /** Up to {@code k} distinct members chosen uniformly at random. */
  List<String> sample(int k, Random rnd) {
    int n = items.size();
    if (k <= 0 || n == 0) {
      return List.of();
    }
    if (k * 2 >= n) {
      List<String> copy = new ArrayList<>(items);
      Collections.shuffle(copy, rnd);
      return copy.subList(0, Math.min(k, n));
    }
    LinkedHashSet<String> picked = new LinkedHashSet<>();
    while (picked.size() < k) {
      picked.add(items.get(rnd.nextInt(n)));
    }
    return new ArrayList<>(picked);
  }
}
