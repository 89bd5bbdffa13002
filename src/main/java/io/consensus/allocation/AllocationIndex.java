package io.consensus.allocation;

import io.consensus.route.Items;
import io.consensus.route.Keys;
import io.consensus.route.Names;
import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import io.consensus.watch.WatchUpdate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * One member's classification of every item, kept up to date incrementally: a watch event
 * re-classifies only the items it touches, so its cost is proportional to those items, not
 * to all items. Pure: no I/O, no clock; fed trees, read by {@link AllocationDecider}.
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
public final class AllocationIndex {
  private final String member;
  private final long lease;
  private final int replicas;
  private final BiPredicate<String, String> readyForPromotion;
  private final TreeSet<String> fixedItems;

  private KeyTree tree;
  private Node membersNode;
  private int memberCount;
  private int rank = -1;
  private boolean memberPresent;
  private final Map<String, ItemSummary> items = new HashMap<>();
  // Masters per member across all items: lets a hand-off prefer a successor that wants more.
  private final Map<String, Integer> mastersByMember = new HashMap<>();
  // Items with fewer than R+1 entries, whoever holds them (for metrics).
  private int itemsShort;
  // Member keys without a lease, ignored as members (see isMember).
  private Set<String> leaselessMembers = Set.of();

  // Candidate sets, each a function of the summaries above.
  final IndexedSet empty = new IndexedSet();
  final IndexedSet shortStaffed = new IndexedSet();
  final IndexedSet myMasters = new IndexedSet();
  final IndexedSet myReplicas = new IndexedSet();
  final IndexedSet myExtras = new IndexedSet();
  final IndexedSet myReadyMasters = new IndexedSet();

  /**
   * @param member            this member's name
   * @param replicas          R
   * @param fixedItems        items that always exist
   * @param readyForPromotion whether a replica's state allows promoting it (item, state)
   */
  public AllocationIndex(String member, int replicas, Collection<String> fixedItems,
      BiPredicate<String, String> readyForPromotion) {
    this(member, 0, replicas, fixedItems, readyForPromotion);
  }

