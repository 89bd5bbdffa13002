package io.consensus.internal.allocation;

import io.consensus.internal.route.Items;
import io.consensus.internal.route.Keys;
import io.consensus.internal.route.Names;
import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import io.consensus.tree.WatchUpdate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
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
  private Node itemsNode;
  private Node membersNode;
  // Between begin and end: the member keys changed (zone doubling is re-derived at the end).
  private boolean membersChanged;
  private long reclassified;
  private int memberCount;
  private int rank = -1;
  private boolean memberPresent;
  // One summary per item of the fleet: a compact table (no entry object per item).
  private final ItemTable<ItemSummary> items = new ItemTable<>(ItemSummary::item);
  // Masters per member across all items: lets a hand-off prefer a successor that wants more.
  private final Map<String, Integer> mastersByMember = new HashMap<>();
  // Entries per member across all items: lets an over-full member see who can take a replica.
  private final Map<String, Integer> entriesByMember = new HashMap<>();
  // Targets of present members, recomputed when the members, their specs, N or the slots change.
  private Placement placement;
  private Node placementMembers;
  private Node placementDrained;
  private int placementItems = -1;
  private long placementSlots = -1;
  // Member specs parsed from member key values, by member name: the value they were read from.
  private final Map<String, Map.Entry<String, MemberSpec>> specCache = new HashMap<>();
  private SpecReader specs = SpecReader.NONE;
  private Map<String, Integer> fixedReplicas = Map.of();
  // ROOT/drained (operators' drains) and whether ROOT/maintenance is present.
  private Node drainedNode;
  private boolean maintenance;
  // S: the entries all items want (sum of R+1), and how many items want each R+1.
  private long slots;
  private final TreeMap<Integer, Integer> slotsHistogram = new TreeMap<>();
  private int maxReplicas;
  // The lease of this member's declared restart (ROOT/restarts/<member>), 0 when none.
  private long restartLease;
  // Whether any member has declared a restart that is still pending (ROOT/restarts/...).
  private boolean restartsPending;
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
  // Entries of this member's name waiting on its declared restart lease: to adopt.
  final IndexedSet myAdoptable = new IndexedSet();
  // Replicas of fully staffed items where an earlier entry has this member's zone (zone rule 16).
  final IndexedSet myDoubled = new IndexedSet();
  // Entries of this member's name on some other lease (an earlier incarnation still stopping).
  final IndexedSet myForeign = new IndexedSet();
  // This member's entries whose stored state is not ready for promotion: loads in progress.
  final IndexedSet myLoading = new IndexedSet();

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
    this.maxReplicas = replicas;
  }

  /**
   * Reads member specs and item marker replica counts with {@code reader} (default
   * {@link SpecReader#NONE}: no spec anywhere). Set before the first {@link #rebuild}.
   */
  public AllocationIndex specs(SpecReader reader) {
    this.specs = Objects.requireNonNull(reader, "reader");
    return this;
  }

  /**
   * Replica counts of fixed items that differ from the fleet's R (an item's marker value, when it
   * asks for one, wins). Set before the first {@link #rebuild}.
   */
  public AllocationIndex fixedReplicas(Map<String, Integer> replicasByItem) {
    replicasByItem.forEach((i, r) -> {
      if (r < 0) {
        throw new IllegalArgumentException("replicas of item " + i + " must be >= 0, was " + r);
      }
    });
    this.fixedReplicas = Map.copyOf(replicasByItem);
    this.fixedReplicas.values().forEach(r -> maxReplicas = Math.max(maxReplicas, r));
    return this;
  }

  /** Re-classifies every item of {@code newTree}; returns the items whose route changed or vanished. */
  public Set<String> rebuild(KeyTree newTree) {
    Set<String> changed = reclassifyAll(beginRebuild(newTree));
    end();
    return changed;
  }

  /**
   * Re-classifies the items named in {@code touched} against {@code newTree} (members are
   * always re-counted); returns those whose route changed or vanished.
   */
  public Set<String> update(KeyTree newTree, Collection<String> touched) {
    Set<String> changed = reclassifyAll(begin(newTree, touched));
    end();
    return changed;
  }

  private Set<String> reclassifyAll(Iterator<String> work) {
    Set<String> changed = new LinkedHashSet<>();
    List<String> chunk = new ArrayList<>();
    while (work.hasNext()) {
      chunk.add(work.next());
      if (chunk.size() == 256 || !work.hasNext()) {
        changed.addAll(reclassify(chunk));
        chunk.clear();
      }
    }
    return changed;
  }

  /**
   * Starts bringing the index to {@code newTree} in steps (for a caller that slices its work):
   * re-counts the members and returns every item to re-classify, {@code touched} and those the
   * members or a restart declaration touch, each once, listed lazily (a revision deleting a
   * member's 75,000 entries is not copied at once). Pass them to {@link #reclassify} in any
   * chunks, then call {@link #end}. Until then the index is half way and not for deciding.
   */
  public Iterator<String> begin(KeyTree newTree, Collection<String> touched) {
    String[] more = {};
    Node oldMembers = tree == null ? null : tree.child(Keys.MEMBER_PREFIX);
    this.tree = newTree;
    this.itemsNode = Items.itemsNode(newTree);
    Node members = newTree.child(Keys.MEMBER_PREFIX);
    this.membersNode = members;
    if (members != oldMembers && !myMasters.isEmpty()) {
      // Readiness for hand-off depends on the replicas' member keys: re-check our masters.
      more = myMasters.all().toArray(new String[0]);
    }
    Node me = members == null ? null : members.child(member);
    // A key of our name on another lease is another incarnation's (a restart that already
    // created it while we hand off): not ours, so we keep leaving.
    memberPresent = me != null && me.hasValue() && (lease == 0 || me.lease() == lease);
    if (members != oldMembers) {
      leaselessMembers = new java.util.TreeSet<>();
      memberCount = members == null ? 0 : countValid(members, leaselessMembers);
      rank = memberPresent ? rankOf(members) : -1;
      membersChanged = true;
    }
    drainedNode = newTree.child(Keys.DRAINED_PREFIX);
    Node maint = newTree.child(Keys.MAINTENANCE);
    maintenance = maint != null && maint.hasValue();
    Node restarts = newTree.child(Keys.RESTARTS_PREFIX);
    restartsPending = restarts != null && restarts.childCount() > 0;
    long declared = declaredRestartLease(newTree);
    if (declared != restartLease) {
      restartLease = declared;
      // Entries on the declared lease become adoptable (or stop being so): re-check our items.
      more = items.items();
    }
    return touchedThen(touched, more);
  }

  /** {@code touched}, then those of {@code more} not in it (a set: it is looked up, not copied). */
  private static Iterator<String> touchedThen(Collection<String> touched, String[] more) {
    if (more.length == 0) {
      return touched.iterator();
    }
    Set<String> first = touched instanceof Set<String> set ? set : new LinkedHashSet<>(touched);
    Iterator<String> head = first.iterator();
    return new LazyNames() {
      private int i;

      @Override
      boolean exhausted() {
        return !head.hasNext() && i >= more.length;
      }

      @Override
      String candidate() {
        if (head.hasNext()) {
          return head.next();
        }
        String m = more[i++];
        return first.contains(m) ? null : m;
      }
    };
  }

  /**
   * Names produced one candidate at a time, skipping the candidates that come back null: the
   * lazy lists of items to re-classify, which a caller slicing the work never walks at once.
   */
  private abstract static class LazyNames implements Iterator<String> {
    private String next;

    /** Whether no candidate is left. */
    abstract boolean exhausted();

    /** The next candidate, or null to skip it (called only when not {@link #exhausted()}). */
    abstract String candidate();

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (exhausted()) {
          return false;
        }
        next = candidate();
      }
      return true;
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      String out = next;
      next = null;
      return out;
    }
  }

  /**
   * Starts a rebuild against {@code newTree} (as {@link #begin}): the items to re-classify are
   * every item of the tree, every fixed item and every item the index knew, each once, listed
   * lazily so that a caller slicing the work never walks them all at once.
   */
  public Iterator<String> beginRebuild(KeyTree newTree) {
    begin(newTree, List.of());
    Node node = itemsNode;
    Iterator<String> fixed = fixedItems.iterator();
    String[] known = items.items();
    return new LazyNames() {
      private int inTree;
      private int inKnown;

      @Override
      boolean exhausted() {
        return (node == null || inTree >= node.childCount()) && !fixed.hasNext() && inKnown >= known.length;
      }

      @Override
      String candidate() {
        if (node != null && inTree < node.childCount()) {
          return node.childAt(inTree++).name();
        } else if (fixed.hasNext()) {
          String f = fixed.next();
          return node != null && node.child(f) != null ? null : f;
        }
        String k = known[inKnown++];
        return node != null && node.child(k) != null || fixedItems.contains(k) ? null : k;
      }
    };
  }

  /**
   * Re-classifies {@code chunk} against the tree of the last {@link #begin}; returns the items
   * whose route changed or vanished.
   */
  public Set<String> reclassify(Collection<String> chunk) {
    Set<String> changed = new LinkedHashSet<>();
    for (String item : chunk) {
      reclassified++;
      ItemSummary old = items.get(item);
      // A name the index holds was checked when it came in.
      ItemSummary now = old != null || Names.isValid(item)
          ? summarize(item, itemsNode == null ? null : itemsNode.child(item)) : null;
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
      items.put(now);
      classify(now);
      if (old == null || !old.route().equals(now.route())) {
        changed.add(item);
      }
    }
    return changed;
  }

  /** Finishes what {@link #begin} started, once every item it returned was re-classified. */
  public void end() {
    if (membersChanged) {
      membersChanged = false;
      // Zones live in member key values: which replicas are doubled in a zone may have changed.
      myDoubled.clear();
      for (String item : myReplicas.all()) {
        if (doubledInZone(items.get(item))) {
          myDoubled.add(item);
        }
      }
    }
  }

  /**
   * Items re-classified since this index was made: a count of the work updates did, for tests
   * that check an update costs work proportional to the items it touches.
   */
  public long reclassified() {
    return reclassified;
  }

  /** The lease this index counts entries of as this member's own (0: any). */
  public long lease() {
    return lease;
  }

  /** Whether this member's replica entry shares its zone with an earlier entry of a fully staffed item. */
  private boolean doubledInZone(ItemSummary s) {
    if (!s.mine() || s.role() != Role.REPLICA || s.size() != s.replicas() + 1) {
      return false;
    }
    MemberSpec me = specOf(member);
    if (me == null || me.zone() == null) {
      return false;
    }
    List<RouteEntry> entries = s.route().entries();
    for (int i = 0; i < s.myIndex(); i++) {
      MemberSpec other = specOf(entries.get(i).member());
      if (other != null && me.zone().equals(other.zone())) {
        return true;
      }
    }
    return false;
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
      String item = itemOf(tree, e.kv().key());
      if (item != null) {
        out.add(item);
      }
    }
    return out;
  }

  /** The item whose key {@code key} is ({@code ROOT/items/<item>[/...]}), or null; without splitting the key. */
  public static String itemOf(KeyTree tree, String key) {
    String root = tree.rootKey();
    int from = root.length() + 1 + Keys.ITEMS_PREFIX.length() + 1;
    if (key.length() < from || !key.startsWith(root) || key.charAt(root.length()) != '/'
        || !key.startsWith(Keys.ITEMS_PREFIX, root.length() + 1) || key.charAt(from - 1) != '/') {
      return null;
    }
    int slash = key.indexOf('/', from);
    return key.substring(from, slash < 0 ? key.length() : slash);
  }

  /**
   * The lease of this member's restart declaration {@code ROOT/restarts/<member>}: its value is
   * the lease id its entries wait on, and the key itself lives on that lease. 0 when none.
   */
  private long declaredRestartLease(KeyTree t) {
    Node d = t.child(Keys.RESTARTS_PREFIX, member);
    if (d == null || !d.hasValue()) {
      return 0;
    }
    try {
      long l = Long.parseLong(d.value().trim());
      return l != 0 && l == d.lease() && l != lease ? l : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
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
    boolean adoptable = false;
    if (index >= 0) {
      RouteEntry e = route.entries().get(index);
      // A directory of deeper keys named like us was written out of band: not our entry
      // (it has no key of its own: mod revision 0). So is an entry on another lease (an
      // earlier incarnation's, doomed to expire), unless that incarnation declared a restart
      // and left it on the declared lease for us to adopt.
      boolean key = e.modRevision() > 0;
      mine = key && (lease == 0 || e.lease() == lease) ? e : null;
      adoptable = key && mine == null && restartLease != 0 && e.lease() == restartLease;
    }
    int r = replicasOf(item, node, fixed);
    boolean ready = index == 0 && route.isReadyForHandoff(r, readyForPromotion) && replicasStay(route, r);
    boolean foreign = index >= 0 && mine == null && !adoptable && route.entries().get(index).modRevision() > 0;
    return new ItemSummary(route, fixed, marker, index, mine != null, ready, adoptable, r, foreign);
  }

  /**
   * Whether the replicas a hand-off would rely on still hold their member keys: a replica
   * whose member is shutting down is about to release its entry and must not be counted.
   */
  private boolean replicasStay(Route route, int r) {
    for (int i = 1; i <= r && i < route.size(); i++) {
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

  /**
   * R of {@code item}: what its marker's value asks for, else its configured replicas as a fixed
   * item, else the fleet's R.
   */
  private int replicasOf(String item, Node node, boolean fixed) {
    if (node != null && node.hasValue() && !node.value().isBlank()) {
      int r = specs.replicas(item, node.value());
      if (r >= 0) {
        return r;
      }
    }
    Integer f = fixed ? fixedReplicas.get(item) : null;
    return f != null ? f : replicas;
  }

  private void sets(ItemSummary s, boolean add) {
    String item = s.item();
    int r = s.replicas();
    if (s.size() < r + 1) {
      itemsShort += add ? 1 : -1;
    }
    slots += add ? r + 1 : -(r + 1);
    slotsHistogram.merge(r + 1, add ? 1 : -1, (a, b) -> a + b == 0 ? null : a + b);
    if (add && r > maxReplicas) {
      maxReplicas = r;
    }
    if (s.size() > 0) {
      mastersByMember.merge(s.route().master().member(), add ? 1 : -1, (a, b) -> a + b == 0 ? null : a + b);
      for (RouteEntry e : s.route().entries()) {
        entriesByMember.merge(e.member(), add ? 1 : -1, (a, b) -> a + b == 0 ? null : a + b);
      }
    }
    if (!add) {
      myDoubled.remove(item);
    } else if (doubledInZone(s)) {
      myDoubled.add(item);
    }
    if (s.adoptable()) {
      if (add) {
        myAdoptable.add(item);
      } else {
        myAdoptable.remove(item);
      }
    }
    if (s.foreign()) {
      if (add) {
        myForeign.add(item);
      } else {
        myForeign.remove(item);
      }
    }
    if (s.mine() && !readyForPromotion.test(item, s.myEntry().state())) {
      if (add) {
        myLoading.add(item);
      } else {
        myLoading.remove(item);
      }
    }
    List<IndexedSet> in = new ArrayList<>(2);
    if (s.myIndex() < 0) {
      if (s.size() == 0) {
        in.add(empty);
      } else if (s.size() < r + 1) {
        in.add(shortStaffed);
      }
    } else if (s.mine()) {
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

  /** How many of this member's entries have a stored state not ready for promotion (loading). */
  public int loadingEntries() {
    return myLoading.size();
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

  /** Entries {@code member} holds in any position, as far as this view knows. */
  public int entriesOf(String member) {
    return entriesByMember.getOrDefault(member, 0);
  }

  /** The master target of present member {@code member}, -1 when its member key is absent. */
  public int masterTargetOf(String member) {
    Targets t = placement().of(member);
    return t == null ? -1 : t.masters();
  }

  /** The total target of present member {@code member}, -1 when its member key is absent. */
  public int totalTargetOf(String member) {
    Targets t = placement().of(member);
    return t == null ? -1 : t.total();
  }

  /** Present members (valid member keys) in seniority order. */
  public List<String> presentMembers() {
    return new ArrayList<>(placement().all().keySet());
  }

  /** The targets of every present member, recomputed when members, specs, N or the slots change. */
  public Placement placement() {
    if (placement == null || placementMembers != membersNode || placementDrained != drainedNode
        || placementItems != itemCount() || placementSlots != slots) {
      placementMembers = membersNode;
      placementDrained = drainedNode;
      placementItems = itemCount();
      placementSlots = slots;
      placement = computePlacement();
    }
    return placement;
  }

  private Placement computePlacement() {
    List<Node> present = new ArrayList<>();
    if (membersNode != null) {
      membersNode.forEachChild(c -> {
        if (isMember(c)) { // a key without a lease is not a member
          present.add(c);
        }
      });
    }
    present.sort(java.util.Comparator.comparingLong(Node::ownCreateRevision).thenComparing(Node::name));
    List<Placement.Candidate> seniority = new ArrayList<>(present.size());
    Set<String> names = new java.util.HashSet<>();
    for (Node n : present) {
      names.add(n.name());
      seniority.add(new Placement.Candidate(n.name(), specOf(n)));
    }
    specCache.keySet().retainAll(names);
    return Placement.of(seniority, itemCount(), slots, this::slotsCappedAt);
  }

  /** The spec of a present member: its key's value as read, drained too when an operator drained it. */
  private MemberSpec specOf(Node memberNode) {
    String name = memberNode.name();
    String value = memberNode.value();
    Map.Entry<String, MemberSpec> cached = specCache.get(name);
    MemberSpec spec;
    if (cached != null && cached.getKey().equals(value)) {
      spec = cached.getValue();
    } else {
      spec = specs.member(name, value);
      specCache.put(name, Map.entry(value, spec));
    }
    Node d = drainedNode == null ? null : drainedNode.child(name);
    return d != null && d.hasValue() ? spec.withDrained(true) : spec;
  }

  /** The spec of present member {@code member} (drains included), null when it is not present. */
  public MemberSpec specOf(String member) {
    Node n = membersNode == null ? null : membersNode.child(member);
    return n == null || !n.hasValue() ? null : specOf(n);
  }

  private long slotsCappedAt(int entries) {
    long out = 0;
    for (Map.Entry<Integer, Integer> e : slotsHistogram.entrySet()) {
      out += (long) Math.min(e.getKey(), entries) * e.getValue();
    }
    return out;
  }

  /** Slots the fleet wants that its members' item limits leave no room for. */
  public long unattainableSlots() {
    return placement().unattainableSlots();
  }

  /** Whether {@code ROOT/maintenance} is present: no balancing moves. */
  public boolean maintenance() {
    return maintenance;
  }

  /** This member's own spec (drains included); the default when its key is absent. */
  public MemberSpec mySpec() {
    MemberSpec s = specOf(member);
    return s == null ? MemberSpec.DEFAULT : s;
  }

  /** Whether this member is drained (its own spec or an operator's drain key). */
  public boolean drained() {
    return mySpec().drained();
  }

  /**
   * How many more entries this member may take: its item limit minus what it holds (0 when
   * drained), {@code Integer.MAX_VALUE} without a limit.
   */
  public int room() {
    MemberSpec s = mySpec();
    if (s.drained()) {
      return 0;
    }
    return s.limited() ? Math.max(0, s.itemLimit() - entriesHeld()) : Integer.MAX_VALUE;
  }

  /** The largest R of any item (at least the fleet's R). */
  public int maxReplicas() {
    return maxReplicas;
  }

  /** The lease of this member's declared restart whose entries it may adopt, 0 when none. */
  public long restartLease() {
    return restartLease;
  }

  /** Whether some member stopping for a restart (or away within its grace) is expected back. */
  public boolean restartsPending() {
    return restartsPending;
  }

  /**
   * Whether the previous incarnation's restart is fully taken over: a restart is declared, nothing
   * on its lease is left to adopt, and no entry of this member's name waits on any other lease
   * (an incarnation still stopping moves its entries onto the declared lease last).
   */
  public boolean restartAdopted() {
    return restartLease != 0 && myAdoptable.isEmpty() && myForeign.isEmpty() && memberPresent;
  }

  /** Entries left on the declared restart lease, not adopted yet. */
  public int adoptable() {
    return myAdoptable.size();
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

  /** This member's targets under the current view: 0 and 0 once its member key is gone. */
  public Targets targets() {
    Targets t = memberPresent ? placement().of(member) : null;
    return t == null ? new Targets(0, 0) : t;
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
