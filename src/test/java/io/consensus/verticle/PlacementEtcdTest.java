package io.consensus.verticle;

import io.consensus.internal.member.FleetControl;
import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import io.consensus.tree.KeyValue;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Item limits, per-item replication, drain and maintenance through the verticle, against real etcd. */
class PlacementEtcdTest extends FleetTest {
  static final List<String> ITEMS = IntStream.range(0, 10).mapToObj(i -> "item-" + i).toList();

  static int entriesOf(Map<String, Route> routes, String member) {
    return (int) routes.values().stream().filter(r -> r.index(member) >= 0).count();
  }

  String memberValue(String member) {
    return fleet.keys().stream().filter(kv -> kv.key().equals(fleet.root + "/members/" + member))
        .map(KeyValue::value).findFirst().orElse(null);
  }

  @Test
  void limitsHoldAndTheShortfallIsReported() {
    AllocatorVerticle a = fleet.deploy(fleet.options("a", 1, ITEMS).setItemLimit(6).setZone("z1"),
        ItemHandler.DEFAULT);
    fleet.deploy(fleet.options("b", 1, ITEMS).setItemLimit(6), ItemHandler.DEFAULT);
    // 10 items x 2 = 20 slots, room for 12: every item mastered, 8 slots unattainable.
    Map<String, Route> routes = fleet.awaitRoutes(ITEMS, "12 entries, every item mastered", r ->
        r.values().stream().allMatch(x -> x.size() >= 1) && r.values().stream().mapToInt(Route::size).sum() == 12);
    assertThat(entriesOf(routes, "a")).isEqualTo(6);
    assertThat(entriesOf(routes, "b")).isEqualTo(6);
    fleet.awaitQuiet();
    assertThat(a.stats().unattainableSlots()).isEqualTo(8);
    assertThat(a.isHealthy()).isTrue();
    assertThat(a.healthReason()).isEqualTo("unattainable slots: 8");
    assertThat(await(a.summary()).getLong("unattainableSlots")).isEqualTo(8);
    assertThat(new JsonObject(memberValue("a"))).isEqualTo(new JsonObject().put("zone", "z1").put("itemLimit", 6));
    // A third member with room: the shortfall goes away.
    fleet.deploy("c", 1, ITEMS);
    fleet.awaitRoutes(ITEMS, "every item fully staffed", r -> MultiMemberTest.allHave(r, 2));
    TestFleet.awaitCondition("shortfall cleared", () -> a.stats().unattainableSlots() == 0, () -> "");
    assertThat(a.healthReason()).isEqualTo("ok");
  }

  @Test
  void perItemReplicasFromConfigAndMarkersChangeAtRunTime() {
    for (String m : List.of("a", "b", "c", "d")) {
      fleet.deploy(fleet.options(m, 1, List.of("plain")).addItem("wide", 3), ItemHandler.DEFAULT);
    }
    List<String> fixed = List.of("plain", "wide");
    fleet.awaitRoutes(fixed, "wide at 4 entries, plain at 2", r -> r.get("wide").size() == 4
        && r.get("plain").size() == 2);
    etcd.server().put(fleet.root + "/items/solo", "{\"replicas\": 0}");
    fleet.awaitRoutes(fixed, "solo at 1 entry", r -> r.containsKey("solo") && r.get("solo").size() == 1);
    fleet.awaitQuiet();
    etcd.server().put(fleet.root + "/items/solo", "{\"replicas\": 2}");
    Map<String, Route> grown = fleet.awaitRoutes(fixed, "solo grown to 3", r -> r.get("solo").size() == 3);
    String master = grown.get("solo").master().member();
    fleet.awaitQuiet();
    etcd.server().put(fleet.root + "/items/solo", "{\"replicas\": 1}");
    Map<String, Route> shrunk = fleet.awaitRoutes(fixed, "solo shrunk to 2", r -> r.get("solo").size() == 2);
    assertThat(shrunk.get("solo").master().member()).as("the master stays").isEqualTo(master);
    // A bad marker value is ignored (logged): the fleet's R applies.
    etcd.server().put(fleet.root + "/items/solo", "{\"replicas\": \"three\"}");
    fleet.awaitQuiet();
    assertThat(fleet.routes(fixed).get("solo").size()).isEqualTo(2);
    assertThat(fleet.members.values()).allMatch(AllocatorVerticle::isHealthy);
  }

