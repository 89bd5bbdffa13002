package io.consensus.internal.allocation;

import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@link Rule#NEXT_IN_LINE}: spreads the first replicas behind each master evenly over the other
 * members. When a master's lease expires, each of its items is promoted to its first replica (no
 * member decides): a master whose items mostly had one member first in line left that survivor
 * over its share (47 / 9 / 4 of 60 at 240 items x 4 members, real processes), and the survivors
 * then moved masters among themselves. Balanced within one, the promotion is balanced too.
 *
 * <p>This member, first behind master M on an item with member Y second, moves behind Y in place
 * (the move of {@link Rule#STEP_ASIDE}: same state, every other entry guarded as seen; no copy
 * placed, no mastership changed) while it stands first behind M at least two more times than Y,
 * and Y is ready. Only in a quiet fleet ({@link #quiet}): nobody over a target, nothing short,
 * masterless, leaving, restarting or extra, no copies doubled in a zone. So it never competes
 * with a balancing rule, and the order it leaves is one they accept: none of them acts on a quiet
 * fleet, and with every item's entries in distinct zones no order makes one doubled.
 *
 * <p>Concurrent members on stale views: each gives a receiver at most the difference over twice
 * the members that could give it too (at least one), and never goes below it, so the fleet
 * settles without overshooting back and forth. Each move lowers the sum of the squared counts;
 * once every pair is within one the rule writes nothing.
 *
 * <p>Cost: the members squared and the picks; the counts ({@link FirstReplicaCounts}) and the
 * candidates by master and second in line ({@link Candidates#myNextInLine}) are kept per touched
 * item, never a walk over the items held.
 */
final class NextInLine {
  /** Items looked at beyond a receiver's quota, for those whose second in line is not ready. */
  private static final int SPARE = 4;

  private NextInLine() {
  }

  /** Up to {@code k} items this member should move behind the member second in line; empty unless quiet. */
  static List<String> picks(AllocationIndex idx, int k, Random rnd) {
    Map<String, Map<String, IndexedSet>> mine = idx.candidates().myNextInLine();
    if (mine.isEmpty() || !quiet(idx)) {
      return List.of();
    }
    List<String> present = idx.presentMembers();
    List<String> masters = new ArrayList<>(mine.keySet());
    masters.sort(null);
    java.util.Collections.shuffle(masters, rnd); // a small batch is not always spent on one master
    List<String> out = new ArrayList<>();
    for (String master : masters) {
      if (out.size() >= k) {
        break;
      }
      spread(idx, master, mine.get(master), present, k, out, rnd);
    }
    return out;
  }

  /**
   * Whether the fleet is quiet as this view sees it: this member present, not drained, no
   * maintenance, no restart pending; no item short of R+1 entries or masterless, no extra of ours,
   * no item with two copies in one zone (a zone swap may be under way: its steps read the order),
   * no master or entry of a member that is not present; no present member over its master or total target.
   */
  static boolean quiet(AllocationIndex idx) {
    Candidates c = idx.candidates();
    if (!idx.memberPresent() || idx.maintenance() || idx.drained() || idx.restartsPending()
        || idx.itemsShortOfReplicas() > 0 || idx.itemsWithoutMaster() > 0 || !c.myExtras().isEmpty()
        || !c.myAdoptable().isEmpty() || !c.myForeign().isEmpty() || !c.zoneDoubled().isEmpty()) {
      return false;
    }
    for (String m : idx.presentMembers()) {
      if (idx.mastersOf(m) > idx.masterTargetOf(m) || idx.entriesOf(m) > idx.totalTargetOf(m)) {
        return false;
      }
    }
    return idx.mastersOfAbsentMembers() == 0 && idx.entriesOfAbsentMembers() == 0;
  }

  /**
   * Adds to {@code out} this member's moves behind {@code master}: one at a time to the receiver
   * (second in line) with the fewest first places, while this member has at least two more and the
   * receiver's quota lasts.
   */
  private static void spread(AllocationIndex idx, String master, Map<String, IndexedSet> bySecond,
      List<String> present, int k, List<String> out, Random rnd) {
    String me = idx.member();
    Map<String, Integer> count = new HashMap<>();
    for (String m : present) {
      if (!m.equals(master)) {
        count.put(m, idx.firstReplicasOf(master, m));
      }
    }
    Integer mine = count.get(me);
    if (mine == null) {
      return;
    }
    Map<String, Integer> quota = new HashMap<>();
    for (String y : bySecond.keySet()) {
      Integer cy = count.get(y);
      if (cy == null || mine < cy + 2) {
        continue; // not present, or not below us by two
      }
      int givers = 0;
      for (int c : count.values()) {
        if (c >= cy + 2) {
          givers++;
        }
      }
      quota.put(y, Math.max(1, (mine - cy) / (2 * givers)));
    }
    Map<String, List<String>> drawn = new HashMap<>();
    Map<String, Integer> at = new HashMap<>();
    while (out.size() < k && !quota.isEmpty()) {
      String y = null;
      for (String r : quota.keySet()) {
        if (y == null || count.get(r) < count.get(y) || (count.get(r).equals(count.get(y)) && r.compareTo(y) < 0)) {
          y = r;
        }
      }
      if (mine < count.get(y) + 2) {
        break; // the fewest is within one of us: so is every other
      }
      List<String> items = drawn.computeIfAbsent(y, r -> bySecond.get(r).sample(quota.get(r) + SPARE, rnd));
      String item = null;
      for (int i = at.getOrDefault(y, 0); i < items.size() && item == null; i++) {
        at.put(y, i + 1);
        if (movable(idx, items.get(i))) {
          item = items.get(i);
        }
      }
      if (item == null) {
        quota.remove(y);
        continue;
      }
      out.add(item);
      mine--;
      count.merge(y, 1, Integer::sum);
      if (quota.merge(y, -1, Integer::sum) == 0) {
        quota.remove(y);
      }
    }
  }

  /**
   * Whether this member may move behind the rest of {@code item}'s route: the member second in line
   * is ready for promotion (it becomes the first) and its entry has a key to guard.
   */
  private static boolean movable(AllocationIndex idx, String item) {
    RouteEntry second = idx.summary(item).route().entries().get(2);
    return second.modRevision() > 0 && idx.ready(item, second.state());
  }
}
