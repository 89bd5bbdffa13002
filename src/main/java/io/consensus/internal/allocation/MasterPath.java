package io.consensus.internal.allocation;

import io.consensus.route.RouteEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Where a surplus mastership goes when no member that wants masters stands in this member's
 * routes: along the shortest chain of in-place hand-offs (a master of a fully staffed, ready item
 * moving behind its replicas makes its first replica master) to a member that wants masters or
 * masters an item where one stands behind its first replica (it then moves behind, as
 * {@code FORCED_HANDOFF} does for this member), or else to a member that can let a master go whose copy a member wanting masters can take
 * ({@link #usefulRelease}). Each member on the chain, over its share once the mastership reaches it,
 * takes the next hop itself: one move per hop, no copy placed on the way.
 *
 * <p>Without it the last resort was a release promoting whichever first replica, over its share
 * in turn: with zones (a zone holding one copy of every item, so its two members never share a
 * route) or a member at its item limit, that surplus wandered among members at their share, a
 * release and a take each step, for tens of thousands of revisions (issue 20).
 *
 * <p>Cost: one pass over every item's route, only while this member is over its master target and
 * no direct hand-off applies.
 */
final class MasterPath {
  private MasterPath() {
  }

  /** The first hop from this member towards a member that wants masters, in place; null when none is reachable. */
  static String towardsHungry(AllocationIndex idx, Random rnd) {
    return firstHop(idx, rnd, false);
  }

  /** The first hop from this member towards a member with a {@link #usefulRelease}; null when none is reachable. */
  static String towardsRelease(AllocationIndex idx, Random rnd) {
    return firstHop(idx, rnd, true);
  }

  /**
   * Present members other than this one that want masters and have room for a copy (their item
   * limit included): the takers a released copy is useful to.
   */
  static List<String> hungryWithRoom(AllocationIndex idx) {
    List<String> out = new ArrayList<>();
    for (String m : idx.presentMembers()) {
      if (!m.equals(idx.member()) && wants(idx, m) && PlacementConstraints.freeSlots(idx, m) > 0) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * Whether {@code master}'s release of {@code s} gives a copy to one of {@code takers}: one that
   * holds no entry of the item and that the zone rule does not keep off (its zone is not among the
   * entries left; {@code master}'s zone, missing after the release, then has room).
   */
  static boolean usefulRelease(AllocationIndex idx, String master, ItemSummary s, List<String> takers) {
    if (s.replicas() < 1 || takers.isEmpty()) {
      return false;
    }
    List<RouteEntry> entries = s.route().entries();
    boolean zoned = ZoneSpread.inUse(idx);
    String own = zoned ? ZoneSpread.zoneOf(idx, master) : null;
    Set<String> left = own == null ? Set.of() : ZoneSpread.zonesOf(idx, entries.subList(1, entries.size()));
    for (String m : takers) {
      String z = own == null ? null : ZoneSpread.zoneOf(idx, m);
      if (s.route().index(m) < 0 && (z == null || !left.contains(z))) {
        return true;
      }
    }
    return false;
  }

  /** Whether a member that wants masters holds one of these entries after the first (a hand-off reaches it in place). */
  private static boolean wantsBehind(AllocationIndex idx, List<RouteEntry> entries) {
    for (int i = 1; i < entries.size(); i++) {
      if (wants(idx, entries.get(i).member())) {
        return true;
      }
    }
    return false;
  }

  private static boolean wants(AllocationIndex idx, String member) {
    int target = idx.masterTargetOf(member);
    return target >= 0 && idx.mastersOf(member) < target;
  }

  private static String firstHop(AllocationIndex idx, Random rnd, boolean toRelease) {
    if (idx.maxReplicas() < 1) {
      return null;
    }
    List<String> takers = toRelease ? hungryWithRoom(idx) : List.of();
    if (toRelease && takers.isEmpty()) {
      return null;
    }
    String me = idx.member();
    // Edges: master -> its first replica, for fully staffed items ready for hand-off whose
    // successor stays; this member's own such items by successor (the candidate first hops).
    Map<String, Set<String>> next = new HashMap<>();
    Map<String, List<String>> myItemsBySuccessor = new HashMap<>();
    Set<String> goals = new HashSet<>();
    for (ItemSummary s : idx.summaries()) {
      int r = s.replicas();
      List<RouteEntry> entries = s.route().entries();
      if (r < 1 || entries.size() != r + 1 || !s.route().isReadyForHandoff(r, idx::ready)) {
        continue;
      }
      String master = entries.get(0).member();
      String succ = entries.get(1).member();
      if (idx.masterTargetOf(master) < 0 || idx.masterTargetOf(succ) < 0) {
        continue; // a member that is leaving hands off by other rules; one that is gone takes nothing
      }
      next.computeIfAbsent(master, k -> new HashSet<>()).add(succ);
      if (master.equals(me)) {
        myItemsBySuccessor.computeIfAbsent(succ, k -> new ArrayList<>()).add(s.item());
      }
      if (master.equals(me)) {
        continue;
      }
      if (toRelease ? usefulRelease(idx, master, s, takers) : wantsBehind(idx, entries)) {
        goals.add(master);
      }
    }
    if (!toRelease) {
      for (String m : idx.presentMembers()) {
        if (!m.equals(me) && wants(idx, m)) {
          goals.add(m);
        }
      }
    }
    if (goals.isEmpty() || myItemsBySuccessor.isEmpty()) {
      return null;
    }
    // Breadth-first from each first hop; the nearest goal wins, random among equals.
    Map<String, String> firstOf = new HashMap<>();
    ArrayDeque<String> queue = new ArrayDeque<>();
    List<String> starts = new ArrayList<>(myItemsBySuccessor.keySet());
    java.util.Collections.shuffle(starts, rnd);
    for (String s : starts) {
      firstOf.put(s, s);
      queue.add(s);
    }
    firstOf.putIfAbsent(me, null);
    while (!queue.isEmpty()) {
      String m = queue.poll();
      if (goals.contains(m)) {
        List<String> items = myItemsBySuccessor.get(firstOf.get(m));
        return items.get(rnd.nextInt(items.size()));
      }
      for (String n : next.getOrDefault(m, Set.of())) {
        if (!firstOf.containsKey(n)) {
          firstOf.put(n, firstOf.get(m));
          queue.add(n);
        }
      }
    }
    return null;
  }
}
