package io.consensus.route;

import io.consensus.internal.route.Items;
import io.consensus.internal.route.Keys;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import io.consensus.tree.TouchedNodes;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The whole fleet's routes at one etcd revision, with every member's metadata: an immutable
 * snapshot, safe to keep and to read from any thread. The one routing-table model: a member
 * ({@code AllocatorVerticle.routingTable()}), a spectator ({@code RoutingTableVerticle.table()}),
 * the status page and the admin CLI all read this class.
 *
 * <p>Built on the persistent key tree, so taking one costs nothing and a lookup is a walk down
 * the tree; {@link #mastersOf}, {@link #itemsOf} and {@link #counters} read an index that a
 * follower of the watch keeps per revision with an {@link Update} (work per item the revision
 * touches); a table made by {@link #of} builds it on first use, in one walk.
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
  // Set once: given by the follower, else built on first use (a racy build is idempotent).
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
   * @param members    every known member by name
   */
  public static RoutingTable of(KeyTree tree, List<String> fixedItems, int replicas, Map<String, MemberInfo> members) {
    return of(tree, fixedItems, replicas, Map.of(), members);
  }

  /**
   * The table of {@code tree} (its index is built in one walk on first use: for a one-off read;
   * a follower of the watch starts from {@link #empty} and keeps it with {@link #update}).
   *
   * @param fixedItems   the fleet's configured items (they exist even without keys)
   * @param replicas     the fleet's R
   * @param itemReplicas R of the fixed items whose R differs from the fleet's
   * @param members      every known member by name
   */
  public static RoutingTable of(KeyTree tree, List<String> fixedItems, int replicas, Map<String, Integer> itemReplicas,
      Map<String, MemberInfo> members) {
    List<String> sorted = fixedItems.stream().sorted().distinct().toList();
    return new RoutingTable(tree, sorted, Set.copyOf(sorted), new ItemReplicas(replicas, itemReplicas),
        Collections.unmodifiableMap(new TreeMap<>(members)), null);
  }

  /**
   * The table of the fleet under {@code rootKey} before anything was read (revision 0, only the
   * fixed items, no member): where a follower of the watch starts.
   */
  public static RoutingTable empty(String rootKey, List<String> fixedItems, int replicas,
      Map<String, Integer> itemReplicas) {
    RoutingTable t = of(KeyTree.empty(rootKey), fixedItems, replicas, itemReplicas, Map.of());
    t.index();
    return t;
  }

  /**
   * The table of {@code next}, a newer tree of the same fleet, made a bounded step at a time:
   * only the items in {@code touched} (those the revisions between the two trees changed) and,
   * when {@code members} differs from this table's, the items of the members whose metadata
   * changed are looked at.
   *
   * @param members every known member by name, as of {@code next} (this table's own map when
   *                unchanged: then no metadata changed)
   * @param touched the items the revisions touched (read while the update runs: do not change it)
   */
  public Update update(KeyTree next, Map<String, MemberInfo> members, Set<String> touched) {
    return new Update(this, next, members, Objects.requireNonNull(touched, "touched"), null);
  }

  /**
   * As {@link #update(KeyTree, Map, Set)}, with the touched items' nodes as the patches from this
   * table's tree to {@code next} found them: each touched item's old and new route are read from
   * them, without searching either tree for it. Collected over other trees than these two (or
   * below another node than {@code ROOT/items}), only their names are used (the trees are
   * searched as by the other form).
   *
   * @param touched the children of {@code ROOT/items} the patches touched (read while the update
   *                runs: do not patch with it meanwhile)
   */
  public Update update(KeyTree next, Map<String, MemberInfo> members, TouchedNodes touched) {
    boolean spans = touched.startsAt(tree) && touched.endsAt(next) && touched.path().equals(Keys.ITEMS_PATH);
    return new Update(this, next, members, touched.names(), spans ? touched : null);
  }

  /**
   * The table of {@code next}, read from scratch a bounded step at a time (after a snapshot):
   * every item of this table and of {@code next} is looked at.
   */
  public Update rebuild(KeyTree next, Map<String, MemberInfo> members) {
    return new Update(this, next, members, null, null);
  }

  /** The index, built in one walk when this table was not given one. */
  RouteIndex index() {
    RouteIndex i = index;
    if (i == null) {
      RouteIndex.Builder b = new RouteIndex.Builder();
      Node items = Items.itemsNode(tree);
      Items.walk(tree, sortedFixedItems, (name, route) -> b.add(route, itemReplicas.of(name,
          items == null ? null : items.child(name))));
      i = b.done();
      index = i;
    }
    return i;
  }

  /** R of {@code item} in this table (its marker's, its configured, else the fleet's). */
  public int replicasOf(String item) {
    Node items = Items.itemsNode(tree);
    return itemReplicas.of(item, items == null ? null : items.child(item));
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
    return routeOf(item, items == null ? null : items.child(item));
  }

  private Route routeOf(String item, Node node) {
    return node == null && !fixedItems.contains(item) ? null : Route.of(item, node);
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

  /**
   * Up to {@code max} routes of the items that sort after {@code after} (null: from the first),
   * in name order: a reader walks a large table in bounded slices, resuming after the last item
   * it read (the table never changes under it).
   */
  public List<Route> routesAfter(String after, int max) {
    Node items = Items.itemsNode(tree);
    int n = items == null ? 0 : items.childCount();
    int i = after == null || items == null ? 0 : following(items.indexOf(after));
    int j = after == null ? 0 : following(Collections.binarySearch(sortedFixedItems, after));
    List<Route> out = new ArrayList<>(Math.min(max, 1024));
    while (out.size() < max && (i < n || j < sortedFixedItems.size())) {
      String node = i < n ? items.childAt(i).name() : null;
      String fixed = j < sortedFixedItems.size() ? sortedFixedItems.get(j) : null;
      int cmp = node == null ? 1 : fixed == null ? -1 : node.compareTo(fixed);
      if (cmp <= 0) {
        out.add(Route.of(node, items.childAt(i++)));
        if (cmp == 0) {
          j++;
        }
      } else {
        out.add(Route.empty(fixed));
        j++;
      }
    }
    return out;
  }

  /** The position after a search result: past the name when found, else its insertion point. */
  private static int following(int searchResult) {
    return searchResult >= 0 ? searchResult + 1 : -searchResult - 1;
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
    for (int i = 0; i < route.size(); i++) {
      MemberInfo info = members.get(route.memberAt(i));
      if (info != null) {
        out.put(info.name(), info.metadata());
      }
    }
    return out;
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
   * Brings a table to a newer tree a bounded step at a time ({@link #update}, {@link #rebuild}):
   * per item looked at, the old and new route are read from the two trees and the index edited;
   * the items whose route changed (or whose members' metadata changed) are collected. Not
   * thread-safe: one follower steps it; the tables are immutable.
   */
  public static final class Update {
    private final RoutingTable old;
    private final KeyTree next;
    private final Map<String, MemberInfo> members;
    private final Set<String> metadataChanged;
    private final Iterator<String> candidates;
    private final RouteIndex.Editor editor; // an update: edits the old index
    private final RouteIndex.Builder builder; // a rebuild: a new index, items in name order
    private final Node oldItems;
    private final Node newItems;
    private final TouchedNodes nodes; // the touched items' nodes, or null: search the trees
    private final List<String> changed = new ArrayList<>();
    private RoutingTable result;

    private Update(RoutingTable old, KeyTree next, Map<String, MemberInfo> members, Set<String> touched,
        TouchedNodes nodes) {
      this.old = old;
      this.nodes = nodes;
      this.next = Objects.requireNonNull(next, "next");
      this.members = members == old.members ? members : Collections.unmodifiableMap(new TreeMap<>(members));
      this.metadataChanged = metadataChanged(old.members, members);
      this.oldItems = Items.itemsNode(old.tree);
      this.newItems = Items.itemsNode(next);
      if (touched == null) {
        editor = null;
        builder = new RouteIndex.Builder();
        candidates = new MergedNames(oldItems, newItems, old.sortedFixedItems);
      } else {
        editor = old.index().edit();
        builder = null;
        candidates = metadataChanged.isEmpty() ? touched.iterator() : new TouchedThenHolders(touched);
      }
    }

    /** Looks at up to {@code maxItems} items; true once the new table is made. */
    public boolean step(int maxItems) {
      if (result != null) {
        return true;
      }
      for (int n = 0; n < maxItems && candidates.hasNext(); n++) {
        String item = candidates.next();
        TouchedNodes.Change c = nodes == null ? null : nodes.change(item);
        Node was = c != null ? c.before() : oldItems == null ? null : oldItems.child(item);
        Node now = c != null ? c.after() : newItems == null ? null : newItems.child(item);
        Route before = old.routeOf(item, was);
        Route after = old.routeOf(item, now);
        int r = old.itemReplicas.of(item, now);
        if (editor != null) {
          editor.replace(before, old.itemReplicas.of(item, was), after, r);
        } else {
          builder.add(after, r);
        }
        if (!Objects.equals(before, after) || after != null && holdsChangedMember(after)) {
          changed.add(item);
        }
      }
      if (candidates.hasNext()) {
        return false;
      }
      result = new RoutingTable(next, old.sortedFixedItems, old.fixedItems, old.itemReplicas, members,
          editor != null ? editor.done() : builder.done());
      return true;
    }

    /** The new table; only once {@link #step} said true. */
    public RoutingTable table() {
      if (result == null) {
        throw new IllegalStateException("update not finished");
      }
      return result;
    }

    /** The items whose route changed, or whose route holds a member whose metadata changed, in the order looked at. */
    public List<String> changed() {
      return Collections.unmodifiableList(changed);
    }

    private boolean holdsChangedMember(Route route) {
      if (metadataChanged.isEmpty()) {
        return false;
      }
      for (int i = 0; i < route.size(); i++) {
        if (metadataChanged.contains(route.memberAt(i))) {
          return true;
        }
      }
      return false;
    }

    /** Members whose metadata differs between two directories (appeared, changed or forgotten). */
    private static Set<String> metadataChanged(Map<String, MemberInfo> before, Map<String, MemberInfo> after) {
      if (before == after) {
        return Set.of();
      }
      Set<String> out = new LinkedHashSet<>();
      after.forEach((name, info) -> {
        MemberInfo was = before.get(name);
        if (was == null || !was.metadata().equals(info.metadata())) {
          out.add(name);
        }
      });
      before.keySet().stream().filter(n -> !after.containsKey(n)).forEach(out::add);
      return out;
    }

    /** The touched items, then the other items the members whose metadata changed held (each once). */
    private final class TouchedThenHolders implements Iterator<String> {
      private final Set<String> touched;
      private final Iterator<String> first;
      private final Iterator<String> members = metadataChanged.iterator();
      private final Set<String> seen = new HashSet<>();
      private Iterator<String> held = Collections.emptyIterator();
      private String pending;

      TouchedThenHolders(Set<String> touched) {
        this.touched = touched;
        this.first = touched.iterator();
      }

      @Override
      public boolean hasNext() {
        if (first.hasNext() || pending != null) {
          return true;
        }
        while (true) {
          while (held.hasNext()) {
            String item = held.next();
            if (!touched.contains(item) && seen.add(item)) {
              pending = item;
              return true;
            }
          }
          if (!members.hasNext()) {
            return false;
          }
          held = old.itemsOf(members.next()).iterator(); // a view of the old index, no copy
        }
      }

      @Override
      public String next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        if (first.hasNext()) {
          return first.next();
        }
        String item = pending;
        pending = null;
        return item;
      }
    }
  }

  /** The names of two item nodes' children and the fixed items, merged in name order, each once. */
  private static final class MergedNames implements Iterator<String> {
    private final Node a;
    private final Node b;
    private final List<String> fixed;
    private final int na;
    private final int nb;
    private int ia;
    private int ib;
    private int ic;

    MergedNames(Node a, Node b, List<String> fixed) {
      this.a = a;
      this.b = b;
      this.fixed = fixed;
      this.na = a == null ? 0 : a.childCount();
      this.nb = b == null ? 0 : b.childCount();
    }

    @Override
    public boolean hasNext() {
      return ia < na || ib < nb || ic < fixed.size();
    }

    @Override
    public String next() {
      String min = null;
      String x = ia < na ? a.childAt(ia).name() : null;
      String y = ib < nb ? b.childAt(ib).name() : null;
      String z = ic < fixed.size() ? fixed.get(ic) : null;
      for (String s : new String[] {x, y, z}) {
        if (s != null && (min == null || s.compareTo(min) < 0)) {
          min = s;
        }
      }
      if (min == null) {
        throw new NoSuchElementException();
      }
      if (min.equals(x)) {
        ia++;
      }
      if (min.equals(y)) {
        ib++;
      }
      if (min.equals(z)) {
        ic++;
      }
      return min;
    }
  }
}
