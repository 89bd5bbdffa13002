package io.consensus.launcher;

import io.consensus.route.MemberInfo;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.route.RoutingTable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The route page's compact JSON: items as {@code [name, [[member, state], ...]]} (route
 * order: master first), members with zone, presence and counts, and fleet counters. Compact
 * because the page loads it whole at 10,000 items.
 */
final class FleetJson {
  private FleetJson() {
  }

  /**
   * The whole table: {@code {"name", "role", "revision", "replicas", "counters", "members",
   * "items"}} (the status server streams it: {@link #header}, then {@link #items} in slices).
   */
  static JsonObject snapshot(FleetView view, RoutingTable t) {
    return header(view, t).put("items", items(t.routes()));
  }

  /** {@code routes} in the page's item shape. */
  static JsonArray items(List<Route> routes) {
    JsonArray items = new JsonArray();
    routes.forEach(r -> items.add(item(r.item(), r)));
    return items;
  }

  /** The changed items only; a removed item is {@code [name, null]}. */
  static JsonObject delta(FleetView view, RoutingTable t, Collection<String> changed) {
    JsonArray items = new JsonArray();
    for (String name : changed) {
      items.add(item(name, t.routeOf(name)));
    }
    return header(view, t).put("items", items);
  }

  /** The snapshot without its items; "items" goes last. */
  static JsonObject header(FleetView view, RoutingTable t) {
    // From the table's index: per member, not a walk over every item.
    Map<String, int[]> held = new HashMap<>();
    for (String m : t.holders()) {
      int masters = t.mastersOf(m).size();
      held.put(m, new int[] {masters, t.itemsOf(m).size() - masters});
    }
    JsonArray members = new JsonArray();
    for (MemberInfo m : t.members().values()) {
      int[] c = held.remove(m.name());
      if (c == null && !m.present()) {
        continue; // departed and holding nothing
      }
      members.add(member(m.name(), m.zone(), m.present(), m.metadata(), c));
    }
    held.forEach((name, c) -> members.add(member(name, null, false, new JsonObject(), c)));
    return new JsonObject().put("name", view.name()).put("role", view.role()).put("revision", t.revision())
        .put("replicas", t.replicas()).put("counters", t.counters().toJson()).put("members", members);
  }

  private static JsonObject member(String name, String zone, boolean present, JsonObject metadata, int[] held) {
    return new JsonObject().put("name", name).put("zone", zone).put("present", present)
        .put("metadata", metadata.copy()).put("masters", held == null ? 0 : held[0])
        .put("replicas", held == null ? 0 : held[1]);
  }

  private static JsonArray item(String name, Route r) {
    if (r == null) {
      return new JsonArray().add(name).addNull();
    }
    JsonArray entries = new JsonArray();
    for (RouteEntry e : r.entries()) {
      entries.add(new JsonArray().add(e.member()).add(e.state()));
    }
    return new JsonArray().add(name).add(entries);
  }
}