  /**
   * An index that counts as this member's own only entries on {@code lease}: entries of an
   * earlier incarnation (a lost lease, not yet expired) are doomed and not ours to act on.
   *
   * @param lease this member's current lease id, 0 to accept any
   */
  public AllocationIndex(String member, long lease, int replicas, Collection<String> fixedItems,
      BiPredicate<String, String> readyForPromotion) {
    this.lease = lease;
    this.member = Names.check("member", member);
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must be >= 0, was " + replicas);
    }
    this.replicas = replicas;
    this.fixedItems = new TreeSet<>(fixedItems);
    this.fixedItems.forEach(i -> Names.check("item", i));
    this.readyForPromotion = Objects.requireNonNull(readyForPromotion, "readyForPromotion");
  }

  /** Re-classifies every item of {@code newTree}; returns the items whose route changed or vanished. */
  public Set<String> rebuild(KeyTree newTree) {
    Set<String> all = new LinkedHashSet<>(items.keySet());
    Node itemsNode = Items.itemsNode(newTree);
    if (itemsNode != null) {
      itemsNode.forEachChild(n -> all.add(n.name()));
    }
    all.addAll(fixedItems);
    return update(newTree, all);
  }

  /**
   * Re-classifies the items named in {@code touched} against {@code newTree} (members are
   * always re-counted); returns those whose route changed or vanished.
   */
  public Set<String> update(KeyTree newTree, Collection<String> touched) {
    Node oldMembers = tree == null ? null : tree.child(Keys.MEMBER_PREFIX);
    this.tree = newTree;
    Node members = newTree.child(Keys.MEMBER_PREFIX);
    this.membersNode = members;
    if (members != oldMembers && !myMasters.isEmpty()) {
      // Readiness for hand-off depends on the replicas' member keys: re-check our masters.
      Set<String> more = new LinkedHashSet<>(touched);
      more.addAll(myMasters.all());
      touched = more;
    }
    Node me = members == null ? null : members.child(member);
    // A key of our name on another lease is another incarnation's (a restart that already
    // created it while we hand off): not ours, so we keep leaving.
    memberPresent = me != null && me.hasValue() && (lease == 0 || me.lease() == lease);
    if (members != oldMembers) {
      leaselessMembers = new java.util.TreeSet<>();
      memberCount = members == null ? 0 : countValid(members, leaselessMembers);
      rank = memberPresent ? rankOf(members) : -1;
    }
    Node itemsNode = Items.itemsNode(newTree);
    Set<String> changed = new LinkedHashSet<>();
    for (String item : touched) {
      ItemSummary old = items.get(item);
      ItemSummary now = Names.isValid(item) ? summarize(item, itemsNode == null ? null : itemsNode.child(item)) : null;
      if (old != null && now != null && old.equals(now)) {
        continue;
      }
      if (old != null) {
        unclassify(old);
      }
      if (now == null) {
        if (old != null) {
          items.remove(item);
          changed.add(item);
        }
        continue;
      }
      items.put(item, now);
      classify(now);
      if (old == null || !old.route().equals(now.route())) {
        changed.add(item);
      }
    }
    return changed;
  }

  /** Applies one watcher update: snapshots rebuild, changes touch only their items. */
  public Set<String> apply(KeyTree newTree, WatchUpdate update) {
    if (update instanceof WatchUpdate.Changes c) {
      return update(newTree, touchedItems(newTree, c.events()));
    }
    if (update instanceof WatchUpdate.Snapshot) {
      return rebuild(newTree);
    }
    this.tree = newTree;
    return Set.of();
  }

  /** Names of the items whose keys {@code events} touch. */
  public static Set<String> touchedItems(KeyTree tree, List<KeyEvent> events) {
    Set<String> out = new LinkedHashSet<>();
    for (KeyEvent e : events) {
      String[] segs = tree.segments(e.kv().key());
      if (segs.length >= 2 && segs[0].equals(Keys.ITEMS_PREFIX)) {
        out.add(segs[1]);
      }
    }
    return out;
  }

  /** This member's seniority: how many valid member keys were created before ours. */
  private int rankOf(Node members) {
    Node me = members.child(member);
    long mine = me.ownCreateRevision();
    int[] before = {0};
    members.forEachChild(c -> {
      if (isMember(c) && (c.ownCreateRevision() < mine
          || c.ownCreateRevision() == mine && c.name().compareTo(member) < 0)) {
        before[0]++;
      }
    });
    return before[0];
  }

  private static int countValid(Node members, Set<String> leaseless) {
    int[] n = {0};
    members.forEachChild(c -> {
      if (isMember(c)) {
        n[0]++;
      } else if (c.hasValue() && Names.isValid(c.name())) {
        leaseless.add(c.name());
      }
    });
    return n[0];
  }

  /**
   * Whether a child of {@code ROOT/members} is a member: a valid name holding a value on a
   * lease. A member key without a lease (written by hand) belongs to no process: it would
   * never take its share, so counting it would leave targets short of the items and the
   * fleet handing surplus masters around forever.
   */
  static boolean isMember(Node c) {
    return c.hasValue() && c.lease() != 0 && Names.isValid(c.name());
  }

  private ItemSummary summarize(String item, Node node) {
    boolean fixed = fixedItems.contains(item);
    if (node == null && !fixed) {
      return null;
    }
    Route route = Route.of(item, node);
    long marker = node != null && node.hasValue() ? node.ownCreateRevision() : 0;
    int index = route.index(member);
    RouteEntry mine = null;
    if (index >= 0) {
      Node own = node.child(member);
      // A directory of deeper keys named like us was written out of band: not our entry.
      // So is an entry on another lease (an earlier incarnation's, doomed to expire).
      mine = own.hasValue() && (lease == 0 || own.lease() == lease) ? route.entries().get(index) : null;
    }
    boolean ready = index == 0 && route.isReadyForHandoff(replicas, readyForPromotion) && replicasStay(route);
    return new ItemSummary(route, fixed, marker, index, mine, Role.of(index, replicas), ready);
  }

  /**
   * Whether the replicas a hand-off would rely on still hold their member keys: a replica
   * whose member is shutting down is about to release its entry and must not be counted.
   */
  private boolean replicasStay(Route route) {
    for (int i = 1; i <= replicas && i < route.size(); i++) {
      Node m = membersNode == null ? null : membersNode.child(route.entries().get(i).member());
      if (m == null || !isMember(m)) {
        return false;
      }
    }
    return true;
  }

  private void classify(ItemSummary s) {
    sets(s, true);
  }

  private void unclassify(ItemSummary s) {
    sets(s, false);
  }

  private void sets(ItemSummary s, boolean add) {
    String item = s.item();
    if (s.size() < replicas + 1) {
      itemsShort += add ? 1 : -1;
    }
    if (s.size() > 0) {
      mastersByMember.merge(s.route().master().member(), add ? 1 : -1, (a, b) -> a + b == 0 ? null : a + b);
    }
    List<IndexedSet> in = new ArrayList<>(2);
    if (s.myIndex() < 0) {
      if (s.size() == 0) {
        in.add(empty);
      } else if (s.size() < replicas + 1) {
        in.add(shortStaffed);
      }
    } else if (s.myEntry() != null) {
      switch (s.role()) {
        case MASTER -> {
          in.add(myMasters);
          if (s.readyForHandoff()) {
            in.add(myReadyMasters);
          }
        }
        case REPLICA -> in.add(myReplicas);
        default -> in.add(myExtras);
      }
    }
    for (IndexedSet set : in) {
      if (add) {
        set.add(item);
      } else {
        set.remove(item);
      }
    }
  }

  /** The summary of {@code item}, or null when it does not exist. */
  public ItemSummary summary(String item) {
    return items.get(item);
  }

  /** All existing items' summaries (unordered view). */
  public Collection<ItemSummary> summaries() {
    return java.util.Collections.unmodifiableCollection(items.values());
  }

  /** The tree the index was last fed. */
  public KeyTree tree() {
    return tree;
  }

  public String member() {
    return member;
  }

  public int replicas() {
    return replicas;
  }

  /** N: existing items. */
  public int itemCount() {
    return items.size();
  }

  /** M: member keys present. */
  public int memberCount() {
    return memberCount;
  }

  /**
   * Names under {@code ROOT/members} whose key holds no lease: not members, ignored in the
   * targets (for a warning by the owner).
   */
  public Set<String> leaselessMembers() {
    return java.util.Collections.unmodifiableSet(leaselessMembers);
  }

  /** Whether this member's key is present (on this member's lease, when one was given). */
  public boolean memberPresent() {
    return memberPresent;
  }

  /** Items whose master is {@code member}, as far as this view knows. */
  public int mastersOf(String member) {
    return mastersByMember.getOrDefault(member, 0);
  }

  public int mastersHeld() {
    return myMasters.size();
  }

  public int replicasHeld() {
    return myReplicas.size();
  }

  /** Entries this member holds in any position. */
  public int entriesHeld() {
    return myMasters.size() + myReplicas.size() + myExtras.size();
  }

  /** Items with fewer than R+1 entries. */
  public int itemsShortOfReplicas() {
    return itemsShort;
  }

  /** Items with no entry at all. */
  public int itemsWithoutMaster() {
    return empty.size();
  }

  /** This member's targets under the current view. */
  public Targets targets() {
    return Targets.of(itemCount(), memberCount, rank, replicas, memberPresent);
  }

  /** This member's seniority among present members (0 = earliest), -1 when its key is gone. */
  public int rank() {
    return rank;
  }

  /** Items this member holds an entry of, in any role. */
  public List<String> heldItems() {
    List<String> out = new ArrayList<>(entriesHeld());
    out.addAll(myMasters.all());
    out.addAll(myReplicas.all());
    out.addAll(myExtras.all());
    return out;
  }
}
