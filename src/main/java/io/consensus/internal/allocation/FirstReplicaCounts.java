package io.consensus.internal.allocation;

import io.consensus.route.Route;
import java.util.HashMap;
import java.util.Map;

/**
 * How many items each member masters with each other member first in line behind it (index 1),
 * over the items whose order {@link Rule#NEXT_IN_LINE} can change: R >= 2 and exactly R+1 entries.
 * When a master's lease expires each of its items is promoted to its first replica, so these
 * counts are how its masterships would spread over the survivors. Kept one summary at a time by
 * {@link AllocationIndex}, whoever holds the items.
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
final class FirstReplicaCounts {
  // master -> first replica -> count (Tally: no empty map or zero count is kept).
  private final Map<String, Map<String, int[]>> byMaster = new HashMap<>();

  /** Counts ({@code add}) or uncounts {@code s} when its order is one the rule reads. */
  void count(ItemSummary s, boolean add) {
    if (counted(s)) {
      Route r = s.route();
      Tally.add(byMaster, r.memberAt(0), r.memberAt(1), add ? 1 : -1);
    }
  }

  /** Whether {@code s} is counted: R >= 2 and exactly R+1 entries. */
  static boolean counted(ItemSummary s) {
    return s.replicas() >= 2 && s.size() == s.replicas() + 1;
  }

  /** Counted items mastered by {@code master} with {@code first} at index 1. */
  int of(String master, String first) {
    return Tally.of(byMaster, master, first);
  }
}
