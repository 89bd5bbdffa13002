package io.consensus.internal.allocation;

import io.consensus.route.Route;
import java.util.HashMap;
import java.util.Map;

/**
 * Masters and entries per member across all items, as far as this view knows: lets a hand-off
 * prefer a successor that wants more, and an over-full member see who can take a replica.
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
final class MemberLoad {
  // A mutable count per member (Tally: no boxed Integer per change; a member is dropped at zero).
  private final Map<String, int[]> mastersByMember = new HashMap<>();
  private final Map<String, int[]> entriesByMember = new HashMap<>();

  /** Counts ({@code add}) or uncounts the entries of {@code s}'s route. */
  void count(ItemSummary s, boolean add) {
    if (s.size() == 0) {
      return;
    }
    int d = add ? 1 : -1;
    Route r = s.route();
    Tally.add(mastersByMember, r.memberAt(0), d);
    for (int i = 0; i < r.size(); i++) {
      Tally.add(entriesByMember, r.memberAt(i), d);
    }
  }

  /** Items whose master is {@code member}. */
  int mastersOf(String member) {
    return Tally.of(mastersByMember, member);
  }

  /** Items whose master is none of {@code present} (a member leaving, or gone with its lease not yet expired). */
  int mastersOfAbsent(java.util.Set<String> present) {
    return Tally.sumExcept(mastersByMember, present);
  }

  /** Entries held by members that are none of {@code present} (leaving, or gone with their lease not yet expired). */
  int entriesOfAbsent(java.util.Set<String> present) {
    return Tally.sumExcept(entriesByMember, present);
  }

  /** Entries {@code member} holds in any position. */
  int entriesOf(String member) {
    return Tally.of(entriesByMember, member);
  }
}
