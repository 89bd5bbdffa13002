package io.consensus.internal.allocation;

import io.consensus.route.Role;
import io.consensus.route.Route;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The sets of items the rules choose from, each a function of the items' summaries: items without
 * entries, short-staffed items, and this member's masters, replicas, extras and the subsets the
 * rules single out (ready to hand off, adoptable, foreign, loading, doubled in a zone). Kept up to
 * date one summary at a time by {@link AllocationIndex}; read by the rules.
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
final class Candidates {
  private final IndexedSet empty = new IndexedSet();
  private final IndexedSet shortStaffed = IndexedSet.withHashes(); // TAKE_SHORT draws by hash
  private final IndexedSet myMasters = new IndexedSet();
  private final IndexedSet myReplicas = new IndexedSet();
  private final IndexedSet myExtras = new IndexedSet();
  private final IndexedSet myReadyMasters = new IndexedSet();
  // Entries of this member's name waiting on its declared restart lease: to adopt.
  private final IndexedSet myAdoptable = new IndexedSet();
  // Replicas of fully staffed items where an earlier entry has this member's zone (ZONE_SPREAD).
  private final IndexedSet myDoubled = new IndexedSet();
  // Entries of this member's name on some other lease (an earlier incarnation still stopping).
  private final IndexedSet myForeign = new IndexedSet();
  // This member's entries whose stored state is not ready for promotion: loads in progress.
  private final IndexedSet myLoading = new IndexedSet();
  // Items (any holder) whose first R+1 entries have two in one zone: what a zone swap repairs.
  private final IndexedSet zoneDoubled = new IndexedSet();
  // This member's replicas of items with an extra entry behind them (more than R+1 entries).
  private final IndexedSet myCrowded = new IndexedSet();
  // This member's replicas of fully staffed items (exactly R+1 entries): SURPLUS_REPLICA and
  // STEP_ASIDE look only at these (after a crash most items are short: a walk over every
  // replica found none, every round).
  private final IndexedSet myFullReplicas = new IndexedSet();
  // This member's ready masters that can move behind their replicas in place (R >= 1, exactly
  // R+1 entries), by the member of their first replica: HAND_OFF_MASTER picks by that successor's
  // wish for masters without a walk over every master held. No empty set is kept.
  private final Map<String, IndexedSet> myMovable = new HashMap<>();
  // Items where this member stands first behind the master (R >= 2, exactly R+1 entries), by
  // master and then by the member second in line: NEXT_IN_LINE picks by that pair's counts
  // without a walk over every replica held. No empty map or set is kept.
  private final Map<String, Map<String, IndexedSet>> myNextInLine = new HashMap<>();
  // STEP_ASIDE reads myNextInLine too. The sets below serve the hand-offs and step-asides of a
  // leave or a drain, each kept by the member the rule weighs it by, so that a rule costs the
  // members and its picks, not a walk over every master or replica held (issue 17, 100,000
  // items). No empty set or zero count is kept.
  // This member's ready masters by the member of their first entry behind the master (NO_SUCCESSOR
  // without one): hand-offs that prefer the least-loaded successor.
  private final Map<String, IndexedSet> myReadyBySuccessor = new HashMap<>();
  // Of those, the ones with R >= 1 and a successor: what a leaving member hands to each successor.
  private final Map<String, IndexedSet> myHandOffBySuccessor = new HashMap<>();
  // Over the same items, how many have the member at a position 2..R (it is about to step ahead).
  private final Map<String, int[]> myHandOffBehind = new HashMap<>();
  // This member's ready masters of items whose own R is 0 (a release is their hand-off).
  private final IndexedSet myReadyUnreplicated = new IndexedSet();
  // This member's ready masters with exactly fleet-R+1 entries, by each member at position >= 2.
  private final Map<String, IndexedSet> myReadyByLater = new HashMap<>();
  // How many of this member's replicas further back (index >= 2) have each master, first replica.
  private final Map<String, Map<String, int[]>> myBehindFirst = new HashMap<>();
  private final int replicas;

  /** The key of {@link #myReadyBySuccessor} for masters of items with no other entry (no member has it: names are not empty). */
  static final String NO_SUCCESSOR = "";

  /** @param replicas the fleet's R */
  Candidates(int replicas) {
    this.replicas = replicas;
  }

