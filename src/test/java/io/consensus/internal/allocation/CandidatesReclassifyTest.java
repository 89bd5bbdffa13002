package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Moving an item from its old summary's sets to its new one's, touching only the sets that differ,
 * leaves every set and count as removing it by the old summary and adding it by the new one does,
 * and as classifying the current summaries from scratch does: on random summaries (routes of random
 * members and sizes, R 0..3, random flags), items coming, changing and going.
 */
class CandidatesReclassifyTest {
  private static final List<String> MEMBERS = List.of("me", "a", "b", "c", "d");
  private static final int ITEMS = 30;

  @Test
  void touchingOnlyDifferingSetsEqualsRemoveAllThenAddAll() {
    Random rnd = new Random(42);
    Candidates moved = new Candidates(2);
    Candidates removedAndAdded = new Candidates(2);
    Map<String, ItemSummary> summaries = new HashMap<>();
    Map<String, boolean[]> flags = new HashMap<>(); // doubled, loading, zoneDoubled when classified
    Set<String> nonEmpty = new TreeSet<>();
    for (int step = 0; step < 20_000; step++) {
      String item = "i" + rnd.nextInt(ITEMS);
      ItemSummary old = summaries.get(item);
      boolean[] was = flags.get(item);
      ItemSummary now = rnd.nextInt(10) == 0 ? null : randomSummary(item, rnd);
      boolean[] is = {rnd.nextInt(3) == 0, rnd.nextInt(3) == 0, rnd.nextInt(3) == 0};
      if (old == null && now == null) {
        continue;
      }
      if (now == null) {
        moved.reclassify(old, was[1], null, false, false, false);
        summaries.remove(item);
        flags.remove(item);
      } else {
        moved.reclassify(old, old != null && was[1], now, is[0], is[1], is[2]);
        summaries.put(item, now);
        flags.put(item, is);
      }
      if (old != null) {
        removedAndAdded.reclassify(old, was[1], null, false, false, false); // removed whole
      }
      if (now != null) {
        removedAndAdded.reclassify(null, false, now, is[0], is[1], is[2]); // added whole
      }
      Map<String, Object> expected = contents(removedAndAdded);
      assertThat(contents(moved)).as("step %d, %s -> %s", step, old, now).isEqualTo(expected);
      expected.forEach((k, v) -> {
        if (!v.equals(Set.of()) && !v.equals(Map.of()) && !v.equals(0)) {
          nonEmpty.add(k.replaceAll("\\[.*", ""));
        }
      });
      if (step % 1000 == 999) {
        Candidates fresh = new Candidates(2);
        summaries.forEach((i, s) -> {
          boolean[] f = flags.get(i);
          fresh.reclassify(null, false, s, f[0], f[1], f[2]);
        });
        assertThat(contents(moved)).as("step %d from scratch", step).isEqualTo(contents(fresh));
      }
    }
    // Every set and count was reached (equal empty sets would prove nothing).
    assertThat(nonEmpty).containsAll(contents(moved).keySet().stream().map(k -> k.replaceAll("\\[.*", "")).toList());
  }

  private static ItemSummary randomSummary(String item, Random rnd) {
    int size = rnd.nextInt(MEMBERS.size() + 1);
    List<String> shuffled = new ArrayList<>(MEMBERS);
    java.util.Collections.shuffle(shuffled, rnd);
    List<RouteEntry> entries = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      entries.add(new RouteEntry(shuffled.get(i), "ready", 10 + rnd.nextInt(5), 20, 1));
    }
    Route route = new Route(item, entries);
    int myIndex = route.index("me");
    int replicas = rnd.nextInt(4);
    return new ItemSummary(route, false, 1, myIndex, myIndex >= 0 && rnd.nextInt(5) > 0, rnd.nextBoolean(),
        rnd.nextInt(4) == 0, replicas, rnd.nextInt(4) == 0);
  }

  /** Every set and count {@code c} keeps, by name, as plain sets and maps. */
  private static Map<String, Object> contents(Candidates c) {
    Map<String, Object> out = new TreeMap<>();
    out.put("empty", set(c.empty()));
    out.put("shortStaffed", set(c.shortStaffed()));
    out.put("myMasters", set(c.myMasters()));
    out.put("myReplicas", set(c.myReplicas()));
    out.put("myExtras", set(c.myExtras()));
    out.put("myReadyMasters", set(c.myReadyMasters()));
    out.put("myAdoptable", set(c.myAdoptable()));
    out.put("myDoubled", set(c.myDoubled()));
    out.put("myForeign", set(c.myForeign()));
    out.put("myLoading", set(c.myLoading()));
    out.put("zoneDoubled", set(c.zoneDoubled()));
    out.put("myCrowded", set(c.myCrowded()));
    out.put("myFullReplicas", set(c.myFullReplicas()));
    out.put("myReadyUnreplicated", set(c.myReadyUnreplicated()));
    out.put("myMovable", sets(c.myMovable()));
    out.put("myReadyBySuccessor", sets(c.myReadyBySuccessor()));
    out.put("myHandOffBySuccessor", sets(c.myHandOffBySuccessor()));
    out.put("myReadyByLater", sets(c.myReadyByLater()));
    for (String m : MEMBERS) {
      out.put("myHandOffBehind[" + m + "]", c.myHandOffBehind(m));
    }
    Map<String, Object> nextInLine = new TreeMap<>();
    c.myNextInLine().forEach((master, bySecond) -> nextInLine.put(master, sets(bySecond)));
    out.put("myNextInLine", nextInLine);
    Map<String, Object> behindFirst = new TreeMap<>();
    c.myBehindFirst().forEach((master, byFirst) -> {
      Map<String, Integer> counts = new TreeMap<>();
      byFirst.forEach((first, n) -> counts.put(first, n[0]));
      behindFirst.put(master, counts);
    });
    out.put("myBehindFirst", behindFirst);
    return out;
  }

  private static Set<String> set(IndexedSet s) {
    assertThat(new TreeSet<>(s.all())).hasSize(s.size()); // no item twice
    return new TreeSet<>(s.all());
  }

  private static Map<String, Set<String>> sets(Map<String, IndexedSet> m) {
    Map<String, Set<String>> out = new TreeMap<>();
    m.forEach((k, v) -> {
      assertThat(v.isEmpty()).as("no empty set kept, key %s", k).isFalse();
      out.put(k, set(v));
    });
    return out;
  }
}
