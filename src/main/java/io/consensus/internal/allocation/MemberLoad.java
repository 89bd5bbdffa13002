package io.consensus.internal.allocation;

import io.consensus.route.RouteEntry;
import java.util.HashMap;
import java.util.Map;

/**
 * Masters and entries per member across all items, as far as this view knows: lets a hand-off
 * prefer a successor that wants more, and an over-full member see who can take a replica.
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
final class MemberLoad {
  private final Map<String, Integer> mastersByMember = new HashMap<>();
  private final Map<String, Integer> entriesByMember = new HashMap<>();

  /** Counts ({@code add}) or uncounts the entries of {@code s}'s route. */
  void count(ItemSummary s, boolean add) {
    if (s.size() == 0) {
      return;
    }
    int d = add ? 1 : -1;
    mastersByMember.merge(s.route().master().member(), d, MemberLoad::sum);
    for (RouteEntry e : s.route().entries()) {
      entriesByMember.merge(e.member(), d, MemberLoad::sum);
    }
  }

  private static Integer sum(int a, int b) {
    return a + b == 0 ? null : a + b;
  }

  /** Items whose master is {@code member}. */
  int mastersOf(String member) {
    return mastersByMember.getOrDefault(member, 0);
  }

  /** Entries {@code member} holds in any position. */
  int entriesOf(String member) {
    return entriesByMember.getOrDefault(member, 0);
  }
}
