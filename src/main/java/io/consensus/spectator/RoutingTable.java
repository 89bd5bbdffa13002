package io.consensus.spectator;

import io.consensus.internal.route.Items;
import io.consensus.route.MemberInfo;
import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import io.consensus.verticle.RouteChange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The whole fleet's routes at one etcd revision, with every member's metadata: an immutable
 * snapshot, safe to keep and to read from any thread. Built on the persistent key tree, so
 * taking one costs nothing and a lookup is a walk down the tree.
 */
public final class RoutingTable {
  private final KeyTree tree;
  private final List<String> sortedFixedItems;
  private final Set<String> fixedItems;
  private final int replicas;
  private final Map<String, MemberInfo> members;

  private RoutingTable(KeyTree tree, List<String> sortedFixedItems, Set<String> fixedItems, int replicas,
      Map<String, MemberInfo> members) {
    this.tree = Objects.requireNonNull(tree, "tree");
    this.sortedFixedItems = sortedFixedItems;
    this.fixedItems = fixedItems;
    this.replicas = replicas;
    this.members = members;
  }

  /**
   * The table of {@code tree}.
   *
   * @param fixedItems the fleet's configured items (they exist even without keys)
   * @param replicas   the fleet's R
   * @param members    every known member by name (see {@link io.consensus.internal.route.MemberDirectory})
   */
  public static RoutingTable of(KeyTree tree, List<String> fixedItems, int replicas, Map<String, MemberInfo> members) {
    List<String> sorted = fixedItems.stream().sorted().distinct().toList();
    return new RoutingTable(tree, sorted, Set.copyOf(sorted), replicas,
        Collections.unmodifiableMap(new TreeMap<>(members)));
  }

  /** The table of a newer tree with the same fixed items and R: no copying of what did not change. */
  RoutingTable next(KeyTree newTree, Map<String, MemberInfo> sortedImmutableMembers) {
    return new RoutingTable(newTree, sortedFixedItems, fixedItems, replicas, sortedImmutableMembers);
  }

  /** The etcd revision this table reflects (0 before the first snapshot). */
  public long revision() {
    return tree.revision();
  }

  /** The fleet's R. */
  public int replicas() {
    return replicas;
  }

  /** The route of {@code item} (empty when nobody holds it yet), or null when the item does not exist. */
  public Route routeOf(String item) {
    Node items = Items.itemsNode(tree);
    Node node = items == null ? null : items.child(item);
    if (node == null && !fixedItems.contains(item)) {
      return null;
    }
    return Route.of(item, node);
  }

  /** The master's entry of {@code item}, or null when the item has none or does not exist. */
  public RouteEntry masterOf(String item) {
    Route r = routeOf(item);
    return r == null ? null : r.master();
  }

  /** What is known about the master of {@code item} (its metadata says where to reach it), or null. */
  public MemberInfo masterInfoOf(String item) {
    RouteEntry m = masterOf(item);
    return m == null ? null : members.get(m.member());
  }

  /** Every item in name order. */
  public List<String> items() {
    List<String> out = new ArrayList<>();
    Items.walk(tree, sortedFixedItems, (name, route) -> out.add(name));
    return out;
  }

  /** Every item's route in name order. */
  public List<Route> routes() {
    return Items.routes(tree, sortedFixedItems);
  }

  /** Every known member, present or leaving, by name in name order. */
  public Map<String, MemberInfo> members() {
    return members;
  }

  /** The key tree behind this table. */
  public KeyTree tree() {
    return tree;
  }

  /** Metadata of the route's members that are known, by name. */
  public Map<String, JsonObject> metadataOf(Route route) {
    Map<String, JsonObject> out = new HashMap<>();
    for (RouteEntry e : route.entries()) {
      MemberInfo info = members.get(e.member());
      if (info != null) {
        out.put(e.member(), info.metadata());
      }
    }
    return out;
  }

  /**
   * The route of {@code item} as a change published by {@code publisher} (which holds no
   * entry: index -1, role NONE), {@code removed} when the item does not exist.
   */
  public RouteChange change(String publisher, String item) {
    Route r = routeOf(item);
    if (r == null) {
      return new RouteChange(publisher, item, revision(), Route.empty(item), -1, Role.NONE, true, RouteChange.ROUTE);
    }
    return new RouteChange(publisher, item, revision(), r, -1, Role.NONE, false, RouteChange.ROUTE, metadataOf(r));
  }

  /** Counts of the fleet: items, members present, items without master, items short of R+1 entries. */
  public Counters counters() {
    int[] c = new int[3];
    Items.walk(tree, sortedFixedItems, (name, route) -> {
      c[0]++;
      if (route.isEmpty()) {
        c[1]++;
      }
      if (route.size() < replicas + 1) {
        c[2]++;
      }
    });
    int present = (int) members.values().stream().filter(MemberInfo::present).count();
    return new Counters(c[0], present, c[1], c[2]);
  }

  /** Fleet counts of one table. */
  public record Counters(int items, int members, int itemsWithoutMaster, int itemsShortOfReplicas) {
    public JsonObject toJson() {
      return new JsonObject().put("items", items).put("members", members)
          .put("itemsWithoutMaster", itemsWithoutMaster).put("itemsShortOfReplicas", itemsShortOfReplicas);
    }
  }

  /**
   * The table in the shape of a member's table reply: {@code {"member": publisher, "revision",
   * "routes": [route change, ...]}}.
   */
  public JsonObject toJson(String publisher) {
    JsonArray routes = new JsonArray();
    Items.walk(tree, sortedFixedItems, (name, route) -> routes.add(
        new RouteChange(publisher, name, revision(), route, -1, Role.NONE, false, RouteChange.ROUTE,
            metadataOf(route)).toJson()));
    return new JsonObject().put("member", publisher).put("revision", revision()).put("routes", routes);
  }
}
