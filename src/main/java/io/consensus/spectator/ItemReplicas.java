package io.consensus.spectator;

import io.consensus.internal.allocation.SpecReader;
import io.consensus.tree.Node;
import java.util.Map;

/**
 * R of each item, as the members count it: what the item's marker value asks for
 * ({@code {"replicas": N}}), else the fixed item's configured R, else the fleet's R.
 */
final class ItemReplicas {
  private final int fleet;
  private final Map<String, Integer> fixed;
  private final SpecReader specs;

  ItemReplicas(int fleet, Map<String, Integer> fixed, SpecReader specs) {
    this.fleet = fleet;
    this.fixed = Map.copyOf(fixed);
    this.specs = specs;
  }

  int fleet() {
    return fleet;
  }

  /** R of {@code item}, whose node in {@code ROOT/items} is {@code node} (null when it has none). */
  int of(String item, Node node) {
    if (node != null && node.hasValue() && !node.value().isBlank()) {
      int r;
      synchronized (this) { // the reader remembers what it warned about; tables are read from any thread
        r = specs.replicas(item, node.value());
      }
      if (r >= 0) {
        return r;
      }
    }
    return fixed.getOrDefault(item, fleet);
  }
}
