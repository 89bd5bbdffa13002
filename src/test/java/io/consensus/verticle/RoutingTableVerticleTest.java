package io.consensus.verticle;

import io.consensus.etcd.EtcdClientOptions;
import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.admin.AdminClient;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.etcd.EtcdValues;
import io.consensus.internal.route.Items;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.route.RoutingTable;
import io.consensus.spectator.RoutingTableOptions;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.tree.KeyTree;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A spectator follows a fleet of real allocators through converge, hand-off, crash and item
 * removal; every route it published and its final table are checked against etcd's history
 * at the same revision.
 */
class RoutingTableVerticleTest extends FleetTest {
  static final List<String> ITEMS = List.of("a", "b", "c", "d", "e", "f");

  EtcdConnection conn;

  @BeforeEach
  void setUp() {
    conn = fleet.onContext(() -> new EtcdConnection(fleet.vertx, etcd.server().endpoints(), Duration.ofSeconds(5)));
  }

  @AfterEach
  void tearDown() {
    await(fleet.onContext(conn::close));
  }

  AllocatorVerticle deploy(String member) {
    return fleet.deploy(fleet.options(member, 1, ITEMS)
        .setMetadata(new JsonObject().put("host", "host-" + member).put("port", 8080)), ItemHandler.DEFAULT);
  }

  /** Every item's route as etcd held it at {@code revision}. */
  Map<String, Route> routesAt(long revision) {
    var kvs = await(fleet.onContext(() -> conn.unary(KVGrpc.getRangeMethod(), RangeRequest.newBuilder()
        .setKey(EtcdKeys.bytes(fleet.root + "/")).setRangeEnd(EtcdKeys.prefixEnd(fleet.root + "/"))
        .setRevision(revision).build()).map(r -> r.getKvsList().stream().map(EtcdValues::keyValue).toList())));
    Map<String, Route> out = new TreeMap<>();
    Items.walk(KeyTree.fromSnapshot(fleet.root, revision, kvs), ITEMS, out::put);
    return out;
  }

  static List<String> members(Route r) {
    return r == null ? null : r.entries().stream().map(RouteEntry::member).toList();
  }

  static Map<String, List<String>> membersByItem(Map<String, Route> routes) {
    Map<String, List<String>> out = new TreeMap<>();
    routes.forEach((item, r) -> out.put(item, members(r)));
    return out;
  }

  static Map<String, List<String>> membersByItem(RoutingTable t) {
    Map<String, List<String>> out = new TreeMap<>();
    t.routes().forEach(r -> out.put(r.item(), members(r)));
    return out;
  }

  /** Waits until the spectator has seen etcd's current revision and returns its table then. */
  RoutingTable caughtUp(RoutingTableVerticle spectator) {
    long rev = etcd.server().currentRevision();
    RoutingTable t = await(spectator.awaitRevision(rev));
    assertThat(t.revision()).isGreaterThanOrEqualTo(rev);
    return t;
  }

