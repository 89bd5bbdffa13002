package io.consensus.spectator;

import io.consensus.internal.member.JsonSpecReader;
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
 * taking one costs nothing and a lookup is a walk down the tree; {@link #mastersOf},
 * {@link #itemsOf} and {@link #counters} read an index that a spectator maintains per revision
 * (a table made by {@link #of} builds it on first use, in one walk).
 *
 * <p>Counts use each item's own R: its marker's {@code {"replicas": N}}, else its configured
 * R as a fixed item, else the fleet's R, as the members count it.
 */
public final class RoutingTable {
  private final KeyTree tree;
  private final List<String> sortedFixedItems;
  private final Set<String> fixedItems;
  private final ItemReplicas itemReplicas;
  private final Map<String, MemberInfo> members;
  // Set once: given by the spectator, else built on first use (a racy build is idempotent).
  private volatile RouteIndex index;

  private RoutingTable(KeyTree tree, List<String> sortedFixedItems, Set<String> fixedItems, ItemReplicas itemReplicas,
      Map<String, MemberInfo> members, RouteIndex index) {
    this.tree = Objects.requireNonNull(tree, "tree");
    this.sortedFixedItems = sortedFixedItems;
    this.fixedItems = fixedItems;
    this.itemReplicas = itemReplicas;
    this.members = members;
    this.index = index;
  }

  /**
   * The table of {@code tree}, every item at the fleet's R unless its marker asks otherwise.
   *
   * @param fixedItems the fleet's configured items (they exist even without keys)
   * @param replicas   the fleet's R
   * @param members    every known member by name (see {@link io.consensus.internal.route.MemberDirectory})
   */
  public static RoutingTable of(KeyTree tree, List<String> fixedItems, int replicas, Map<String, MemberInfo> members) {
    return of(tree, fixedItems, replicas, Map.of(), members);
  }

  /**
   * The table of {@code tree}.
   *
   * @param fixedItems   the fleet's configured items (they exist even without keys)
   * @param replicas     the fleet's R
   * @param itemReplicas R of the fixed items whose R differs from the fleet's
   * @param members      every known member by name (see {@link io.consensus.internal.route.MemberDirectory})
   */
  public static RoutingTable of(KeyTree tree, List<String> fixedItems, int replicas, Map<String, Integer> itemReplicas,
      Map<String, MemberInfo> members) {
    List<String> sorted = fixedItems.stream().sorted().distinct().toList();
    return new RoutingTable(tree, sorted, Set.copyOf(sorted), itemReplicas(tree, replicas, itemReplicas),
        Collections.unmodifiableMap(new TreeMap<>(members)), null);
  }

  static ItemReplicas itemReplicas(KeyTree tree, int replicas, Map<String, Integer> fixed) {
    return new ItemReplicas(replicas, fixed, new JsonSpecReader(tree.rootKey()));
  }

  /** An empty table at revision 0 with the index of no items but the fixed ones. */
  static RoutingTable empty(KeyTree tree, List<String> sortedFixedItems, ItemReplicas itemReplicas) {
    RoutingTable t = new RoutingTable(tree, sortedFixedItems, Set.copyOf(sortedFixedItems), itemReplicas, Map.of(), null);
    t.index();
    return t;
  }

  /** The table of a newer tree with the same fixed items and R, and its index: no copying of what did not change. */
  RoutingTable next(KeyTree newTree, Map<String, MemberInfo> sortedImmutableMembers, RouteIndex newIndex) {
    return new RoutingTable(newTree, sortedFixedItems, fixedItems, itemReplicas, sortedImmutableMembers, newIndex);
  }

  /** The index, built in one walk when this table was not given one. */
  RouteIndex index() {
    RouteIndex i = index;
    if (i == null) {
      RouteIndex.Editor e = RouteIndex.EMPTY.edit();
      Node items = Items.itemsNode(tree);
      Items.walk(tree, sortedFixedItems, (name, route) -> e.add(route, itemReplicas.of(name,
          items == null ? null : items.child(name))));
      i = e.done();
      index = i;
    }
    return i;
  }

  /** R of {@code item} in this table (its marker's, its configured, else the fleet's). */
  public int replicasOf(String item) {
    Node items = Items.itemsNode(tree);
    return itemReplicas.of(item, items == null ? null : items.child(item));
  }

  /** Whether {@code item} is one of the configured (fixed) items. */
  boolean isFixed(String item) {
    return fixedItems.contains(item);
  }

  /** The fixed items, sorted. */
  List<String> sortedFixedItems() {
    return sortedFixedItems;
  }

  ItemReplicas itemReplicas() {
    return itemReplicas;
  }

  /** The items {@code member} masters, in name order (an immutable view: no copy, no walk over other items). */
  public List<String> mastersOf(String member) {
    return index().mastersOf(member).asList();
  }

  /** The items in whose route {@code member} has an entry (master or replica), in name order. */
  public List<String> itemsOf(String member) {
    return index().itemsOf(member).asList();
  }

  /** The members that hold at least one entry, present or not. */
  public Set<String> holders() {
    return Collections.unmodifiableSet(index().holders());
  }

  /** The etcd revision this table reflects (0 before the first snapshot). */
  public long revision() {
    return tree.revision();
  }

  /** The fleet's R (an item's own R: {@link #replicasOf}). */
  public int replicas() {
    return itemReplicas.fleet();
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

  /**
   * Counts of the fleet: items, members present, items without master, items short of their
   * own R+1 entries.
   */
  public Counters counters() {
    RouteIndex i = index();
    int present = (int) members.values().stream().filter(MemberInfo::present).count();
    return new Counters(i.items, present, i.withoutMaster, i.shortOfReplicas);
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
