package io.consensus.verticle;

import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route as one member sees it at one revision: the value published on the event bus and
 * passed to {@link ItemHandler#onRoute}.
 *
 * <p>JSON shape:
 * <pre>
 * {"member": "m1", "item": "a", "revision": 42,
 *  "entries": [{"member": "m1", "state": "ready", "createRevision": 17,
 *               "metadata": {"host": "10.0.0.7", "port": 8080}}, ...],
 *  "index": 0, "role": "MASTER", "removed": false, "reason": "route"}
 * </pre>
 * The master's {@code createRevision} only grows for an item: a fencing token. An entry's
 * {@code metadata} is its member's metadata (the value of {@code ROOT/members/<member>}, the
 * last known one for a member that is leaving); it is absent when the member was never seen.
 *
 * @param member   the member that publishes
 * @param item     the item
 * @param revision etcd revision the route reflects
 * @param route    entries in order, master first
 * @param index    this member's position, -1 when none
 * @param role     this member's role
 * @param removed  the item no longer exists
 * @param reason   {@code "route"} for an ordinary change, {@code "lease-lost"} when the member
 *                 lost its lease and holds nothing until it rejoins
 * @param metadata the metadata of the route's members, by member name (immutable; the
 *                 JSON objects are shared: read them, or use {@link #metadataOf(String)})
 */
public record RouteChange(String member, String item, long revision, Route route, int index, Role role,
    boolean removed, String reason, Map<String, JsonObject> metadata) {

  public RouteChange {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** A route change without member metadata. */
  public RouteChange(String member, String item, long revision, Route route, int index, Role role,
      boolean removed, String reason) {
    this(member, item, revision, route, index, role, removed, reason, Map.of());
  }

  /** Reason of an ordinary route change. */
  public static final String ROUTE = "route";
  /** Reason of the message sent for every held item when the lease is lost. */
  public static final String LEASE_LOST = "lease-lost";

  /** This member's entries' list, master first. */
  public List<RouteEntry> entries() {
    return route.entries();
  }

  /** Whether this member is the item's master. */
  public boolean isMaster() {
    return role == Role.MASTER;
  }

  /** The master's create revision (the fencing token), 0 when there is no master. */
  public long fencingToken() {
    return route.isEmpty() ? 0 : route.master().createRevision();
  }

  /** A copy of {@code member}'s metadata, or null when unknown. */
  public JsonObject metadataOf(String member) {
    JsonObject md = metadata.get(member);
    return md == null ? null : md.copy();
  }

  /** A copy of the master's metadata (where to reach it), or null when there is no master or it is unknown. */
  public JsonObject masterMetadata() {
    return route.isEmpty() ? null : metadataOf(route.master().member());
  }

  /**
   * The JSON shape above, a new object for each call (each event-bus consumer gets its own): the
   * metadata objects are copies.
   */
  public JsonObject toJson() {
    List<RouteEntry> list = route.entries();
    JsonArray entries = new JsonArray(new ArrayList<>(list.size()));
    for (RouteEntry e : list) {
      // Sized for an entry's 3-4 fields (the default map's table has 16 slots): a converging
      // member builds one per entry of every route it publishes, per consumer.
      JsonObject entry = new JsonObject(new LinkedHashMap<>(8)).put("member", e.member()).put("state", e.state())
          .put("createRevision", e.createRevision());
      JsonObject md = metadata.get(e.member());
      if (md != null) {
        entry.put("metadata", md.copy());
      }
      entries.add(entry);
    }
    return new JsonObject().put("member", member).put("item", item).put("revision", revision)
        .put("entries", entries).put("index", index).put("role", role.name()).put("removed", removed)
        .put("reason", reason);
  }

  /**
   * The route of {@code item} in {@code table} as a change published by {@code publisher}, which
   * holds no entry (index -1, role NONE); {@code removed} when the item does not exist.
   */
  public static RouteChange of(io.consensus.route.RoutingTable table, String publisher, String item) {
    Route r = table.routeOf(item);
    if (r == null) {
      return new RouteChange(publisher, item, table.revision(), Route.empty(item), -1, Role.NONE, true, ROUTE);
    }
    return new RouteChange(publisher, item, table.revision(), r, -1, Role.NONE, false, ROUTE, table.metadataOf(r));
  }

  /**
   * {@code routes}, routes of {@code table}, in the shape of a member's table reply:
   * {@code {"member": publisher, "revision", "routes": [route change (index -1, role NONE), ...]}}.
   */
  public static JsonObject tableJson(io.consensus.route.RoutingTable table, String publisher,
      List<Route> routes) {
    JsonArray out = new JsonArray();
    for (Route r : routes) {
      out.add(new RouteChange(publisher, r.item(), table.revision(), r, -1, Role.NONE, false, ROUTE,
          table.metadataOf(r)).toJson());
    }
    return new JsonObject().put("member", publisher).put("revision", table.revision()).put("routes", out);
  }

  /** Reads the JSON shape of {@link #toJson()}. */
  public static RouteChange fromJson(JsonObject json) {
    JsonArray arr = json.getJsonArray("entries", new JsonArray());
    List<RouteEntry> entries = new java.util.ArrayList<>();
    Map<String, JsonObject> metadata = new java.util.HashMap<>();
    for (int i = 0; i < arr.size(); i++) {
      JsonObject e = arr.getJsonObject(i);
      entries.add(new RouteEntry(e.getString("member"), e.getString("state", ""), e.getLong("createRevision", 0L),
          0, 0));
      JsonObject md = e.getJsonObject("metadata");
      if (md != null) {
        metadata.put(e.getString("member"), md);
      }
    }
    return new RouteChange(json.getString("member"), json.getString("item"), json.getLong("revision", 0L),
        new Route(json.getString("item"), entries), json.getInteger("index", -1),
        Role.valueOf(json.getString("role", "NONE")), json.getBoolean("removed", false),
        json.getString("reason", ROUTE), metadata);
  }
}