  /**
   * Items at R = 0 among items at the fleet's R = 1 on 2 members: the fleet settles (it used to
   * rewrite every entry for ever, RELEASE_MASTER_OVER_TOTAL against TAKE_MASTERLESS and
   * TAKE_AFTER_BACKOFF; see PlacementSimulationTest#itemsAtRZeroAmongReplicatedItemsSettle).
   */
  @Test
  void itemsAtRZeroAmongReplicatedItemsSettle() {
    Map<String, Integer> own = new java.util.TreeMap<>();
    for (int i = 0; i < 7; i++) {
      own.put("i" + i, i < 2 ? 0 : 1);
      etcd.server().put(fleet.root + "/items/i" + i, i < 2 ? "{\"replicas\": 0}" : "");
    }
    fleet.deploy("a", 1, List.of());
    fleet.deploy("b", 1, List.of());
    fleet.awaitRoutes(List.of(), "every item at its own R + 1", r -> own.entrySet().stream()
        .allMatch(e -> r.containsKey(e.getKey()) && r.get(e.getKey()).size() == e.getValue() + 1));
    fleet.awaitQuiet();
    Map<String, Route> routes = fleet.routes(List.of());
    own.forEach((item, r) -> assertThat(routes.get(item).size()).as("%s", item).isEqualTo(r + 1));
  }

  @Test
  void drainHandsEverythingOffAndUndrainTakesAShareAgain() {
    AllocatorVerticle a = fleet.deploy("a", 1, ITEMS);
    fleet.deploy("b", 1, ITEMS);
    fleet.deploy("c", 1, ITEMS);
    fleet.awaitRoutes(ITEMS, "fully staffed", r -> MultiMemberTest.allHave(r, 2));
    fleet.awaitQuiet();
    await(a.drain());
    assertThat(fleet.keys()).anyMatch(kv -> kv.key().equals(fleet.root + "/drained/a"));
    fleet.awaitRoutes(ITEMS, "a empty, fully staffed", r -> entriesOf(r, "a") == 0 && MultiMemberTest.allHave(r, 2));
    assertThat(a.isHealthy()).isTrue();
    assertThat(a.healthReason()).isEqualTo("drained");
    assertThat(a.isDrained()).isTrue();
    fleet.awaitQuiet();
    assertThat(entriesOf(fleet.routes(ITEMS), "a")).as("takes nothing while drained").isZero();
    await(a.undrain());
    fleet.awaitRoutes(ITEMS, "a masters its share again", r -> fleet.mastersPerMember(r).getOrDefault("a", 0) >= 3
        && MultiMemberTest.allHave(r, 2));
    assertThat(a.healthReason()).isEqualTo("ok");

    // Started drained from config: the member key says so; undrain() rewrites it.
    AllocatorVerticle d = fleet.deploy(fleet.options("d", 1, ITEMS).setDrained(true), ItemHandler.DEFAULT);
    assertThat(new JsonObject(memberValue("d")).getBoolean("drained")).isTrue();
    fleet.awaitQuiet();
    assertThat(entriesOf(fleet.routes(ITEMS), "d")).isZero();
    assertThat(d.healthReason()).isEqualTo("drained");
    await(d.undrain());
    fleet.awaitRoutes(ITEMS, "d takes a share", r -> fleet.mastersPerMember(r).getOrDefault("d", 0) >= 2);
    assertThat(new JsonObject(memberValue("d")).containsKey("drained")).isFalse();
    assertThat(d.options().isDrained()).as("options() stay as configured").isTrue();
  }