  /**
   * Moves one item from the sets summary {@code old} put it in to those of {@code now} (either may be
   * null: the item comes or goes), touching only the sets whose membership differs: after a
   * revision most of an item's sets are the same, and a remove and re-add of each cost a tenth of
   * a member's loop during a refill (issue 17). The contents equal a removal by {@code old} and an
   * addition by {@code now}; an item that stays in a set keeps its place there.
   *
   * @param oldLoading whether this member's entry was not ready for promotion by {@code old}
   * @param doubled whether, by {@code now}, this member's replica shares its zone with an earlier entry
   * @param loading whether, by {@code now}, this member's entry is not ready for promotion
   * @param zoneDoubled whether, by {@code now}, two of the first R+1 entries share a zone
   */
  void reclassify(ItemSummary old, boolean oldLoading, ItemSummary now, boolean doubled, boolean loading,
      boolean zoneDoubled) {
    String item = now != null ? now.item() : old.item();
    // Whatever zones said when it was added: they may have changed since (end() re-derives them).
    move(this.zoneDoubled, item, this.zoneDoubled.contains(item), now != null && zoneDoubled);
    move(myDoubled, item, myDoubled.contains(item), now != null && doubled);
    move(myCrowded, item, crowded(old), crowded(now));
    move(myAdoptable, item, old != null && old.adoptable(), now != null && now.adoptable());
    move(myForeign, item, old != null && old.foreign(), now != null && now.foreign());
    move(myLoading, item, old != null && oldLoading, now != null && loading);
    move(empty, item, unheld(old) && old.size() == 0, unheld(now) && now.size() == 0);
    move(shortStaffed, item, unheld(old) && isShort(old), unheld(now) && isShort(now));
    Role was = roleOf(old);
    Role is = roleOf(now);
    move(myMasters, item, was == Role.MASTER, is == Role.MASTER);
    move(myExtras, item, was == Role.EXTRA, is == Role.EXTRA);
    move(myReplicas, item, was == Role.REPLICA, is == Role.REPLICA);
    readyMaster(item, was == Role.MASTER && old.readyForHandoff() ? old : null,
        is == Role.MASTER && now.readyForHandoff() ? now : null);
    replica(item, was == Role.REPLICA ? old : null, is == Role.REPLICA ? now : null);
  }

  /** This member's role in {@code s} when the entry is its own; null when none (or no summary). */
  private static Role roleOf(ItemSummary s) {
    return s == null || s.myIndex() < 0 || !s.mine() ? null : s.role();
  }

  /** Whether {@code s} exists and this member's name holds no entry of it. */
  private static boolean unheld(ItemSummary s) {
    return s != null && s.myIndex() < 0;
  }

  private static boolean isShort(ItemSummary s) {
    return s.size() > 0 && s.size() < s.replicas() + 1;
  }

  private static boolean crowded(ItemSummary s) {
    return s != null && s.mine() && s.myIndex() >= 1 && s.myIndex() <= s.replicas() && s.size() > s.replicas() + 1;
  }

  /** Re-files a ready master of this member (null: not one) in the sets kept by successor and later members. */
  private void readyMaster(String item, ItemSummary old, ItemSummary now) {
    move(myReadyMasters, item, old != null, now != null);
    move(myReadyBySuccessor, item, old == null ? null : successor(old), now == null ? null : successor(now));
    move(myReadyUnreplicated, item, old != null && old.replicas() == 0, now != null && now.replicas() == 0);
    boolean handOff = old != null && handsOff(old);
    boolean handsOff = now != null && handsOff(now);
    move(myHandOffBySuccessor, item, handOff ? successor(old) : null, handsOff ? successor(now) : null);
    // Positions 2..R: the members about to step ahead in a hand-off.
    count(myHandOffBehind, handOff ? old.route() : null, 2, handOff ? Math.min(old.replicas() + 1, old.size()) : 0,
        handsOff ? now.route() : null, 2, handsOff ? Math.min(now.replicas() + 1, now.size()) : 0);
    move(myMovable, item, handOff && movable(old) ? successor(old) : null,
        handsOff && movable(now) ? successor(now) : null);
    boolean later = old != null && replicas >= 2 && old.size() == replicas + 1;
    boolean isLater = now != null && replicas >= 2 && now.size() == replicas + 1;
    move(myReadyByLater, item, later ? old.route() : null, 2, later ? old.size() : 0,
        isLater ? now.route() : null, 2, isLater ? now.size() : 0);
  }

  private static String successor(ItemSummary s) {
    return s.size() > 1 ? s.route().memberAt(1) : NO_SUCCESSOR;
  }

  private static boolean handsOff(ItemSummary s) {
    return s.replicas() >= 1 && s.size() >= 2;
  }

  private static boolean movable(ItemSummary s) {
    return s.size() == s.replicas() + 1;
  }