  @Test
  void followsAFleetThroughConvergeHandOffCrashAndItemRemoval() {
    List<RouteChange> published = new CopyOnWriteArrayList<>();
    List<JsonObject> onBus = new CopyOnWriteArrayList<>();
    fleet.vertx.eventBus().<JsonObject>consumer("test.spectator", m -> onBus.add(m.body()));
    RoutingTableVerticle spectator = new RoutingTableVerticle(new RoutingTableOptions()
        .setEndpoints(etcd.server().endpoints()).setRoot(fleet.root).setReplicas(1).setItems(ITEMS)
        .setAddress("test.spectator").setName("gateway")).onChange(published::add);
    await(fleet.vertx.deployVerticle(spectator));
    long writesBefore = etcd.server().currentRevision();

    // Converge.
    deploy("m1");
    deploy("m2");
    fleet.awaitRoutes(ITEMS, "converged", r -> r.values().stream().allMatch(x -> x.size() == 2));
    fleet.awaitQuiet();
    RoutingTable t = caughtUp(spectator);
    assertThat(membersByItem(t)).isEqualTo(membersByItem(fleet.routes(ITEMS)));
    assertThat(spectator.items()).containsExactlyElementsOf(ITEMS);
    for (String item : ITEMS) {
      String master = spectator.masterOf(item).member();
      assertThat(t.masterInfoOf(item).metadata().getString("host")).isEqualTo("host-" + master);
      assertThat(spectator.routeOf(item).entries()).hasSize(2);
    }
    // Members' own route messages carry each entry's member metadata too.
    RouteChange seenByM1 = fleet.routeLog.get("m1").get(fleet.routeLog.get("m1").size() - 1);
    assertThat(seenByM1.masterMetadata().getString("host")).isEqualTo("host-" + seenByM1.route().master().member());
    assertThat(RouteChange.fromJson(seenByM1.toJson()).metadata()).isEqualTo(seenByM1.metadata());

    // Hand-off: m3 joins, m1 leaves gracefully.
    deploy("m3");
    fleet.undeploy("m1");
    fleet.awaitRoutes(ITEMS, "m1 handed off", r -> r.values().stream()
        .allMatch(x -> x.size() == 2 && x.index("m1") < 0));
    fleet.awaitQuiet();
    t = caughtUp(spectator);
    assertThat(membersByItem(t)).isEqualTo(membersByItem(fleet.routes(ITEMS)));

    // Crash: m2 dies without revoking; once the spectator has seen the revision at which etcd
    // dropped m2's lease, it never names m2 again.
    await(fleet.members.get("m2").kill());
    fleet.undeploy("m2");
    fleet.awaitRoutes(ITEMS, "m2's lease expired", r -> r.values().stream().allMatch(x -> x.index("m2") < 0));
    t = caughtUp(spectator);
    for (Route r : t.routes()) {
      assertThat(r.index("m2")).as("m2 in %s", r).isLessThan(0);
    }
    assertThat(t.members().get("m2").present()).isFalse(); // remembered as departed, with its metadata
    fleet.awaitRoutes(ITEMS, "m3 alone holds everything", r -> r.values().stream().allMatch(x -> x.size() == 1));

    // An item added, staffed, then removed (marker and entries in one transaction), as the
    // admin CLI and API do it.
    AdminClient admin = fleet.onContext(() -> AdminClient.create(fleet.vertx,
        new EtcdClientOptions().setEndpoints(etcd.server().endpoints()), fleet.root, ITEMS, 1));
    await(fleet.onContext(() -> admin.addItem("x", null)));
    fleet.awaitRoutes(List.of(), "x staffed", r -> r.containsKey("x") && r.get("x").size() == 1);
    t = caughtUp(spectator);
    assertThat(t.masterOf("x").member()).isEqualTo("m3");
    long removedAt = await(fleet.onContext(() -> admin.removeItem("x")));
    assertThat(await(spectator.awaitRevision(removedAt)).routeOf("x")).isNull();
    fleet.awaitRoutes(List.of(), "x gone", r -> !r.containsKey("x"));
    t = caughtUp(spectator);
    assertThat(t.routeOf("x")).isNull();
    assertThat(t.items()).doesNotContain("x");
    assertThat(published).anyMatch(c -> c.item().equals("x") && c.removed());

    // Every published change matches etcd at the change's revision, and the spectator wrote nothing.
    Map<Long, List<RouteChange>> byRevision = published.stream()
        .collect(Collectors.groupingBy(RouteChange::revision, TreeMap::new, Collectors.toList()));
    for (Map.Entry<Long, List<RouteChange>> e : byRevision.entrySet()) {
      Map<String, Route> truth = routesAt(e.getKey());
      for (RouteChange c : e.getValue()) {
        assertThat(c.member()).isEqualTo("gateway");
        if (c.removed()) {
          assertThat(truth).as("item %s at %d", c.item(), e.getKey()).doesNotContainKey(c.item());
        } else {
          assertThat(members(c.route())).as("route of %s at %d", c.item(), e.getKey())
              .isEqualTo(members(truth.get(c.item())));
        }
      }
    }
    assertThat(membersByItem(t)).isEqualTo(membersByItem(routesAt(t.revision())));
    awaitSize(onBus, published.size());
    assertThat(new ArrayList<>(onBus)).isEqualTo(published.stream().map(RouteChange::toJson).toList());
    assertThat(writesBefore).isLessThan(etcd.server().currentRevision()); // the fleet did write
    // The table answers on the event bus in the members' table shape.
    JsonObject table = fleet.request("test.spectator.table", null);
    assertThat(table.getString("member")).isEqualTo("gateway");
    assertThat(table.getJsonArray("routes")).hasSize(ITEMS.size());
  }

  @Test
  void aSpectatorStartedLateReadsTheWholeTableAndTakesNoLease() {
    deploy("m1");
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> r.values().stream().allMatch(x -> x.size() == 1));
    fleet.awaitQuiet();
    long rev = etcd.server().currentRevision();
    RoutingTableVerticle spectator = new RoutingTableVerticle();
    await(fleet.vertx.deployVerticle(spectator, new io.vertx.core.DeploymentOptions().setConfig(
        new RoutingTableOptions().setEndpoints(etcd.server().endpoints()).setRoot(fleet.root)
            .setItems(ITEMS).toJson())));
    RoutingTable t = spectator.table();
    assertThat(t.revision()).isGreaterThanOrEqualTo(rev);
    assertThat(t.items()).containsExactlyElementsOf(ITEMS);
    ITEMS.forEach(i -> assertThat(t.masterOf(i).member()).isEqualTo("m1"));
    assertThat(t.members().keySet()).containsExactly("m1");
    assertThat(t.members().get("m1").present()).isTrue();
    assertThat(t.counters().itemsWithoutMaster()).isZero();
    assertThat(etcd.server().currentRevision()).isEqualTo(rev); // nothing written
  }

  private static void awaitSize(List<JsonObject> onBus, int n) {
    io.consensus.testing.Await.until("bus messages delivered", TestFleet.WAIT, () -> onBus.size() >= n);
  }
}
