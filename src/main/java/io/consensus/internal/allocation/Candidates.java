package io.consensus.internal.allocation;

import java.util.HashMap;
import java.util.Map;
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
  private final IndexedSet shortStaffed = new IndexedSet();
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
   * Adds ({@code add}) or removes the item of {@code s} to or from the sets its summary puts it in.
   *
   * @param doubled whether this member's replica of it shares its zone with an earlier entry
   * @param loading whether this member's entry of it is not ready for promotion
   * @param zoneDoubled whether two of its first R+1 entries share a zone
   */
  void classify(ItemSummary s, boolean add, boolean doubled, boolean loading, boolean zoneDoubled) {
    String item = s.item();
    if (!add) {
      this.zoneDoubled.remove(item); // whatever zones said when it was added
    } else if (zoneDoubled) {
      this.zoneDoubled.add(item);
    }
    if (s.mine() && s.myIndex() >= 1 && s.myIndex() <= s.replicas() && s.size() > s.replicas() + 1) {
      put(myCrowded, item, add);
    }
    if (!add) {
      myDoubled.remove(item);
    } else if (doubled) {
      myDoubled.add(item);
    }
    if (s.adoptable()) {
      put(myAdoptable, item, add);
    }
    if (s.foreign()) {
      put(myForeign, item, add);
    }
    if (loading) {
      put(myLoading, item, add);
    }
    if (s.myIndex() < 0) {
      if (s.size() == 0) {
        put(empty, item, add);
      } else if (s.size() < s.replicas() + 1) {
        put(shortStaffed, item, add);
      }
    } else if (s.mine()) {
      switch (s.role()) {
        case MASTER -> {
          put(myMasters, item, add);
          if (s.readyForHandoff()) {
            put(myReadyMasters, item, add);
            readyMaster(s, add);
          }
        }
        case REPLICA -> {
          put(myReplicas, item, add);
          if (s.size() == s.replicas() + 1) {
            put(myFullReplicas, item, add);
          }
          if (s.myIndex() == 1 && FirstReplicaCounts.counted(s)) {
            nextInLine(s.route().memberAt(0), s.route().memberAt(2), item, add);
          }
          replica(s, add);
        }
        default -> put(myExtras, item, add);
      }
    }
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

  /** Files a ready master of this member in the sets kept by successor and by later members. */
  private void readyMaster(ItemSummary s, boolean add) {
    String item = s.item();
    int size = s.size();
    String successor = size > 1 ? s.route().memberAt(1) : NO_SUCCESSOR;
    put(myReadyBySuccessor, successor, item, add);
    if (s.replicas() == 0) {
      put(myReadyUnreplicated, item, add);
    }
    if (s.replicas() >= 1 && size >= 2) {
      put(myHandOffBySuccessor, successor, item, add);
      for (int j = 2; j <= s.replicas() && j < size; j++) {
        Tally.add(myHandOffBehind, s.route().memberAt(j), add ? 1 : -1);
      }
      if (size == s.replicas() + 1) {
        put(myMovable, successor, item, add);
      }
    }
    if (replicas >= 2 && size == replicas + 1) {
      for (int j = 2; j < size; j++) {
        put(myReadyByLater, s.route().memberAt(j), item, add);
      }
    }
  }

  /**
   * Counts a replica of this member further back (index >= 2) by master and first replica (those
   * first in line are kept by master and member behind: {@link #myNextInLine}).
   */
  private void replica(ItemSummary s, boolean add) {
    if (s.myIndex() >= 2) {
      Tally.add(myBehindFirst, s.route().memberAt(0), s.route().memberAt(1), add ? 1 : -1);
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
