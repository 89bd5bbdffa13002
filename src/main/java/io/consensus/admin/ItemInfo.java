package io.consensus.admin;

import io.consensus.route.Route;
import io.vertx.core.json.JsonObject;

/**
 * One item as the keyspace holds it.
 *
 * @param name   the item
 * @param marker the marker's value, or null when the item has no marker (fixed, or only entries)
 * @param fixed  whether the configuration lists it as a fixed item
 * @param route  its current route
 */
public record ItemInfo(String name, String marker, boolean fixed, Route route) {
  /** {@code {"item", "marker", "fixed", "entries", "master"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("item", name).put("marker", marker).put("fixed", fixed)
        .put("entries", route.size()).put("master", route.isEmpty() ? null : route.master().member());
  }
}
