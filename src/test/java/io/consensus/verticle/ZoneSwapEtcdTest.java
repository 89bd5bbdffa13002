package io.consensus.verticle;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Zone swap repair through the verticle against real etcd: the layout of issue 20 (zones a, a, b,
 * b, c, c and a seventh member in c with itemLimit 5; 60 items, R=2), members joining one at a
 * time, ends with all 60 items over three distinct zones and masters at their targets.
 */
class ZoneSwapEtcdTest extends FleetTest {
  static final List<String> ITEMS = IntStream.range(0, 60).mapToObj(i -> String.format("item-%02d", i)).toList();

  static long distinct(Map<String, Route> routes) {
    return routes.values().stream()
        .filter(r -> r.entries().stream().map(e -> e.member().charAt(0)).distinct().count() == r.size()).count();
  }

  @Test
  void issueLayoutEndsWithEveryItemZoneDistinct() {
    // An order that leaves copies doubled in a zone while every member is at its target (seen in
    // the simulation: ZoneSwapSimulationTest, one by one).
    for (String m : List.of("c1", "b1", "a2", "a1", "b2", "c2", "c3")) {
      AllocatorOptions o = fleet.options(m, 2, ITEMS).setZone(m.substring(0, 1));
      if (m.equals("c3")) {
        o.setItemLimit(5);
      }
      fleet.deploy(o, ItemHandler.DEFAULT);
      fleet.awaitRoutes(ITEMS, "every item staffed after " + m + " joined", r -> r.values().stream()
          .allMatch(x -> x.size() == Math.min(3, fleet.members.size())));
      fleet.awaitQuiet();
    }
    Map<String, Route> routes = fleet.awaitRoutes(ITEMS, "60 of 60 items zone-distinct",
        r -> r.values().stream().allMatch(x -> x.size() == 3) && distinct(r) == 60);
    fleet.awaitQuiet();
    routes = fleet.routes(ITEMS);
    assertThat(distinct(routes)).isEqualTo(60);
    assertThat(routes.values()).allMatch(x -> x.size() == 3);
    Map<String, Integer> masters = fleet.mastersPerMember(routes);
    long actions = fleet.members.values().stream().mapToLong(v -> v.stats().actions()).sum();
    System.out.printf("zone swap etcd: masters %s, actions %d, placements %d%n", masters, actions,
        fleet.members.values().stream().mapToLong(v -> v.stats().placements()).sum());
    assertThat(masters.getOrDefault("c3", 0)).isLessThanOrEqualTo(5);
    // The six members without a limit share the rest evenly.
    List<Integer> unlimited = masters.entrySet().stream().filter(e -> !e.getKey().equals("c3"))
        .map(Map.Entry::getValue).toList();
    assertThat(unlimited).hasSize(6);
    int min = unlimited.stream().mapToInt(Integer::intValue).min().orElseThrow();
    int max = unlimited.stream().mapToInt(Integer::intValue).max().orElseThrow();
    assertThat(max - min).as("masters per member %s", masters).isLessThanOrEqualTo(1);
  }
}