  @Test
  void anOperatorDrainsAnotherMemberAndTheDrainOutlivesItsProcess() {
    fleet.deploy("a", 1, ITEMS);
    fleet.deploy("b", 1, ITEMS);
    fleet.deploy("c", 1, ITEMS);
    fleet.awaitRoutes(ITEMS, "fully staffed", r -> MultiMemberTest.allHave(r, 2));
    await(fleet.onContext(() -> FleetControl.drain(fleetConn(), fleet.root, "b")));
    fleet.awaitRoutes(ITEMS, "b empty, fully staffed", r -> entriesOf(r, "b") == 0 && MultiMemberTest.allHave(r, 2));
    TestFleet.awaitCondition("b reports drained", () -> fleet.members.get("b").healthReason().equals("drained"),
        () -> fleet.members.get("b").healthReason());
    // b restarts: the drain key has no lease, so the new process is drained from the start.
    fleet.undeploy("b");
    AllocatorVerticle b = fleet.deploy("b", 1, ITEMS);
    fleet.awaitQuiet();
    assertThat(entriesOf(fleet.routes(ITEMS), "b")).isZero();
    assertThat(b.isDrained()).isTrue();
    await(fleet.onContext(() -> FleetControl.undrain(fleetConn(), fleet.root, "b")));
    fleet.awaitRoutes(ITEMS, "b takes a share again", r -> fleet.mastersPerMember(r).getOrDefault("b", 0) >= 3
        && MultiMemberTest.allHave(r, 2));
  }

  @Test
  void maintenanceStopsBalancingButNotFailover() {
    fleet.deploy("a", 1, ITEMS);
    fleet.deploy("b", 1, ITEMS);
    fleet.awaitRoutes(ITEMS, "fully staffed", r -> MultiMemberTest.allHave(r, 2));
    fleet.awaitQuiet();
    long on = await(fleet.onContext(() -> FleetControl.maintenance(fleetConn(), fleet.root, true)));
    assertThat(on).isPositive();
    fleet.deploy("c", 1, ITEMS);
    fleet.awaitQuiet();
    assertThat(entriesOf(fleet.routes(ITEMS), "c")).as("no balancing towards c").isZero();
    // Failover and re-staffing still happen.
    await(fleet.members.get("a").kill());
    fleet.awaitRoutes(ITEMS, "re-staffed without a", r -> entriesOf(r, "a") == 0 && MultiMemberTest.allHave(r, 2));
    await(fleet.onContext(() -> FleetControl.maintenance(fleetConn(), fleet.root, false)));
    fleet.awaitRoutes(ITEMS, "balanced again", r -> fleet.mastersPerMember(r).getOrDefault("c", 0) == 5
        && fleet.mastersPerMember(r).getOrDefault("b", 0) == 5 && MultiMemberTest.allHave(r, 2));
  }

  static long zonesOf(Route r) {
    return r.entries().stream().map(e -> e.member().substring(0, 2)).distinct().count();
  }

  @Test
  void entriesSpreadOverZonesAndAZoneLossIsRestaffedInTheOthers() {
    List<String> items = IntStream.range(0, 13).mapToObj(i -> "item-" + i).toList();
    for (int i = 0; i < 2; i++) {
      for (int z = 0; z < 3; z++) {
        String m = "z" + z + "-m" + i;
        fleet.deploy(fleet.options(m, 2, items).setZone("zone-" + z), ItemHandler.DEFAULT);
      }
    }
    fleet.awaitRoutes(items, "every item over 3 zones", r -> r.values().stream()
        .allMatch(x -> x.size() == 3 && zonesOf(x) == 3));
    fleet.awaitQuiet();
    // Zone 0 dies: both its members crash.
    await(fleet.members.get("z0-m0").kill());
    await(fleet.members.get("z0-m1").kill());
    fleet.awaitRoutes(items, "re-staffed over the 2 zones left", r -> r.values().stream()
        .allMatch(x -> x.size() == 3 && zonesOf(x) == 2 && !x.master().member().startsWith("z0")));
  }

  private io.consensus.internal.etcd.EtcdConnection fleetConn() {
    return fleet.conn();
  }
}
