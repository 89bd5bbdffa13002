package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * takesInFlight 2: a member sends its next batch of copies while the last awaits its answer, and
 * the fleet still converges and refills after a crash as it does one transaction at a time (every
 * item R+1 entries, masters even, nearly one write per copy).
 */
class TakesInFlightTest extends FleetTest {
  static final List<String> ITEMS = IntStream.range(0, 1_500).mapToObj(i -> String.format("item-%04d", i)).toList();

  private AllocatorVerticle deploy(String name) {
    return fleet.deploy(fleet.options(name, 1, ITEMS).setMaxBatch(16).setTakesInFlight(2), ItemHandler.DEFAULT);
  }

  @Test
  void takesGoOutBesideTakesInFlightAndTheFleetConvergesAndRefillsAsBefore() {
    AllocatorVerticle a = deploy("a");
    AllocatorVerticle b = deploy("b");
    AllocatorVerticle c = deploy("c");
    fleet.awaitRoutes(ITEMS, "every item 2 entries, 500 masters each", routes -> routes.values().stream()
        .allMatch(r -> r.size() == 2) && fleet.mastersPerMember(routes).values().stream().allMatch(n -> n == 500));
    fleet.awaitQuiet();
    List<AllocatorVerticle> all = List.of(a, b, c);
    long pipelined = all.stream().mapToLong(m -> m.stats().pipelinedTransactions()).sum();
    long creates = all.stream().mapToLong(m -> m.stats().creates()).sum();
    assertThat(pipelined).as("transactions sent beside another").isPositive();
    // 3,000 entries: copies placed for nothing (collisions, then released) stay few.
    assertThat(creates).isBetween(3_000L, 3_300L);

    // c crashes: once etcd expires its lease, a and b place a copy of each item c held.
    Map<String, Route> before = fleet.routes(ITEMS);
    long held = before.values().stream().filter(r -> r.index("c") >= 0).count();
    long createsBefore = a.stats().creates() + b.stats().creates();
    long pipelinedBefore = a.stats().pipelinedTransactions() + b.stats().pipelinedTransactions();
    await(c.kill());
    fleet.awaitRoutes(ITEMS, "every item on a and b", routes -> routes.values().stream()
        .allMatch(r -> r.size() == 2 && r.index("a") >= 0 && r.index("b") >= 0));
    long refill = a.stats().creates() + b.stats().creates() - createsBefore;
    assertThat(refill).isBetween(held, held + held / 10);
    assertThat(a.stats().pipelinedTransactions() + b.stats().pipelinedTransactions()).isGreaterThan(pipelinedBefore);
    // No entry of c survived in any route, and no item holds a member twice.
    assertThat(fleet.routes(ITEMS).values()).allSatisfy(r ->
        assertThat(r.entries().stream().map(RouteEntry::member).distinct().count()).isEqualTo(r.size()));
  }
}
