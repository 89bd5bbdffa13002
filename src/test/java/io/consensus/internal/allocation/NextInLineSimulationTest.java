package io.consensus.internal.allocation;

import static io.consensus.internal.allocation.ProtocolSimulationTest.assertConverged;
import static io.consensus.internal.allocation.ProtocolSimulationTest.items;
import static io.consensus.internal.allocation.ProtocolSimulationTest.safety;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Rule#NEXT_IN_LINE} over random interleavings of members acting on stale views: the fleet
 * settles (quiet: no member left wanting to write) with the first replicas behind every master
 * within one of each other, and a crash then promotes the master's items evenly, so that a member
 * that crashes and comes back (slow to act, as a process) costs about the minimum of mastership
 * changes. Issue 20, item 4 (real processes: 47 / 9 / 4 of 60 promoted to the three survivors).
 */
class NextInLineSimulationTest {

  /** Counts of (master, first replica) over the fleet's routes, from the store. */
  static Map<String, Map<String, Integer>> firsts(SimulatedFleet f) {
    Map<String, Map<String, Integer>> out = new TreeMap<>();
    for (Route r : f.routes().values()) {
      if (r.size() >= 3) {
        out.computeIfAbsent(r.memberAt(0), m -> new TreeMap<>()).merge(r.memberAt(1), 1, Integer::sum);
      }
    }
    return out;
  }

  /**
   * The rule's fixpoint: on every route [M, X, Y, ...], X stands first behind M at most once more
   * than Y. With {@code spread}, also: the members that hold copies of M's items stand first
   * within two of each other (within one, except where no route links the two ends: X ahead of Z by
   * two, every route of X with Y second, none with Z). Not after a return: a member holding fewer
   * of M's items than its share cannot stand first on more of them (a reorder moves no copy).
   */
  static void assertEvenFirsts(SimulatedFleet f, String what, boolean spread) {
    Map<String, Map<String, Integer>> firsts = firsts(f);
    Map<String, java.util.Set<String>> holders = new TreeMap<>();
    for (Route r : f.routes().values()) {
      Map<String, Integer> c = firsts.getOrDefault(r.memberAt(0), Map.of());
      assertThat(c.getOrDefault(r.memberAt(1), 0) - c.getOrDefault(r.memberAt(2), 0))
          .as("%s: first replicas behind %s %s (%s)", r, r.memberAt(0), c, what).isLessThanOrEqualTo(1);
      holders.computeIfAbsent(r.memberAt(0), m -> new java.util.TreeSet<>()).addAll(List.of(r.memberAt(1), r.memberAt(2)));
    }
    for (Map.Entry<String, Map<String, Integer>> e : spread ? firsts.entrySet() : Map.<String, Map<String, Integer>>of().entrySet()) {
      List<Integer> counts = holders.get(e.getKey()).stream().map(m -> e.getValue().getOrDefault(m, 0)).toList();
      int max = counts.stream().max(Integer::compare).orElse(0);
      int min = counts.stream().min(Integer::compare).orElse(0);
      assertThat(max - min).as("first replicas behind %s: %s (%s)", e.getKey(), e.getValue(), what)
          .isLessThanOrEqualTo(2);
    }
  }

  @ParameterizedTest(name = "seed {0}, sync {1} %, batch {2}")
  @CsvSource({"1,100,64", "2,60,64", "3,30,64", "4,100,1", "5,60,1", "6,30,1", "7,20,16", "8,45,64"})
  void theFirstReplicasSettleEvenAndACrashPromotesEvenly(long seed, int sync, int batch) {
    SimulatedFleet f = new SimulatedFleet(seed, 2, items(240), batch);
    f.syncPercent = sync;
    for (String m : List.of("m1", "m2", "m3", "m4")) {
      f.join(m);
    }
    String what = "seed " + seed + ", sync " + sync + ", batch " + batch;
    assertThat(f.runToFixpoint(2_000_000, () -> { })).as("quiet: %s", what).isTrue();
    assertConverged(f, 2);
    assertEvenFirsts(f, what, true);
    int reorders = f.actionsByRule.getOrDefault(Rule.NEXT_IN_LINE, 0);
    int masterChanges = f.masterChanges;
    int placements = f.placements;

    // Crash m1: its 60 items are promoted to their first replicas, about 20 to each survivor.
    Map<String, Integer> promoted = new TreeMap<>(firsts(f).get("m1"));
    f.crash("m1");
    assertThat(f.mastersPerMember().values()).as("masters right after the crash: %s (promoted %s)", what, promoted)
        .allMatch(n -> n >= 79 && n <= 81);
    // The survivors restaff; m1 comes back slow to act (a process reading its first snapshot).
    assertThat(f.runToFixpoint(2_000_000, safety(f, 2, what))).isTrue();
    f.join("m1").asleepUntil = f.rounds + 3000;
    assertThat(f.runToFixpoint(2_000_000, safety(f, 2, what))).as("quiet after the return: %s", what).isTrue();
    assertConverged(f, 2);
    assertEvenFirsts(f, what + ", after the return", false);
    int changes = 60 + f.masterChanges - masterChanges; // the crash's 60 promotions, then the moves
    System.out.printf("next in line %s: %d reorders to converge; crash + return: %d mastership changes, %d placements,"
        + " %d reorders; promoted %s; rules %s%n", what, reorders, changes, f.placements - placements,
        f.actionsByRule.getOrDefault(Rule.NEXT_IN_LINE, 0) - reorders, promoted, f.actionsByRule);
    // 60 at the crash and 60 back: the minimum, within 1.2 x (issue 20, item 4).
    assertThat(changes).as("mastership changes: %s, rules %s", what, f.actionsByRule).isLessThanOrEqualTo(144);
  }
}
