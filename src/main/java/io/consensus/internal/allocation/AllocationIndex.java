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
import io.consensus.tree.TouchedNodes;
import io.consensus.tree.WatchUpdate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * One member's classification of every item, kept up to date incrementally: a watch event
 * re-classifies only the items it touches, so its cost is proportional to those items, not
 * to all items. Pure: no I/O, no clock; fed trees, read by {@link AllocationDecider}.
 *
 * <p>A façade over the parts that each keep one thing: the item summaries ({@link ItemSummarizer}
 * reads them), the candidate sets the rules choose from ({@link Candidates}), masters and entries
 * per member ({@link MemberLoad}), who stands first behind each master ({@link FirstReplicaCounts}),
 * who the members are ({@link Membership}), their specs ({@link MemberSpecs}) and the slots and
 * targets ({@link FleetTargets}).
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
public final class AllocationIndex {
  /**
   * A revision touching this many items or more is re-classified with the items this member now
   * masters first (its application hears of them in the first slices); smaller ones in the order
   * touched (they fit a slice or a few).
   */
  static final int NEW_MASTERS_FIRST_FROM = 1_024;
  private final String member;
  private final long lease;
  private final int replicas;
  // The fixed items in name order (a snapshot's reclassify order) and as a hash set for an item new
  // to the index (one it holds keeps the answer in its summary): a TreeSet's descent of 100,000
  // names per touched item was 9 % of a member's CPU converging at 100,000 x 4 (JFR, session 5).
  private final List<String> fixedInOrder;
  private final Set<String> fixedItems;
  private final ItemSummarizer summarizer;
  private Map<String, Integer> fixedReplicas = Map.of();

