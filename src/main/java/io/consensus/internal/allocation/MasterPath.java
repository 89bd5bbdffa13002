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
 * Where a surplus mastership goes ({@code FORCED_HANDOFF}) when no member that wants masters
 * stands in this member's routes and no release of ours gives one a copy: along the shortest chain of in-place hand-offs (a master of a fully staffed, ready item
 * moving behind its replicas makes its first replica master; a replica further back is reached by
 * as many moves) to a member that wants masters, or else to a member that can let a master go
 * whose copy a member wanting masters can take ({@link #usefulRelease}). Each member on the chain, over its share once the mastership reaches it,
 * takes the next hop itself: one move per hop, no copy placed on the way.
 *
 * <p>Without it the last resort was a release promoting whichever first replica, over its share
 * in turn: with zones (a zone holding one copy of every item, so its two members never share a
 * route) or a member at its item limit, that surplus wandered among members at their share, a
 * release and a take each step, for tens of thousands of revisions (issue 20).
 *
 * <p>Cost: a random sample of {@link #SAMPLE} routes drawn from the item table (every route
 * when there are no more; and up to {@link #MY_SAMPLE} of this member's), only while this member is over its master target
 * and neither a direct hand-off nor a useful release applies.
 */
final class MasterPath {
  /** Other members' items a search looks at (a random sample): bounds its cost at any fleet size. */
  static final int SAMPLE = 4096;
  /** This member's ready masters a search starts from (a random sample). */
  static final int MY_SAMPLE = 1024;

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
    Set<String> goals = new HashSet<>();
    if (!toRelease) {
      for (String m : idx.presentMembers()) {
        if (!m.equals(me) && wants(idx, m)) {
          goals.add(m);
        }
      }
      if (goals.isEmpty()) {
        return null;
      }
    }
    // Edges: master -> each replica of a fully staffed item ready for hand-off (the master moving
    // behind makes its first replica master; one behind that is reached by the next move), over
    // present members only. This member's own items by replica: the candidate first hops.
    Map<String, Set<String>> next = new HashMap<>();
    Map<String, List<String>> myItemsByReplica = new HashMap<>();
    for (String item : idx.candidates().myReadyMasters().sample(MY_SAMPLE, rnd)) {
      edges(idx, idx.summary(item), next, myItemsByReplica);
    }
    // Other members' items: all of them up to SAMPLE, else SAMPLE drawn at random (with
    // replacement: a pass over the table, even without looking at most routes, cost 10-30 ms of
    // a decision at 100,000 items), enough to link members.
    java.util.function.Consumer<ItemSummary> link = s -> {
      String master = s.route().size() > 0 ? s.route().entries().get(0).member() : null;
      if (master != null && !master.equals(me) && edges(idx, s, next, null)
          && toRelease && usefulRelease(idx, master, s, takers)) {
        goals.add(master);
      }
    };
    if (idx.itemCount() <= SAMPLE || idx.sampleItems(SAMPLE, rnd, link) < SAMPLE) {
      idx.summaries().forEach(link);
    }
    if (goals.isEmpty() || myItemsByReplica.isEmpty()) {
      return null;
    }
    // Breadth-first from each first hop; the nearest goal wins, random among equals.
    Map<String, String> firstOf = new HashMap<>();
    firstOf.put(me, null);
    ArrayDeque<String> queue = new ArrayDeque<>();
    List<String> starts = new ArrayList<>(myItemsByReplica.keySet());
    java.util.Collections.shuffle(starts, rnd);
    for (String s : starts) {
      firstOf.put(s, s);
      queue.add(s);
    }
    while (!queue.isEmpty()) {
      String m = queue.poll();
      if (goals.contains(m)) {
        return closest(idx, myItemsByReplica.get(firstOf.get(m)), firstOf.get(m), rnd);
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

  /**
   * Adds the edges of {@code s} (master to each replica) when it is fully staffed and ready for
   * hand-off, over present members; with {@code byReplica}, also the item under each replica.
   */
  private static boolean edges(AllocationIndex idx, ItemSummary s, Map<String, Set<String>> next,
      Map<String, List<String>> byReplica) {
    int r = s.replicas();
    List<RouteEntry> entries = s.route().entries();
    if (r < 1 || entries.size() != r + 1 || !s.route().isReadyForHandoff(r, idx::ready)) {
      return false;
    }
    String master = entries.get(0).member();
    if (idx.masterTargetOf(master) < 0) {
      return false;
    }
    for (int i = 1; i <= r; i++) {
      String m = entries.get(i).member();
      if (idx.masterTargetOf(m) >= 0) {
        next.computeIfAbsent(master, k -> new HashSet<>()).add(m);
        if (byReplica != null) {
          byReplica.computeIfAbsent(m, k -> new ArrayList<>()).add(s.item());
        }
      }
    }
    return true;
  }

  /** Of {@code items}, one where {@code member} stands earliest (fewest moves to reach it), random among equals. */
  private static String closest(AllocationIndex idx, List<String> items, String member, Random rnd) {
    List<String> best = new ArrayList<>();
    int bestAt = Integer.MAX_VALUE;
    for (String item : items) {
      int at = idx.summary(item).route().index(member);
      if (at < bestAt) {
        best.clear();
        bestAt = at;
      }
      if (at == bestAt) {
        best.add(item);
      }
    }
    return best.get(rnd.nextInt(best.size()));
  }
}
