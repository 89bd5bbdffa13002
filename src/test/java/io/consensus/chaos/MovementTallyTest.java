package io.consensus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness's movement counts: (item, member) pairs placed and released, mastership changes. */
class MovementTallyTest {
  private static Route route(String... members) {
    List<RouteEntry> entries = new ArrayList<>();
    long rev = 1;
    for (String m : members) {
      entries.add(new RouteEntry(m, "ready", rev, rev, 7));
      rev++;
    }
    return new Route("item", entries);
  }

  private static MovementTally.Counts count(Route before, Route after) {
    MovementTally t = new MovementTally();
    t.count(5, before, after);
    return t.snapshot();
  }

  @Test
  void countsPlacementsReleasesAndMasterChanges() {
    assertEquals(new MovementTally.Counts(3, 0, 0, 0), count(Route.empty("item"), route("a", "b", "c")));
    assertEquals(new MovementTally.Counts(0, 3, 0, 0), count(route("a", "b", "c"), Route.empty("item")));
    assertEquals(new MovementTally.Counts(1, 1, 0, 0), count(route("a", "b", "c"), route("a", "b", "d")));
    // A reorder moves nothing but the master.
    assertEquals(new MovementTally.Counts(0, 0, 1, 0), count(route("a", "b", "c"), route("b", "a", "c")));
    assertEquals(new MovementTally.Counts(1, 1, 1, 0), count(route("a", "b"), route("c", "b")));
  }

  @Test
  void aMemberWithTwoEntriesCountsOnce() {
    // A route from etcd names a member once (one key each); one built by hand may repeat it: still one pair.
    assertEquals(new MovementTally.Counts(2, 0, 0, 0), count(Route.empty("item"), route("a", "b", "a")));
    assertEquals(new MovementTally.Counts(0, 0, 0, 0), count(route("a", "b"), route("a", "b", "a")));
    assertEquals(new MovementTally.Counts(0, 1, 0, 0), count(route("a", "b", "b"), route("a")));
  }

  @Test
  void journalNamesEachMove() {
    MovementTally t = new MovementTally();
    t.journal(true);
    t.count(9, route("a", "b"), route("b", "c"));
    assertEquals(List.of("9 item +c@1 -a@0 master a->b  [b, c]"), t.drainJournal());
  }
}