  private KeyTree tree;
  private Node itemsNode;
  // The touched items' nodes in the tree of the last begin, as its patch found them; null: search.
  private TouchedNodes touchedNodes;
  // Between begin and end: the member keys changed (zone doubling is re-derived at the end).
  private boolean membersChanged;
  private long reclassified;
  // Whether ROOT/maintenance is present.
  private boolean maintenance;
  // The lease of this member's declared restart (ROOT/restarts/<member>), 0 when none.
  private long restartLease;
  // Whether any member has declared a restart that is still pending (ROOT/restarts/...).
  private boolean restartsPending;
  // Items with fewer than R+1 entries, whoever holds them (for metrics).
  private int itemsShort;
  // One summary per item of the fleet: a compact table (no entry object per item).
  private final ItemTable<ItemSummary> items = new ItemTable<>(ItemSummary::item);
  private final Candidates candidates;
  private final MemberLoad load = new MemberLoad();
  private final FirstReplicaCounts firstReplicas = new FirstReplicaCounts();
  private final Membership membership;
  private final MemberSpecs specs = new MemberSpecs();
  private final FleetTargets targets;
  // The zone of every member key that declares one: zone doubling is read from it per item.
  private Map<String, String> zones = Map.of();
  // Between begin and end: some member's zone changed (zone-doubled items are re-derived at the end).
  private boolean zonesChanged;

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
    this.candidates = new Candidates(replicas);
    this.fixedInOrder = fixedItems.stream().sorted().distinct().toList();
    this.fixedInOrder.forEach(i -> Names.check("item", i));
    this.fixedItems = Set.copyOf(this.fixedInOrder);
    this.summarizer = new ItemSummarizer(member, lease, replicas, this.fixedItems,
        Objects.requireNonNull(readyForPromotion, "readyForPromotion"));
    this.membership = new Membership(member, lease);
    this.targets = new FleetTargets(replicas);
  }

  /**
   * Reads member specs and item marker replica counts with {@code reader} (default
   * {@link SpecReader#NONE}: no spec anywhere). Set before the first {@link #rebuild}.
   */
  public AllocationIndex specs(SpecReader reader) {
    specs.reader(reader);
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
    this.fixedReplicas.values().forEach(targets::atLeast);
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
        changed.addAll(reclassify(chunk).items());
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
    touchedNodes = null;
    return beginReading(newTree, touched, null);
  }

  /**
   * As {@link #begin(KeyTree, Collection)}, with the touched items' nodes as the patch that made
   * {@code newTree} found them: {@link #reclassify} reads a touched item's node there instead of
   * searching the items node (100,000 children) for it. Nodes collected up to another tree are
   * not used (the tree is searched).
   */
  public Iterator<String> begin(KeyTree newTree, TouchedNodes touched) {
    boolean usable = touched.endsAt(newTree) && touched.path().equals(Keys.ITEMS_PATH);
    touchedNodes = usable ? touched : null;
    return beginReading(newTree, touched.names(), usable && touched.names().size() >= NEW_MASTERS_FIRST_FROM
        ? touched : null);
  }

  /** {@code nodes}: the touched items' nodes, given when their new masters go first; else null. */
  private Iterator<String> beginReading(KeyTree newTree, Collection<String> touched, TouchedNodes nodes) {
    String[] more = {};
    this.tree = newTree;
    this.itemsNode = Items.itemsNode(newTree);
    boolean membersMoved = membership.read(newTree.child(Keys.MEMBER_PREFIX));
    if (membersMoved && !candidates.myMasters().isEmpty()) {
      // Readiness for hand-off depends on the replicas' member keys: re-check our masters.
      more = candidates.myMasters().all().toArray(new String[0]);
    }
    specs.drained(newTree.child(Keys.DRAINED_PREFIX));
    if (membersMoved) {
      membersChanged = true;
      rezone();
    }
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
    return nodes != null ? ReclassifyOrder.newMastersFirst(nodes, member, more)
        : ReclassifyOrder.touchedThen(touched, more);
  }

  /**
   * Starts a rebuild against {@code newTree} (as {@link #begin}): the items to re-classify are
   * every item of the tree, every fixed item and every item the index knew, each once, listed
   * lazily so that a caller slicing the work never walks them all at once.
   */
  public Iterator<String> beginRebuild(KeyTree newTree) {
    begin(newTree, List.of());
    return ReclassifyOrder.everyItem(itemsNode, fixedInOrder, fixedItems, items.items());
  }

  /**
   * Re-classifies {@code chunk} against the tree of the last {@link #begin}; returns the items
   * whose route changed or vanished, with their new summaries.
   */
  public Reclassified reclassify(Collection<String> chunk) {
    Reclassified changed = new Reclassified(chunk.size());
    for (String item : chunk) {
      reclassified++;
      ItemSummary old = items.get(item);
      Node node = nodeOf(item);
      ItemSummary now;
      if (old != null) { // its name was checked, and whether it is fixed known, when it came in
        now = summarizer.summarize(item, old.fixed(), node, restartLease, membership, specs.reader(), fixedReplicas);
      } else {
        now = Names.isValid(item)
            ? summarizer.summarize(item, node, restartLease, membership, specs.reader(), fixedReplicas) : null;
      }
      if (old != null && now != null && old.equals(now)) {
        continue;
      }
      if (now == null) {
        if (old != null) {
          classify(old, null);
          items.remove(item);
          changed.add(item, null);
        }
        continue;
      }
      items.put(now);
      classify(old, now);
      if (old == null || !old.route().equals(now.route())) {
        changed.add(item, now);
      }
    }
    return changed;
  }

  /** The node of {@code item} in the tree of the last begin: as its patch found it, else searched. */
  private Node nodeOf(String item) {
    TouchedNodes.Change c = touchedNodes == null ? null : touchedNodes.change(item);
    if (c != null) {
      return c.after();
    }
    return itemsNode == null ? null : itemsNode.child(item);
  }

  /**
   * Reads every member key's zone. A member that joins or leaves changes no item's doubling (a
   * joiner holds nothing yet; a leaver's entries are re-classified as they go): only a zone that
   * changed for a member present before and after calls for re-deriving every item's.
   */
  private void rezone() {
    Map<String, String> now = new java.util.HashMap<>();
    Node node = membership.node();
    if (node != null) {
      node.forEachChild(c -> {
        if (c.hasValue()) {
          String z = specs.of(c).zone();
          if (z != null) {
            now.put(c.name(), z);
          }
        }
      });
    }
    for (Map.Entry<String, String> e : zones.entrySet()) {
      Node c = membership.key(e.getKey());
      if (c != null && c.hasValue() && !e.getValue().equals(now.get(e.getKey()))) {
        zonesChanged = true;
      }
    }
    zones = now.isEmpty() ? Map.of() : now;
  }

  /** The zone of member {@code member} as its key declares it, null when none (or no key). */
  String zoneOf(String member) {
    return zones.get(member);
  }

  /** Whether two of the first R+1 entries of {@code s} share a zone. */
  private boolean zoneDoubled(ItemSummary s) {
    if (zones.isEmpty() || s.size() < s.replicas() + 1 || s.replicas() == 0) {
      return false;
    }
    List<RouteEntry> entries = s.route().entries();
    String[] seen = new String[s.replicas() + 1]; // R+1 is small: pairwise, no set per item
    for (int i = 0; i <= s.replicas(); i++) {
      String z = zones.get(entries.get(i).member());
      for (int j = 0; z != null && j < i; j++) {
        if (z.equals(seen[j])) {
          return true;
        }
      }
      seen[i] = z;
    }
    return false;
  }

  /** Whether {@code state} of {@code item} allows promoting its holder (a load is finished). */
  boolean ready(String item, String state) {
    return summarizer.ready(item, state);
  }

  /** Finishes what {@link #begin} started, once every item it returned was re-classified. */
  public void end() {
    touchedNodes = null; // the update's old nodes need not outlive it
    if (zonesChanged) {
      zonesChanged = false;
      candidates.rezoned(items.values(), this::zoneDoubled);
    }
    if (membersChanged) {
      membersChanged = false;
      // Zones live in member key values: which replicas are doubled in a zone may have changed.
      MemberSpec me = specOf(member);
      if (me == null || me.zone() == null) {
        // Without a zone of our own no replica of ours is doubled: no pass over all of them
        // (40 ms of CPU in one step at 100,000 items x 4 members, after a member's crash).
        candidates.redoubled(null);
      } else {
        candidates.redoubled(item -> doubledInZone(items.get(item)));
      }
    }
  }

  /**
   * Moves an item's counts and candidate sets from summary {@code old} to {@code now} (either null:
   * the item comes or goes), touching only what differs: a revision mostly changes a state or adds
   * one entry, and leaves the item's replicas, members and most of its sets as they were.
   */
  private void classify(ItemSummary old, ItemSummary now) {
    boolean wasShort = old != null && old.size() < old.replicas() + 1;
    boolean isShort = now != null && now.size() < now.replicas() + 1;
    itemsShort += (isShort ? 1 : 0) - (wasShort ? 1 : 0);
    if (old == null || now == null || old.replicas() != now.replicas()) {
      if (old != null) {
        targets.count(old.replicas(), false);
      }
      if (now != null) {
        targets.count(now.replicas(), true);
      }
    }
    if (old == null || now == null || old.replicas() != now.replicas() || !sameMembers(old.route(), now.route())) {
      if (old != null) { // counts by member (and R): a change of states alone leaves them
        load.count(old, false);
        firstReplicas.count(old, false);
      }
      if (now != null) {
        load.count(now, true);
        firstReplicas.count(now, true);
      }
    }
    candidates.reclassify(old, old != null && summarizer.loading(old), now, now != null && doubledInZone(now),
        now != null && summarizer.loading(now), now != null && zoneDoubled(now));
  }

  /** Whether {@code a} and {@code b} have the same members in the same order. */
  private static boolean sameMembers(Route a, Route b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.memberAt(i).equals(b.memberAt(i))) {
        return false;
      }
    }
    return true;
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

  /** The candidate sets the rules choose from. */
  Candidates candidates() {
    return candidates;
  }

  /** How many of this member's entries have a stored state not ready for promotion (loading). */
  public int loadingEntries() {
    return candidates.myLoading().size();
  }

  /** The summary of {@code item}, or null when it does not exist. */
  public ItemSummary summary(String item) {
    return items.get(item);
  }

  /** All existing items' summaries (unordered view). */
  public Collection<ItemSummary> summaries() {
    return Collections.unmodifiableCollection(items.values());
  }

  /**
   * Up to {@code k} summaries drawn uniformly at random (with replacement) for {@code action}, at
   * a cost in {@code k}, not in the item count; returns how many were drawn (fewer only when
   * the table is sparse after removals: the caller then walks {@link #summaries}).
   */
  int sampleItems(int k, java.util.Random rnd, java.util.function.Consumer<ItemSummary> action) {
    return items.sample(k, rnd, action);
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
    return membership.count();
  }

  /**
   * Names under {@code ROOT/members} whose key holds no lease: not members, ignored in the
   * targets (for a warning by the owner).
   */
  public Set<String> leaselessMembers() {
    return membership.leaseless();
  }

  /** Whether this member's key is present (on this member's lease, when one was given). */
  public boolean memberPresent() {
    return membership.present();
  }

  /** Items whose master is {@code member}, as far as this view knows. */
  public int mastersOf(String member) {
    return load.mastersOf(member);
  }

  /** Items whose master is not a present member (one leaving, or gone before its lease expired). */
  public int mastersOfAbsentMembers() {
    return load.mastersOfAbsent(placement().all().keySet());
  }

  /**
   * Items mastered by {@code master} with {@code first} first in line behind it, among those with
   * R >= 2 and exactly R+1 entries, as far as this view knows.
   */
  int firstReplicasOf(String master, String first) {
    return firstReplicas.of(master, first);
  }

  /** Entries held by members that are not present (leaving, or gone before their lease expired). */
  int entriesOfAbsentMembers() {
    return load.entriesOfAbsent(placement().all().keySet());
  }

  /** Entries {@code member} holds in any position, as far as this view knows. */
  public int entriesOf(String member) {
    return load.entriesOf(member);
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
  public TargetShares placement() {
    return targets.placement(membership.node(), specs, itemCount());
  }

  /** The spec of present member {@code member} (drains included), null when it is not present. */
  public MemberSpec specOf(String member) {
    Node n = membership.key(member);
    return n == null || !n.hasValue() ? null : specs.of(n);
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
    return targets.maxReplicas();
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
    return restartLease != 0 && candidates.myAdoptable().isEmpty() && candidates.myForeign().isEmpty()
        && membership.present();
  }

  /** Entries left on the declared restart lease, not adopted yet. */
  public int adoptable() {
    return candidates.myAdoptable().size();
  }

  public int mastersHeld() {
    return candidates.myMasters().size();
  }

  public int replicasHeld() {
    return candidates.myReplicas().size();
  }

  /** Entries this member holds in any position. */
  public int entriesHeld() {
    return candidates.myMasters().size() + candidates.myReplicas().size() + candidates.myExtras().size();
  }

  /** Items with fewer than R+1 entries. */
  public int itemsShortOfReplicas() {
    return itemsShort;
  }

  /** Items with no entry at all. */
  public int itemsWithoutMaster() {
    return candidates.empty().size();
  }

  /** This member's targets under the current view: 0 and 0 once its member key is gone. */
  public Targets targets() {
    Targets t = membership.present() ? placement().of(member) : null;
    return t == null ? new Targets(0, 0) : t;
  }

  /** This member's seniority among present members (0 = earliest), -1 when its key is gone. */
  public int rank() {
    return membership.rank();
  }

  /** Items this member holds an entry of, in any role. */
  public List<String> heldItems() {
    List<String> out = new ArrayList<>(entriesHeld());
    out.addAll(candidates.myMasters().all());
    out.addAll(candidates.myReplicas().all());
    out.addAll(candidates.myExtras().all());
    return out;
  }
}