  /**
   * Re-files a replica of this member (null: not one): fully staffed ones, those first in line
   * ({@link #myNextInLine}) and, counted by master and first replica, those further back.
   */
  private void replica(String item, ItemSummary old, ItemSummary now) {
    move(myFullReplicas, item, old != null && old.size() == old.replicas() + 1,
        now != null && now.size() == now.replicas() + 1);
    boolean first = old != null && old.myIndex() == 1 && FirstReplicaCounts.counted(old);
    boolean isFirst = now != null && now.myIndex() == 1 && FirstReplicaCounts.counted(now);
    String master = first ? old.route().memberAt(0) : null;
    String second = first ? old.route().memberAt(2) : null;
    String newMaster = isFirst ? now.route().memberAt(0) : null;
    String newSecond = isFirst ? now.route().memberAt(2) : null;
    if (!Objects.equals(master, newMaster) || !Objects.equals(second, newSecond)) {
      if (first) {
        nextInLine(master, second, item, false);
      }
      if (isFirst) {
        nextInLine(newMaster, newSecond, item, true);
      }
    }
    boolean behind = old != null && old.myIndex() >= 2;
    boolean isBehind = now != null && now.myIndex() >= 2;
    master = behind ? old.route().memberAt(0) : null;
    String firstReplica = behind ? old.route().memberAt(1) : null;
    newMaster = isBehind ? now.route().memberAt(0) : null;
    String newFirst = isBehind ? now.route().memberAt(1) : null;
    if (!Objects.equals(master, newMaster) || !Objects.equals(firstReplica, newFirst)) {
      if (behind) {
        Tally.add(myBehindFirst, master, firstReplica, -1);
      }
      if (isBehind) {
        Tally.add(myBehindFirst, newMaster, newFirst, 1);
      }
    }
  }

  /** Removes {@code item} from {@code set} or adds it when {@code was} and {@code is} differ. */
  private static void move(IndexedSet set, String item, boolean was, boolean is) {
    if (was != is) {
      put(set, item, is);
    }
  }

  /** Moves {@code item} from the set of key {@code was} to that of {@code is} (null: none) when they differ. */
  private static void move(Map<String, IndexedSet> sets, String item, String was, String is) {
    if (!Objects.equals(was, is)) {
      if (was != null) {
        put(sets, was, item, false);
      }
      if (is != null) {
        put(sets, is, item, true);
      }
    }
  }

  /**
   * Moves {@code item} from the sets of the members of {@code was} at positions [from, to) to those
   * of {@code is} at [isFrom, isTo) (a null route: none), leaving it in the sets of members in both.
   */
  private static void move(Map<String, IndexedSet> sets, String item, Route was, int from, int to, Route is,
      int isFrom, int isTo) {
    for (int j = from; was != null && j < to; j++) {
      String m = was.memberAt(j);
      if (is == null || !among(m, is, isFrom, isTo)) {
        put(sets, m, item, false);
      }
    }
    for (int j = isFrom; is != null && j < isTo; j++) {
      String m = is.memberAt(j);
      if (was == null || !among(m, was, from, to)) {
        put(sets, m, item, true);
      }
    }
  }

  /** As {@link #move(Map, String, Route, int, int, Route, int, int)} for a count per member. */
  private static void count(Map<String, int[]> counts, Route was, int from, int to, Route is, int isFrom, int isTo) {
    for (int j = from; was != null && j < to; j++) {
      String m = was.memberAt(j);
      if (is == null || !among(m, is, isFrom, isTo)) {
        Tally.add(counts, m, -1);
      }
    }
    for (int j = isFrom; is != null && j < isTo; j++) {
      String m = is.memberAt(j);
      if (was == null || !among(m, was, from, to)) {
        Tally.add(counts, m, 1);
      }
    }
  }

  /** Whether {@code member} is at a position in [from, to) of {@code r} (R is small: a scan). */
  private static boolean among(String member, Route r, int from, int to) {
    for (int j = from; j < to; j++) {
      if (r.memberAt(j).equals(member)) {
        return true;
      }
    }
    return false;
  }

  /** Re-derives the replicas doubled in a zone (zones live in member keys, which changed); null: none is. */
  void redoubled(Predicate<String> doubled) {
    myDoubled.clear();
    if (doubled == null) {
      return; // none is doubled
    }
    for (String item : myReplicas.all()) {
      if (doubled.test(item)) {
        myDoubled.add(item);
      }
    }
  }

  /** Re-derives the zone-doubled items among {@code all} (a member's zone changed). */
  void rezoned(Iterable<ItemSummary> all, Predicate<ItemSummary> doubled) {
    zoneDoubled.clear();
    for (ItemSummary s : all) {
      if (doubled.test(s)) {
        zoneDoubled.add(s.item());
      }
    }
  }

