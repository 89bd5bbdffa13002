package io.consensus.route;

import io.consensus.tree.Node;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * R of each item, as the members count it: what the item's marker value asks for
 * ({@code {"replicas": N}}, N in 0..{@value #MAX_REPLICAS}), else the fixed item's configured R,
 * else the fleet's R. A marker that asks for nothing valid counts at the fleet's R (the members
 * log it; a reader of the table does not). Immutable.
 */
final class ItemReplicas {
  /** Most replicas a marker may ask for (as the members read markers). */
  static final int MAX_REPLICAS = 1000;

  private final int fleet;
  private final Map<String, Integer> fixed;

  ItemReplicas(int fleet, Map<String, Integer> fixed) {
    this.fleet = fleet;
    this.fixed = Map.copyOf(fixed);
  }

  int fleet() {
    return fleet;
  }

  /** R of {@code item}, whose node in {@code ROOT/items} is {@code node} (null when it has none). */
  int of(String item, Node node) {
    if (node != null && node.hasValue() && !node.value().isBlank()) {
      int r = marker(node.value());
      if (r >= 0) {
        return r;
      }
    }
    return fixed.getOrDefault(item, fleet);
  }

  /** What a marker value asks for, or -1 when nothing valid. */
  private static int marker(String value) {
    Object parsed;
    try {
      parsed = Json.decodeValue(value);
    } catch (DecodeException e) {
      return -1;
    }
    if (parsed instanceof JsonObject o && (o.getValue("replicas") instanceof Integer
        || o.getValue("replicas") instanceof Long)) {
      long r = ((Number) o.getValue("replicas")).longValue();
      return r >= 0 && r <= MAX_REPLICAS ? (int) r : -1;
    }
    return -1;
  }
}
