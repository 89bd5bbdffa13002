package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Zone spread over random interleavings of members acting on stale views (see {@link SimulatedFleet}). */
class ZoneSimulationTest {
  static String zoneOf(String member) {
    return "z" + member.charAt(1);
  }

  static long spread(Map<String, Route> routes) {
    return routes.values().stream().filter(r -> {
      Set<String> zs = new HashSet<>();
      for (RouteEntry e : r.entries()) {
        zs.add(zoneOf(e.member()));
      }
      return zs.size() == r.size();
    }).count();
  }

  static SimulatedFleet zonedFleet(long seed, int replicas, int items, int zones, int perZone, int batch) {
    SimulatedFleet f = new SimulatedFleet(seed, replicas, ProtocolSimulationTest.items(items), batch);
    f.syncPercent = 40;
    for (int i = 0; i < perZone; i++) {
      for (int z = 0; z < zones; z++) {
        String m = "m" + z + "-" + i;
        f.join(m, "{\"zone\": \"" + zoneOf(m) + "\"}");
      }
    }
    return f;
  }

  /**
   * The fixpoint condition of the zone rules: no item has two entries in one zone while a zone it
   * lacks has a member with room under its total target.
   */
  static void assertNoRepairableDoubling(SimulatedFleet f) {
    AllocationIndex view = f.members.values().iterator().next().index;
    Map<String, Integer> room = new java.util.HashMap<>();
    for (String m : view.presentMembers()) {
      int free = view.totalTargetOf(m) - view.entriesOf(m);
      if (free > 0) {
        room.merge(zoneOf(m), free, Integer::sum);
      }
    }
    f.routes().forEach((item, route) -> {
      Set<String> zs = new HashSet<>();
      route.entries().forEach(e -> zs.add(zoneOf(e.member())));
      if (zs.size() < route.size()) {
        assertThat(room.keySet()).as("%s doubled in a zone while a missing zone has room %s", route, room)
            .allMatch(zs::contains);
      }
    });
  }

  @ParameterizedTest(name = "seed {0}, batch {1}, items {2}")
  @CsvSource({"1,16,120", "2,64,120", "3,1,60", "4,64,121", "5,16,250", "6,128,250", "7,16,100", "8,64,130"})
  void entriesSpreadOverZonesAndSurviveAZoneLoss(long seed, int batch, int items) {
    int r = 2;
    SimulatedFleet f = zonedFleet(seed, r, items, 3, 4, batch);
    assertThat(f.runToFixpoint(2_000_000, () -> { })).isTrue();
    Map<String, Route> routes = f.routes();
    System.out.printf("seed %d items %d: spread %d of %d, actions %d, rules %s%n", seed, items, spread(routes),
        routes.size(), f.actions, f.actionsByRule);
    assertThat(routes.values()).allMatch(x -> x.size() == r + 1);
    assertNoRepairableDoubling(f);
    assertThat(spread(routes)).as("items with every copy in its own zone").isGreaterThanOrEqualTo(items * 9L / 10);

    // Zone z0 dies: every member of it crashes at once. Items fail over and are re-staffed in
    // the two zones left, each item over both of them.
    for (String m : List.copyOf(f.members.keySet())) {
      if (zoneOf(m).equals("z0")) {
        f.crash(m);
      }
    }
    assertThat(f.routes().values()).as("a master right after the loss").allMatch(x -> x.size() >= 1);
    assertThat(f.runToFixpoint(2_000_000, () -> { })).isTrue();
    Map<String, Route> after = f.routes();
    assertThat(after.values()).allMatch(x -> x.size() == r + 1);
    assertNoRepairableDoubling(f);
    long overBoth = after.values().stream()
        .filter(x -> x.entries().stream().map(e -> zoneOf(e.member())).distinct().count() == 2).count();
    System.out.printf("seed %d items %d after losing z0: %d of %d over both zones left%n", seed, items, overBoth,
        after.size());
    assertThat(overBoth).as("items over both zones left").isGreaterThanOrEqualTo(items * 9L / 10);
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"21", "22", "23"})
  void withoutZonesNothingChanges(long seed) {
    // Members that declare no zone are unconstrained: the zone rules never act.
    SimulatedFleet f = new SimulatedFleet(seed, 2, ProtocolSimulationTest.items(60), 16);
    for (String m : List.of("a", "b", "c", "d")) {
      f.join(m);
    }
    assertThat(f.runToFixpoint(1_000_000, () -> { })).isTrue();
    assertThat(f.actionsByRule).doesNotContainKey(Rule.ZONE_SPREAD);
  }
}
