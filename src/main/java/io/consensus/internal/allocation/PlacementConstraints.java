package io.consensus.internal.allocation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The placement constraints the rules consult (item limits, drains, per-item replication): which
 * candidates fit, and which replica to let go for a master. Kept apart from the rules themselves.
 */
final class PlacementConstraints {
  private PlacementConstraints() {
  }

  /** The first of {@code items} this member has room for under its item limit (none when drained). */
  static List<String> fit(AllocationIndex idx, List<String> items) {
    int room = idx.room();
    return items.size() <= room ? items : items.subList(0, room);
  }

  /** Entries present member {@code member} may still take towards its total target (limit included). */
  static int freeSlots(AllocationIndex idx, String member) {
    int target = idx.totalTargetOf(member);
    return target < 0 ? 0 : target - idx.entriesOf(member);
  }

  /**
   * One replica to let go so that this member, full under its item limit, can take a master it
   * wants: of the item with the most entries (its first replicas stay). None when this member
   * holds no replica or has room anyway.
   */
  static List<String> roomForMaster(AllocationIndex idx) {
    if (idx.room() > 0 || idx.drained() || idx.candidates().myReplicas().isEmpty()) {
      return List.of();
    }
    String best = null;
    int bestSize = 0;
    for (String item : idx.candidates().myReplicas().all()) {
      ItemSummary s = idx.summary(item);
      if (s.size() > bestSize) {
        best = item;
        bestSize = s.size();
      }
    }
    return best == null ? List.of() : List.of(best);
  }

  /**
   * Up to {@code k} short-staffed items with the fewest entries first (random among equals): when
   * capacity is short, first replicas come before second ones.
   */
  static List<String> fewestEntriesFirst(AllocationIndex idx, int k, Random rnd) {
    List<String> all = new ArrayList<>(idx.candidates().shortStaffed().all());
    Collections.shuffle(all, rnd);
    all.sort(Comparator.comparingInt(i -> idx.summary(i).size()));
    return all.size() <= k ? all : all.subList(0, k);
  }

  /** Up to {@code k} ready masters of items whose own R is 0: released, they are handed off. */
  static List<String> unreplicatedReadyMasters(AllocationIndex idx, int k) {
    // Kept apart (Candidates#myReadyUnreplicated): no walk over every ready master.
    List<String> all = idx.candidates().myReadyUnreplicated().all();
    return new ArrayList<>(all.size() <= k ? all : all.subList(0, k));
  }
}
