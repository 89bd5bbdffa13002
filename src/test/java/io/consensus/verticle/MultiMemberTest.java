package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The Go package's multi-member scenarios, against real etcd. */
class MultiMemberTest extends FleetTest {
  static final List<String> FIXED = List.of("bar", "baz", "foo");

  static boolean allHave(Map<String, Route> routes, int entries) {
    return !routes.isEmpty() && routes.values().stream().allMatch(r -> r.size() == entries);
  }

  @Test
  void twoMembersStaffItemsAddedAndRemovedOutOfBand() {
    fleet.deploy("m1", 1, FIXED);
    fleet.deploy("m2", 1, FIXED);
    fleet.awaitRoutes(FIXED, "master + replica everywhere", r -> allHave(r, 2));

    // A new item marker appears: it gets master + replica too.
    etcd.server().put(fleet.root + "/items/new-item", "");
    fleet.awaitRoutes(FIXED, "new-item staffed", r -> r.size() == 4 && allHave(r, 2));
    fleet.awaitQuiet();

    // Delete new-item (marker and entries prefix) and fixed item bar: bar comes back.
    int logBefore = routeMessages("m1", "new-item").size();
    etcd.server().delete(fleet.root + "/items/new-item");
    etcd.server().deletePrefix(fleet.root + "/items/new-item/");
    etcd.server().deletePrefix(fleet.root + "/items/bar/");
    fleet.awaitRoutes(FIXED, "bar restaffed, new-item gone", r -> !r.containsKey("new-item") && allHave(r, 2));
    fleet.awaitQuiet();
    List<RouteChange> after = routeMessages("m1", "new-item").subList(logBefore, routeMessages("m1", "new-item").size());
    // The deleted item's last message says it was removed; nothing follows it.
    assertThat(after).isNotEmpty();
    assertThat(after.get(after.size() - 1).removed()).isTrue();
    assertThat(fleet.keys()).noneMatch(kv -> kv.key().startsWith(fleet.root + "/items/new-item"));
  }

  List<RouteChange> routeMessages(String member, String item) {
    return fleet.routeLog.get(member).stream().filter(c -> c.item().equals(item)).toList();
  }

  @Test
  void deadlockSimple() {
    List<String> items = List.of("item-1", "item-2");
    fleet.deploy("m1", 1, List.of());
    fleet.deploy("m2", 1, List.of());
    items.forEach(i -> etcd.server().put(fleet.root + "/items/" + i, ""));
    fleet.awaitRoutes(List.of(), "two items fully staffed", r -> r.size() == 2 && allHave(r, 2));
    fleet.deploy("m3", 1, List.of());
    etcd.server().put(fleet.root + "/items/item-3", "");
    fleet.awaitRoutes(List.of(), "three items with 2 entries each", r -> r.size() == 3 && allHave(r, 2));
    fleet.awaitQuiet();
    assertThat(allHave(fleet.routes(List.of()), 2)).isTrue();
  }

  @Test
  void deadlockExtendedWithRollingRestart() {
    // R=2, 240 items, four members; then a rolling restart of one member. Seed-faithful
    // mode (one action per round) so the action count compares with the Go package's.
    List<String> items = IntStream.range(0, 240).mapToObj(i -> String.format("item-%03d", i)).toList();
    List<AllocatorVerticle> started = new ArrayList<>();
    for (String m : List.of("m1", "m2", "m3", "m4")) {
      started.add(fleet.deploy(fleet.options(m, 2, items).setMaxBatch(1), ItemHandler.DEFAULT));
    }
    fleet.awaitRoutes(items, "240 items with 3 entries", r -> allHave(r, 3));
    long actionsBefore = started.stream().mapToLong(v -> v.stats().actions()).sum();
    fleet.undeploy("m1");
    AllocatorVerticle again = fleet.deploy(fleet.options("m1", 2, items).setMaxBatch(1), ItemHandler.DEFAULT);
    Map<String, Route> end = fleet.awaitRoutes(items, "240 items with 3 entries after the roll", r -> allHave(r, 3));
    fleet.awaitQuiet();
    long actions = started.stream().mapToLong(v -> v.stats().actions()).sum() + again.stats().actions();
    assertThat(allHave(end, 3)).isTrue();
    Map<String, Integer> masters = fleet.mastersPerMember(fleet.routes(items));
    assertThat(masters.values()).allSatisfy(n -> assertThat(n).isBetween(59, 61));
    System.out.printf("deadlock extended: %d actions to converge, %d in all%n", actionsBefore, actions);
    assertThat(actions).isLessThan(2_500);
  }

  @Test
  void handOff() {
    fleet.deploy("m1", 1, FIXED);
    fleet.awaitRoutes(FIXED, "m1 masters all", r -> fleet.mastersPerMember(r).equals(Map.of("m1", 3)));

    fleet.deploy("m2", 1, FIXED);
    fleet.awaitRoutes(FIXED, "2/1 split, m1 keeps 2", r -> allHave(r, 2)
        && fleet.mastersPerMember(r).equals(Map.of("m1", 2, "m2", 1)));
    fleet.awaitQuiet();

    fleet.undeploy("m1");
    fleet.deploy("m3", 1, FIXED);
    Map<String, Route> r23 = fleet.awaitRoutes(FIXED, "2/1 split between m2 and m3", r -> allHave(r, 2)
        && fleet.mastersPerMember(r).keySet().equals(java.util.Set.of("m2", "m3")));
    assertThat(fleet.mastersPerMember(r23).values()).containsExactlyInAnyOrder(1, 2);
    fleet.awaitQuiet();

    fleet.undeploy("m2");
    fleet.awaitRoutes(FIXED, "m3 masters all with one entry each", r -> allHave(r, 1)
        && fleet.mastersPerMember(r).equals(Map.of("m3", 3)));

    // m3 alone cannot hand off (the Go test set R to 0 here): with no other member left it
    // leaves at once, well before its hand-off timeout (20 s), and every route is empty.
    long cancelled = System.nanoTime();
    long exitedAt = await(fleet.cancel("m3"));
    assertThat(exitedAt).isPositive();
    assertThat(System.nanoTime() - cancelled).isLessThan(java.time.Duration.ofSeconds(10).toNanos());
    assertThat(fleet.events.get("m3")).anySatisfy(e -> assertThat(e.detail()).isEqualTo("no member left to hand off to"));
    assertThat(fleet.routes(FIXED).values()).allSatisfy(r -> assertThat(r.isEmpty()).isTrue());
  }
}
