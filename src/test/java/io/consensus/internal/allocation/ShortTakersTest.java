package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ShortTakersTest {
  /**
   * TAKE_SHORT's designation as the decider computed it before ShortTakers (46a497b), verbatim:
   * the rule concurrent members rely on computing alike.
   */
  static String reference(List<String> takers, List<Integer> rooms, String item, Route r, Predicate<String> keptOff) {
    String best = null;
    int bestRoom = 0;
    int bestHash = 0;
    int itemHash = item.hashCode() * 31;
    for (int t = 0; t < takers.size(); t++) {
      String m = takers.get(t);
      int room = rooms.get(t);
      if (best != null && room < bestRoom) {
        continue;
      }
      int h = AllocationDecider.mix(itemHash + m.hashCode());
      if ((best == null || room > bestRoom || h > bestHash) && r.index(m) < 0 && !keptOff.test(m)) {
        best = m;
        bestRoom = room;
        bestHash = h;
      }
    }
    return best;
  }

  private static Route route(String item, List<String> members) {
    List<RouteEntry> entries = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      entries.add(new RouteEntry(members.get(i), "ready", 10 + i, 10 + i, 1));
    }
    return new Route(item, entries);
  }

  /**
   * Random takers (names of equal hash among them: "Aa" and "BB"), rooms and short routes of up to R
   * entries among takers and others: the designation, the exact test and (on items this member holds
   * no entry of) the test told from hashes first agree with the reference on every item, zones'
   * exclusions included; the route is read only when the hashes cannot tell.
   */
  @Test
  void designatesAsTheRuleItReplaces() {
    Random rnd = new Random(17);
    int mineSeen = 0;
    int toldByHash = 0;
    int cases = 0;
    for (int round = 0; round < 400; round++) {
      int r = 1 + rnd.nextInt(3);
      List<String> takers = new ArrayList<>();
      List<Integer> rooms = new ArrayList<>();
      int n = 1 + rnd.nextInt(12);
      for (int t = 0; t < n; t++) {
        takers.add(t == 0 && rnd.nextBoolean() ? "Aa" : t == 1 && rnd.nextBoolean() ? "BB" : "m" + round + "-" + t);
        rooms.add(rnd.nextInt(4) - 1);
      }
      if (new HashSet<>(takers).size() < n) {
        continue;
      }
      int me = rnd.nextInt(n);
      List<String> others = List.of("gone1", "gone2", "full");
      ShortTakers st = new ShortTakers(takers, rooms, me, r);
      for (int i = 0; i < 200; i++) {
        String item = "item-" + rnd.nextInt(1_000_000);
        List<String> pool = new ArrayList<>(takers);
        pool.addAll(others);
        java.util.Collections.shuffle(pool, rnd);
        Route route = route(item, pool.subList(0, rnd.nextInt(r + 1)));
        String expected = reference(takers, rooms, item, route, m -> false);
        boolean mine = takers.get(me).equals(expected);
        int above = st.outranking(item);
        assertThat(st.outranking(item.hashCode())).isEqualTo(above);
        assertThat(st.tooManyAbove(above)).isEqualTo(above > r);
        boolean byHash = above == 0 || above > r;
        assertThat(st.designated(item, route, m -> false)).isEqualTo(expected);
        assertThat(st.isMine(item, route)).as("item %s route %s", item, route.entries()).isEqualTo(mine);
        if (route.index(takers.get(me)) < 0) {
          // A short-staffed item (this member holds no entry): told from the hashes when they can.
          boolean[] read = {false};
          assertThat(st.isMineShort(item, x -> {
            read[0] = true;
            return route;
          })).as("item %s route %s", item, route.entries()).isEqualTo(mine);
          assertThat(read[0]).isEqualTo(!byHash);
        }
        Set<String> off = new HashSet<>();
        takers.forEach(m -> {
          if (rnd.nextInt(4) == 0) {
            off.add(m);
          }
        });
        assertThat(st.designated(item, route, off::contains)).isEqualTo(reference(takers, rooms, item, route, off::contains));
        mineSeen += mine ? 1 : 0;
        toldByHash += byHash ? 1 : 0;
        cases++;
      }
    }
    // Both outcomes occur, and most items are told from the hashes alone.
    assertThat(mineSeen).isGreaterThan(cases / 20);
    assertThat(toldByHash).isGreaterThan(cases / 3);
  }

  @Test
  void aMemberNotPresentIsNobodysTaker() {
    ShortTakers st = new ShortTakers(List.of("a", "b"), List.of(1, 1), -1, 2);
    Route empty = route("x", List.of());
    assertThat(st.canBeDesignated()).isFalse();
    assertThat(st.isMineShort("x", i -> empty)).isFalse();
    assertThat(st.isMine("x", empty)).isFalse();
    assertThat(st.designated("x", empty, m -> false)).isIn("a", "b");
  }

  /** More members with more room than this one than a short route can hold: it is nobody's taker. */
  @Test
  void tooManyRoomierMembersLeaveNothingToThisOne() {
    ShortTakers st = new ShortTakers(List.of("a", "b", "me", "c"), List.of(2, 2, 1, 2), 2, 2);
    assertThat(st.canBeDesignated()).isFalse();
    for (int i = 0; i < 100; i++) {
      Route r = route("i" + i, List.of("a", "b"));
      assertThat(st.outranking("i" + i)).isGreaterThan(2);
      assertThat(st.isMineShort("i" + i, x -> r)).isFalse();
      assertThat(st.isMine("i" + i, r)).isFalse();
      assertThat(reference(List.of("a", "b", "me", "c"), List.of(2, 2, 1, 2), "i" + i, r, m -> false)).isEqualTo("c");
    }
  }

  /**
   * The decider's TAKE_SHORT picks on a refill after a crash (9 members, R=2, a third of the items
   * short): only items this member is the designated taker of, a full batch, each of its own items
   * equally likely to be picked (the picks of a uniform random order), as the sample it replaces.
   */
  @Test
  void takeShortPicksAreAUniformBatchOfOwnItems() {
    AllocationDeciderTest.View v = AllocationDeciderTest.View.refillAfterCrash(1800);
    AllocationIndex idx = v.index("m0", 2);
    ShortTakers st = ShortTakers.of(idx, idx.targets().total());
    List<String> takers = idx.presentMembers();
    Set<String> own = new HashSet<>();
    for (String item : idx.candidates().shortStaffed().all()) {
      List<Integer> rooms = new ArrayList<>();
      for (String m : takers) {
        int target = idx.totalTargetOf(m);
        rooms.add((target - idx.entriesOf(m)) * 4 / Math.max(1, target));
      }
      Route r = idx.summary(item).route();
      if ("m0".equals(reference(takers, rooms, item, r, m -> false))) {
        own.add(item);
      }
      assertThat(st.isMine(item, r)).isEqualTo(own.contains(item));
      assertThat(st.isMineShort(item, x -> r)).isEqualTo(own.contains(item));
    }
    assertThat(own.size()).isBetween(40, 120);
    AllocationDecider decider = new AllocationDecider(8);
    Map<String, Integer> picked = new HashMap<>();
    int decisions = 3000;
    for (int s = 0; s < decisions; s++) {
      Decision d = decider.decide(idx, AllocationDeciderTest.READY, new Random(s), null);
      assertThat(d.rule()).isEqualTo(Rule.TAKE_SHORT);
      List<String> items = d.actions().stream().map(Action::item).toList();
      assertThat(items).hasSize(8).doesNotHaveDuplicates();
      assertThat(own).containsAll(items);
      items.forEach(i -> picked.merge(i, 1, Integer::sum));
    }
    double expected = decisions * 8.0 / own.size();
    double chi2 = 0;
    for (String item : own) {
      double c = picked.getOrDefault(item, 0);
      chi2 += (c - expected) * (c - expected) / expected;
    }
    // own.size() - 1 degrees of freedom (at most 119): p = 1e-6 lies below 210.
    assertThat(chi2).isLessThan(210);
  }
}
