package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Item limits, per-item replication, drain and maintenance over random interleavings of members
 * acting on stale views (see {@link SimulatedFleet}).
 */
class PlacementSimulationTest {
  private static List<String> items(int n) {
    return ProtocolSimulationTest.items(n);
  }

  private static Runnable limitsHold(SimulatedFleet f, Map<String, Integer> limits) {
    return () -> limits.forEach((m, l) ->
        assertThat(f.entriesOf(m)).as("%s holds at most %d at rev %d", m, l, f.revision).isLessThanOrEqualTo(l));
  }

  @ParameterizedTest(name = "seed {0}, batch {1}")
  @CsvSource({"1,1", "2,16", "3,64", "4,64", "5,1", "6,16", "7,64", "8,128"})
  void limitsAreNeverExceededAndAShortfallIsStable(long seed, int batch) {
    // 30 items x R=2 = 90 slots; capacity 20 + 25 + 30 = 75: 15 unattainable.
    SimulatedFleet f = new SimulatedFleet(seed, 2, items(30), batch);
    f.syncPercent = 40;
    Map<String, Integer> limits = Map.of("a", 20, "b", 25, "c", 30);
    limits.forEach((m, l) -> f.join(m, "{\"itemLimit\": " + l + "}"));
    Runnable check = limitsHold(f, limits);
    assertThat(f.runToFixpoint(500_000, check)).as("converges").isTrue();
    Map<String, Route> routes = f.routes();
    assertThat(routes.values()).as("masters come first: every item has one").allMatch(r -> r.size() >= 1);
    assertThat(routes.values().stream().mapToInt(Route::size).sum()).as("every attainable slot is staffed")
        .isEqualTo(75);
    limits.forEach((m, l) -> assertThat(f.entriesOf(m)).isEqualTo(l));
    assertThat(f.members.get("a").index.unattainableSlots()).isEqualTo(15);
    // Idle: more rounds write nothing.
    long rev = f.revision;
    assertThat(f.runToFixpoint(20_000, check)).isTrue();
    assertThat(f.revision).as("no writes while idle with a shortfall").isEqualTo(rev);
    // A fourth member with room: the shortfall is gone, every item fully staffed.
    f.join("d");
    assertThat(f.runToFixpoint(500_000, check)).isTrue();
    assertThat(f.routes().values()).allMatch(r -> r.size() == 3);
    assertThat(f.members.get("a").index.unattainableSlots()).isZero();
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"11", "12", "13", "14", "15", "16"})
  void limitsAndWeightsShapeAFullyStaffedFleet(long seed) {
    SimulatedFleet f = new SimulatedFleet(seed, 1, items(60), 16);
    f.join("small", "{\"itemLimit\": 10}");
    f.join("big", "{\"weight\": 3}");
    f.join("plain", "{}");
    Runnable check = limitsHold(f, Map.of("small", 10));
    assertThat(f.runToFixpoint(500_000, check)).isTrue();
    assertThat(f.routes().values()).allMatch(r -> r.size() == 2);
    Map<String, Integer> masters = f.mastersPerMember();
    assertThat(masters.get("big")).as("weight 3 of 5 after small's cap").isGreaterThan(masters.get("plain"));
    assertThat(f.entriesOf("small")).isLessThanOrEqualTo(10);
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"21", "22", "23", "24", "25", "26", "27", "28"})
  void perItemReplicasGrowAndShrinkSafely(long seed) {
    SimulatedFleet f = new SimulatedFleet(seed, 1, items(20), 16);
    for (String m : List.of("a", "b", "c", "d")) {
      f.join(m);
    }
    f.putKey(f.keys.item("wide"), "{\"replicas\": 3}");
    assertThat(f.runToFixpoint(500_000, () -> { })).isTrue();
    assertThat(f.routes().get("wide").size()).isEqualTo(4);
    assertThat(f.routes().entrySet()).allMatch(e -> e.getKey().equals("wide") || e.getValue().size() == 2);
    // Shrink to R=1: released from the tail, never the master, never below 2 entries.
    String master = f.masterOf("wide");
    f.putKey(f.keys.item("wide"), "{\"replicas\": 1}");
    Runnable shrinking = () -> {
      assertThat(f.routes().get("wide").size()).as("at rev %d", f.revision).isGreaterThanOrEqualTo(2);
      assertThat(f.masterOf("wide")).isEqualTo(master);
    };
    assertThat(f.runToFixpoint(500_000, shrinking)).isTrue();
    assertThat(f.routes().get("wide").size()).isEqualTo(2);
    // A bad marker value is ignored: the fleet's R applies; a later good one grows the route.
    f.putKey(f.keys.item("wide"), "{\"replicas\": \"many\"}");
    assertThat(f.runToFixpoint(500_000, () -> { })).isTrue();
    assertThat(f.routes().get("wide").size()).isEqualTo(2);
    f.putKey(f.keys.item("wide"), "{\"replicas\": 2}");
    assertThat(f.runToFixpoint(500_000, () -> assertThat(f.routes().get("wide").size()).isGreaterThanOrEqualTo(2)))
        .isTrue();
    assertThat(f.routes().get("wide").size()).isEqualTo(3);
  }

  /**
   * Items at R = 0 among items at the fleet's R = 1 on 2 members: it livelocked, every entry
   * rewritten for ever (RELEASE_MASTER_OVER_TOTAL let go a master that came straight back by
   * TAKE_MASTERLESS or TAKE_AFTER_BACKOFF). The layouts and seeds are those that never settled.
   */
  @ParameterizedTest(name = "{0} items, {1} at R=0, seed {2}, batch {3}")
  @CsvSource({"3,2,1,1", "3,2,5,16", "5,2,2,1", "5,2,1,16", "5,2,4,16", "5,3,6,1", "7,2,6,1", "7,2,3,16",
      "7,3,1,1", "6,4,2,1"})
  void itemsAtRZeroAmongReplicatedItemsSettle(int n, int zeros, long seed, int batch) {
    SimulatedFleet f = new SimulatedFleet(seed, 1, List.of(), batch);
    f.join("m0");
    f.join("m1");
    Map<String, Integer> own = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      own.put("i" + i, i < zeros ? 0 : 1);
      f.putKey(f.keys.item("i" + i), i < zeros ? "{\"replicas\":0}" : "");
    }
    settlesStaffed(f, own);
  }

  /** Mixed per-item R (0, 1, 2) over 3 members with the fleet's R = 1: every item settles at its own R + 1. */
  @ParameterizedTest(name = "seed {0}, batch {1}")
  @CsvSource({"41,1", "42,16", "43,1", "44,16", "45,1", "46,64", "47,1", "48,16"})
  void mixedPerItemReplicasSettle(long seed, int batch) {
    SimulatedFleet f = new SimulatedFleet(seed, 1, List.of(), batch);
    f.syncPercent = 40;
    for (String m : List.of("a", "b", "c")) {
      f.join(m);
    }
    Map<String, Integer> own = new java.util.TreeMap<>();
    for (int i = 0; i < 11; i++) {
      int r = i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 2;
      own.put("i" + i, r);
      f.putKey(f.keys.item("i" + i), r == 1 ? "" : "{\"replicas\":" + r + "}");
    }
    settlesStaffed(f, own);
  }

  /** Runs {@code f} to a fixpoint: every item of {@code own} at its R + 1 entries, then idle. */
  private static void settlesStaffed(SimulatedFleet f, Map<String, Integer> own) {
    assertThat(f.runToFixpoint(200_000, () -> { })).as("settles (rev %d, actions %s)", f.revision, f.actionsByRule)
        .isTrue();
    Map<String, Route> routes = f.routes();
    own.forEach((item, r) -> assertThat(routes.get(item).size()).as("%s: %s", item, routes.get(item))
        .isEqualTo(r + 1));
    long rev = f.revision;
    assertThat(f.runToFixpoint(20_000, () -> { })).isTrue();
    assertThat(f.revision).as("no writes once settled").isEqualTo(rev);
  }

  @ParameterizedTest(name = "seed {0}, batch {1}")
  @CsvSource({"31,1", "32,16", "33,64", "34,64", "35,1", "36,16", "37,64", "38,128"})
  void aDrainedMemberEndsEmptyWithNoItemBelowR(long seed, int batch) {
    int r = 1;
    SimulatedFleet f = new SimulatedFleet(seed, r, items(40), batch);
    f.syncPercent = 40;
    for (String m : List.of("a", "b", "c", "d")) {
      f.join(m);
    }
    assertThat(f.runToFixpoint(500_000, () -> { })).isTrue();
    Runnable safe = () -> f.routes().forEach((item, route) -> {
      assertThat(route.size()).as("%s at rev %d", route, f.revision).isGreaterThanOrEqualTo(r);
    });
    f.putKey(f.keys.drained("a"), "{}");
    assertThat(f.runToFixpoint(500_000, safe)).isTrue();
    assertThat(f.entriesOf("a")).as("drained member holds nothing").isZero();
    assertThat(f.store).containsKey(f.keys.member("a"));
    assertThat(f.routes().values()).allMatch(route -> route.size() == r + 1);
    // Undrained, it takes its share again.
    f.delete(List.of(f.keys.drained("a")));
    assertThat(f.runToFixpoint(500_000, safe)).isTrue();
    assertThat(f.mastersPerMember().get("a")).isEqualTo(10);
    // Drained through its own member key value (config "drained": true) works the same.
    f.putMember("b", "{\"drained\": true}");
    assertThat(f.runToFixpoint(500_000, safe)).isTrue();
    assertThat(f.entriesOf("b")).isZero();
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"41", "42", "43", "44", "45", "46"})
  void maintenanceKeepsItemsStaffedButMakesNoBalancingMove(long seed) {
    int r = 1;
    SimulatedFleet f = new SimulatedFleet(seed, r, items(30), 16);
    for (String m : List.of("a", "b", "c")) {
      f.join(m);
    }
    assertThat(f.runToFixpoint(500_000, () -> { })).isTrue();
    f.putKey(f.keys.maintenance(), "{}");
    f.actionsByRule.clear();
    f.join("d");
    assertThat(f.runToFixpoint(500_000, () -> { })).isTrue();
    assertThat(f.entriesOf("d")).as("no balancing towards a new member").isZero();
    // A crash: items are still re-staffed and mastered.
    f.crash("a");
    assertThat(f.runToFixpoint(500_000, () -> { })).isTrue();
    assertThat(f.routes().values()).allMatch(route -> route.size() == r + 1);
    assertThat(f.actionsByRule.keySet()).as("rules acted during maintenance")
        .doesNotContain(Rule.HAND_OFF_MASTER, Rule.STEP_ASIDE, Rule.SURPLUS_REPLICA, Rule.RELEASE_MASTER_OVER_TOTAL,
            Rule.FORCED_HANDOFF, Rule.MAKE_ROOM);
    // Maintenance off: balancing resumes.
    f.delete(List.of(f.keys.maintenance()));
    assertThat(f.runToFixpoint(500_000, () -> { })).isTrue();
    assertThat(f.mastersPerMember().values()).allMatch(n -> n == 10);
  }
}