  /** Adds or removes {@code item} in the set of {@code key}, dropping a set once empty. */
  private static void put(Map<String, IndexedSet> sets, String key, String item, boolean add) {
    if (add) {
      sets.computeIfAbsent(key, m -> new IndexedSet()).add(item);
      return;
    }
    IndexedSet set = sets.get(key);
    if (set != null) {
      set.remove(item);
      if (set.isEmpty()) {
        sets.remove(key);
      }
    }
  }

  private void nextInLine(String master, String second, String item, boolean add) {
    Map<String, IndexedSet> bySecond = add ? myNextInLine.computeIfAbsent(master, m -> new HashMap<>())
        : myNextInLine.get(master);
    if (bySecond != null) {
      put(bySecond, second, item, add);
      if (bySecond.isEmpty()) {
        myNextInLine.remove(master);
      }
    }
  }

  private static void put(IndexedSet set, String item, boolean add) {
    if (add) {
      set.add(item);
    } else {
      set.remove(item);
    }
  }

  /** Items with no entry at all. */
  IndexedSet empty() {
    return empty;
  }

  /** Items with fewer than R+1 entries, none of them this member's. */
  IndexedSet shortStaffed() {
    return shortStaffed;
  }

  /** Items this member masters. */
  IndexedSet myMasters() {
    return myMasters;
  }

  /** Items this member is a replica of. */
  IndexedSet myReplicas() {
    return myReplicas;
  }

  /** Items this member holds an extra entry of (beyond R). */
  IndexedSet myExtras() {
    return myExtras;
  }

  /** Items this member masters that are ready for hand-off. */
  IndexedSet myReadyMasters() {
    return myReadyMasters;
  }

  /** Entries of this member's name on its declared restart lease, to adopt. */
  IndexedSet myAdoptable() {
    return myAdoptable;
  }

  /** Replicas of fully staffed items where an earlier entry has this member's zone. */
  IndexedSet myDoubled() {
    return myDoubled;
  }

  /** Entries of this member's name on another lease that it may not adopt. */
  IndexedSet myForeign() {
    return myForeign;
  }

  /** Items whose first R+1 entries have two in one zone, whoever holds them. */
  IndexedSet zoneDoubled() {
    return zoneDoubled;
  }

  /** This member's replicas (index 1..R) of items with more than R+1 entries. */
  IndexedSet myCrowded() {
    return myCrowded;
  }

  /** Items this member is a replica of that have exactly R+1 entries. */
  IndexedSet myFullReplicas() {
    return myFullReplicas;
  }

  /**
   * Items this member masters, ready for hand-off, with R >= 1 and exactly R+1 entries (a move
   * behind the replicas leaves this member a replica), by the member of their first replica; no
   * set is empty. Read only.
   */
  Map<String, IndexedSet> myMovable() {
    return java.util.Collections.unmodifiableMap(myMovable);
  }

  /**
   * This member's ready masters by the member of their second entry ({@link #NO_SUCCESSOR} when
   * none); no set is empty. Read only.
   */
  Map<String, IndexedSet> myReadyBySuccessor() {
    return java.util.Collections.unmodifiableMap(myReadyBySuccessor);
  }

  /** This member's ready masters with R >= 1 and a second entry, by that entry's member; no set is empty. Read only. */
  Map<String, IndexedSet> myHandOffBySuccessor() {
    return java.util.Collections.unmodifiableMap(myHandOffBySuccessor);
  }

  /** Of {@link #myHandOffBySuccessor}'s items, how many have {@code member} at a position 2..R. */
  int myHandOffBehind(String member) {
    return Tally.of(myHandOffBehind, member);
  }

  /** This member's ready masters of items whose own R is 0. */
  IndexedSet myReadyUnreplicated() {
    return myReadyUnreplicated;
  }

  /**
   * This member's ready masters of items with exactly the fleet's R+1 entries (R >= 2), by each
   * member at a position >= 2; no set is empty. Read only.
   */
  Map<String, IndexedSet> myReadyByLater() {
    return java.util.Collections.unmodifiableMap(myReadyByLater);
  }

  /** How many of this member's replicas at index >= 2 have master {@code master} and first replica {@code first}. */
  Map<String, Map<String, int[]>> myBehindFirst() {
    return java.util.Collections.unmodifiableMap(myBehindFirst);
  }

  /**
   * Items where this member stands first in line behind the master (index 1, R >= 2, exactly R+1
   * entries), by master and then by the member second in line; no map or set is empty. Read only
   * (the inner maps too, by contract).
   */
  Map<String, Map<String, IndexedSet>> myNextInLine() {
    return java.util.Collections.unmodifiableMap(myNextInLine);
  }

  /** This member's entries whose stored state is not ready for promotion. */
  IndexedSet myLoading() {
    return myLoading;
  }
}
