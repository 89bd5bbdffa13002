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
  // A mutable count per member (no boxed Integer per change; a member is dropped at zero).
  private final Map<String, int[]> mastersByMember = new HashMap<>();
  private final Map<String, int[]> entriesByMember = new HashMap<>();

  /** Counts ({@code add}) or uncounts the entries of {@code s}'s route. */
  void count(ItemSummary s, boolean add) {
    if (s.size() == 0) {
      return;
    }
    int d = add ? 1 : -1;
    Route r = s.route();
    add(mastersByMember, r.memberAt(0), d);
    for (int i = 0; i < r.size(); i++) {
      add(entriesByMember, r.memberAt(i), d);
    }
  }

  private static void add(Map<String, int[]> counts, String member, int d) {
    int[] c = counts.computeIfAbsent(member, m -> new int[1]);
    c[0] += d;
    if (c[0] == 0) {
      counts.remove(member);
    }
  }

  /** Items whose master is {@code member}. */
  int mastersOf(String member) {
    int[] c = mastersByMember.get(member);
    return c == null ? 0 : c[0];
  }

  /** Items whose master is none of {@code present} (a member leaving, or gone with its lease not yet expired). */
  int mastersOfAbsent(java.util.Set<String> present) {
    int n = 0;
    for (Map.Entry<String, int[]> e : mastersByMember.entrySet()) {
      if (!present.contains(e.getKey())) {
        n += e.getValue()[0];
      }
    }
    return n;
  }

  /** Entries held by members that are none of {@code present} (leaving, or gone with their lease not yet expired). */
  int entriesOfAbsent(java.util.Set<String> present) {
    int n = 0;
    for (Map.Entry<String, int[]> e : entriesByMember.entrySet()) {
      if (!present.contains(e.getKey())) {
        n += e.getValue()[0];
      }
    }
    return n;
  }

  /** Entries {@code member} holds in any position. */
  int entriesOf(String member) {
    int[] c = entriesByMember.get(member);
    return c == null ? 0 : c[0];
  }
}
