package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static io.consensus.verticle.TestFleet.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.config.ConfigException;
import io.consensus.route.Role;
import io.consensus.route.Route;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.consensus.internal.etcd.EtcdConnection;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

/** Crashes, lease loss, bad input and foreign keys, against real etcd. */
class FailureTest extends FleetTest {
  static final List<String> ITEMS = List.of("a", "b", "c", "d", "e", "f");

  static boolean allHave(Map<String, Route> routes, int entries) {
    return routes.values().stream().allMatch(r -> r.size() == entries);
  }

  @Test
  void aKilledMemberIsReplacedAndItsMastersFailOverToTheirReplicas() {
    for (String m : List.of("m1", "m2", "m3")) {
      fleet.deploy(m, 1, ITEMS);
    }
    Map<String, Route> before = fleet.awaitRoutes(ITEMS, "converged", r -> allHave(r, 2)
        && fleet.mastersPerMember(r).values().stream().allMatch(n -> n == 2));
    fleet.awaitQuiet();
    Map<String, String> successor = new HashMap<>();
    before.forEach((item, r) -> {
      if (r.master().member().equals("m2")) {
        successor.put(item, r.entries().get(1).member());
      }
    });
    assertThat(successor).isNotEmpty();
    int seen = fleet.routeLog.get("m1").size();

    await(fleet.members.get("m2").kill());
    fleet.undeploy("m2"); // releases the verticle; its lease is left to expire
    Map<String, Route> after = fleet.awaitRoutes(ITEMS, "m2's entries expired and replaced", r -> allHave(r, 2)
        && r.values().stream().allMatch(x -> x.index("m2") < 0));
    assertThat(fleet.mastersPerMember(after).keySet()).containsOnly("m1", "m3");
    // The first route m1 saw for each of m2's items after the kill names the former replica
    // as master: failover needed no action.
    fleet.awaitQuiet(); // m1's view, and so its route log, has caught up with etcd
    List<RouteChange> log = fleet.routeLog.get("m1").subList(seen, fleet.routeLog.get("m1").size());
    successor.forEach((item, next) -> {
      RouteChange first = log.stream().filter(c -> c.item().equals(item) && c.route().index("m2") < 0)
          .findFirst().orElseThrow();
      assertThat(first.route().master().member()).as("new master of %s", item).isEqualTo(next);
    });
  }

  @Test
  void leaseLossTellsTheApplicationAtOnceThenRejoins() {
    AllocatorVerticle m = fleet.deploy("m1", 0, ITEMS);
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> allHave(r, 1));
    fleet.awaitQuiet();
    long oldLease = m.leaseId();
    int seen = fleet.routeLog.get("m1").size();

    etcd.server().revokeLease(oldLease);
    TestFleet.awaitCondition("lease-lost messages for every item", () -> fleet.routeLog.get("m1")
        .subList(seen, fleet.routeLog.get("m1").size()).stream()
        .filter(c -> c.reason().equals(RouteChange.LEASE_LOST)).map(RouteChange::item).distinct().count()
        == ITEMS.size(), () -> "log " + fleet.routeLog.get("m1"));
    List<RouteChange> log = fleet.routeLog.get("m1").subList(seen, fleet.routeLog.get("m1").size());
    // Nothing claims mastership between the loss and the lease-lost messages.
    int firstLost = 0;
    while (!log.get(firstLost).reason().equals(RouteChange.LEASE_LOST)) {
      assertThat(log.get(firstLost).role()).isNotEqualTo(Role.MASTER);
      firstLost++;
    }
    assertThat(log.stream().filter(c -> c.reason().equals(RouteChange.LEASE_LOST)))
        .allSatisfy(c -> assertThat(c.role()).isEqualTo(Role.NONE));
    assertThat(fleet.events.get("m1")).anySatisfy(e -> assertThat(e.kind()).isEqualTo(AllocatorEvent.Kind.LEASE_LOST));

    // It rejoins with a new lease and masters everything again.
    fleet.awaitRoutes(ITEMS, "m1 masters all again", r -> allHave(r, 1));
    TestFleet.awaitCondition("table shows m1 master again", () -> await(m.routes()).values().stream()
        .allMatch(c -> c.role() == Role.MASTER), () -> "");
    assertThat(m.leaseId()).isNotEqualTo(oldLease);
    assertThat(m.stats().leaseLosses()).isEqualTo(1);
  }

  @Test
  void etcdDownLongerThanTheTtlDemotesTheMemberBeforeItsLeaseCanExpire() {
    AllocatorVerticle m = fleet.deploy("m1", 0, ITEMS);
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> allHave(r, 1));
    fleet.awaitQuiet();
    int seen = fleet.routeLog.get("m1").size();
    long lastAck = m.leaseKeeper().lastAcknowledgedAt();
    long ttlMillis = m.leaseKeeper().ttlSeconds() * 1000;
    etcd.server().stop();
    try {
      TestFleet.awaitCondition("demoted", () -> fleet.routeLog.get("m1").size() >= seen + ITEMS.size(), () -> "");
      long demotedAt = System.nanoTime() / 1_000_000;
      assertThat(demotedAt).as("demoted before lastAck + TTL").isLessThan(lastAck + ttlMillis);
      assertThat(fleet.routeLog.get("m1").subList(seen, seen + ITEMS.size()))
          .allSatisfy(c -> assertThat(c.role()).isEqualTo(Role.NONE));
    } finally {
      etcd.server().launch();
    }
    fleet.awaitRoutes(ITEMS, "m1 masters all after etcd is back", r -> allHave(r, 1)
        && r.values().stream().allMatch(x -> x.master().lease() == m.leaseId()));
  }

  @Test
  void theHandOffTimeoutBoundsACancelWhenNoReplicaIsReady() {
    fleet.deploy("m1", 1, ITEMS);
    // m2's replicas never become ready for promotion: m1 cannot hand off its masters.
    fleet.deploy(fleet.options("m2", 1, ITEMS), new ItemHandler() {
      @Override
      public String itemState(String item) {
        return "warming";
      }
    });
    fleet.awaitRoutes(ITEMS, "every item staffed", r -> allHave(r, 2));
    fleet.awaitQuiet();
    fleet.members.get("m1").handoffTimeoutSeconds(1);
    long cancelled = System.nanoTime();
    await(fleet.cancel("m1"));
    assertThat(System.nanoTime() - cancelled).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(1).toNanos());
    assertThat(fleet.events.get("m1")).anySatisfy(e -> assertThat(e.detail()).isEqualTo("hand-off timeout"));
    // Its lease is revoked on exit: m2's replicas are masters now, with no entry of m1 left.
    fleet.awaitRoutes(ITEMS, "m1 gone", r -> r.values().stream().allMatch(x -> x.index("m1") < 0 && x.size() >= 1));
  }

  @Test
  void aRestartedMemberWaitsForItsOldIncarnationToExpire() {
    fleet.deploy("m1", 0, ITEMS);
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> allHave(r, 1));
    await(fleet.members.get("m1").kill());
    fleet.undeploy("m1");
    // Without waiting, the old member key (lease not yet expired) makes the start fail.
    Throwable exists = awaitFailure(fleet.vertx.deployVerticle(new AllocatorVerticle(fleet.options("m1", 0, ITEMS))));
    assertThat(exists).isInstanceOf(MemberExistsException.class);
    // With waitForMemberSeconds it starts once the old lease expired, and takes the items back.
    AllocatorVerticle again = fleet.deploy(fleet.options("m1", 0, ITEMS).setWaitForMemberSeconds(20),
        ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "m1 masters all on its new lease", r -> allHave(r, 1)
        && r.values().stream().allMatch(x -> x.master().lease() == again.leaseId()));
  }

  @Test
  void badNamesAreRefusedAndNothingIsWritten() {
    long rev = etcd.server().currentRevision();
    Throwable member = awaitFailure(fleet.vertx.deployVerticle(new AllocatorVerticle(fleet.options("a/b", 0, ITEMS))));
    assertThat(member).isInstanceOf(ConfigException.class).hasMessageContaining("'member'")
        .hasMessageContaining("must not contain '/'");
    Throwable item = awaitFailure(fleet.vertx.deployVerticle(
        new AllocatorVerticle(fleet.options("m1", 0, List.of("ok", "x/y")))));
    assertThat(item).hasMessageContaining("'items'").hasMessageContaining("invalid item name 'x/y'");
    Throwable empty = awaitFailure(fleet.vertx.deployVerticle(
        new AllocatorVerticle(fleet.options("", 0, ITEMS))));
    assertThat(empty).hasMessageContaining("must not be empty");
    Throwable root = awaitFailure(fleet.vertx.deployVerticle(
        new AllocatorVerticle(fleet.options("m1", 0, ITEMS).setRoot("/x/"))));
    assertThat(root).hasMessageContaining("'root'");
    Throwable replicas = awaitFailure(fleet.vertx.deployVerticle(
        new AllocatorVerticle(fleet.options("m1", -1, ITEMS))));
    assertThat(replicas).hasMessageContaining("'replicas'");
    assertThat(etcd.server().currentRevision()).isEqualTo(rev);
    // cancelItem refuses a bad item name too, without writing.
    AllocatorVerticle m = fleet.deploy("m1", 0, ITEMS);
    fleet.awaitQuiet();
    long rev2 = etcd.server().currentRevision();
    assertThat(awaitFailure(m.cancelItem("x/y"))).hasMessageContaining("invalid item name");
    assertThat(etcd.server().currentRevision()).isEqualTo(rev2);
  }

  @Test
  void foreignKeysUnderTheRootDoNotDisturbTheAllocator() {
    String r = fleet.root;
    etcd.server().put(r + "/foo", "x");
    etcd.server().put(r + "/members", "a key where a directory is");
    etcd.server().put(r + "/items", "same for items");
    etcd.server().put(r + "/items//empty-segment", "");
    etcd.server().put(r + "/items/z/m9/deep/er", "out of band");
    AllocatorVerticle m = fleet.deploy("m1", 1, List.of("a", "b"));
    fleet.deploy("m2", 1, List.of("a", "b"));
    Map<String, Route> routes = fleet.awaitRoutes(List.of("a", "b"), "a, b and z staffed",
        x -> x.get("a").size() == 2 && x.get("b").size() == 2 && x.get("z").size() == 2);
    assertThat(routes.get("z").master().member()).isEqualTo("m9");
    // Keys arriving while running are fine too.
    etcd.server().put(r + "/items/a/m1/deeper", "odd");
    etcd.server().put(r + "/unrelated/x", "y");
    fleet.awaitQuiet();
    assertThat(m.isHealthy()).isTrue();
    assertThat(fleet.routes(List.of("a", "b")).get("b").size()).isEqualTo(2);
  }

  @Test
  void aMemberKeyWithoutALeaseIsIgnoredAndTheFleetSettles() {
    etcd.server().put(fleet.root + "/members/ghost", "{}"); // written by hand: no lease
    fleet.deploy("m1", 1, ITEMS);
    fleet.deploy("m2", 1, ITEMS);
    Map<String, Route> routes = fleet.awaitRoutes(ITEMS, "every item staffed, masters split 3/3", r -> allHave(r, 2)
        && fleet.mastersPerMember(r).values().stream().allMatch(n -> n == 3));
    assertThat(fleet.mastersPerMember(routes)).containsOnlyKeys("m1", "m2");
    // Quiet: the members stop writing, no surplus master is handed around.
    fleet.awaitQuiet();
    assertThat(fleet.members.values()).allSatisfy(m -> assertThat(m.isHealthy()).isTrue());
  }

  @Test
  void aRestartedIncarnationsMemberKeyDoesNotStopTheOldOneFromHandingOff() {
    AllocatorVerticle old = fleet.deploy(fleet.options("m1", 1, ITEMS).setHandoffTimeoutSeconds(45), ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> allHave(r, 1));
    // m2's replicas stay "warming" (not ready for promotion) until the new incarnation is in:
    // that holds the old one's hand-off back, as a slow hand-off under load would.
    AllocatorVerticle m2 = fleet.deploy(fleet.options("m2", 1, ITEMS), new ItemHandler() {
      @Override
      public String itemState(String item) {
        return "warming";
      }
    });
    fleet.awaitRoutes(ITEMS, "every item staffed", r -> allHave(r, 2));
    fleet.awaitQuiet();

    long createsAtCancel = old.stats().creates();
    Future<Long> oldExited = fleet.cancel("m1");
    // The restarted process of the same name creates the member key as soon as it is gone.
    AllocatorVerticle again = new AllocatorVerticle(fleet.options("m1", 1, ITEMS).setWaitForMemberSeconds(30));
    await(fleet.vertx.deployVerticle(again));
    TestFleet.awaitCondition("the new incarnation's member key", () -> fleet.keys().stream()
        .anyMatch(kv -> kv.key().equals(fleet.root + "/members/m1") && kv.lease() == again.leaseId()), () -> "");
    ITEMS.forEach(item -> await(m2.reportState(item, "ready")));

    await(oldExited);
    assertThat(fleet.events.get("m1")).filteredOn(e -> e.kind() == AllocatorEvent.Kind.EXITED)
        .singleElement().satisfies(e -> assertThat(e.detail()).isEqualTo("handed off"));
    assertThat(old.stats().creates()).as("the leaving incarnation took nothing").isEqualTo(createsAtCancel);
    fleet.awaitRoutes(ITEMS, "staffed without the old lease", r -> allHave(r, 2)
        && r.values().stream().allMatch(x -> x.entries().stream().noneMatch(e -> e.lease() == old.leaseId())));
  }

  @Test
  void junkUnderTheRootNeitherStallsNorLoops() {
    String r = fleet.root;
    AllocatorVerticle m1 = fleet.deploy("m1", 1, List.of("a", "b"));
    fleet.deploy("m2", 1, List.of("a", "b"));
    fleet.awaitRoutes(List.of("a", "b"), "staffed", x -> allHave(x, 2));
    fleet.awaitQuiet();
    // Non-UTF-8 bytes in keys and values, a 1 MB value, deep keys, an unknown member's entry,
    // member keys without a lease and one nested under a member name.
    EtcdConnection raw = fleet.onContext(() -> new EtcdConnection(fleet.vertx, etcd.server().endpoints(),
        java.time.Duration.ofSeconds(5)));
    byte[] bad = {(byte) 0xff, (byte) 0xfe, (byte) 0x80};
    com.google.protobuf.ByteString items = io.consensus.internal.etcd.EtcdKeys.bytes(r + "/items/");
    List<com.google.protobuf.ByteString[]> kvs = List.of(
        new com.google.protobuf.ByteString[] {items.concat(com.google.protobuf.ByteString.copyFrom(bad)),
            com.google.protobuf.ByteString.copyFrom(bad)},
        new com.google.protobuf.ByteString[] {io.consensus.internal.etcd.EtcdKeys.bytes(r + "/big"),
            com.google.protobuf.ByteString.copyFrom(new byte[1024 * 1024])},
        new com.google.protobuf.ByteString[] {io.consensus.internal.etcd.EtcdKeys.bytes(r + "/items/j/deep/er/still"),
            io.consensus.internal.etcd.EtcdKeys.bytes("x")},
        new com.google.protobuf.ByteString[] {io.consensus.internal.etcd.EtcdKeys.bytes(r + "/items/a/stranger"),
            io.consensus.internal.etcd.EtcdKeys.bytes("ready")},
        new com.google.protobuf.ByteString[] {io.consensus.internal.etcd.EtcdKeys.bytes(r + "/members/ghost"),
            io.consensus.internal.etcd.EtcdKeys.bytes("{}")},
        new com.google.protobuf.ByteString[] {io.consensus.internal.etcd.EtcdKeys.bytes(r + "/members/x/y"),
            io.consensus.internal.etcd.EtcdKeys.bytes("{}")},
        new com.google.protobuf.ByteString[] {io.consensus.internal.etcd.EtcdKeys.bytes(r + "/members/")
            .concat(com.google.protobuf.ByteString.copyFrom(bad)), io.consensus.internal.etcd.EtcdKeys.bytes("{}")});
    for (com.google.protobuf.ByteString[] kv : kvs) {
      await(fleet.onContext(() -> raw.unary(io.etcd.jetcd.api.KVGrpc.getPutMethod(),
          io.etcd.jetcd.api.PutRequest.newBuilder().setKey(kv[0]).setValue(kv[1]).build())));
      fleet.awaitQuiet(); // one at a time: a stall names its key (a non-UTF-8 item once did)
    }
    // The members settle (items j and the non-UTF-8 one are staffed like any out-of-band item)
    // and then write nothing more.
    fleet.awaitQuiet();
    long settled = etcd.server().currentRevision();
    TestFleet.awaitCondition("both members healthy", () -> fleet.members.values().stream()
        .allMatch(AllocatorVerticle::isHealthy), () -> "");
    // A state tick re-reads every held item: still no write.
    long tick = m1.stats().decisions();
    TestFleet.awaitCondition("a few more decisions", () -> m1.stats().decisions() > tick + 3, () -> "");
    assertThat(etcd.server().currentRevision()).isEqualTo(settled);
    assertThat(fleet.mastersPerMember(fleet.routes(List.of("a", "b")))).containsKeys("m1", "m2").doesNotContainKeys("ghost", "stranger");
    fleet.onContext(raw::close);
  }

  @Test
  void aStartAbortedWhileWaitingForTheMemberKeyLeavesNothingBehind() {
    String key = fleet.root + "/members/m1";
    etcd.server().put(key, "{}"); // an old incarnation's key, in the way
    // etcd's own list of leases (grpc-gateway): the start's lease shows up, then goes.
    java.util.function.Supplier<Integer> leases = () -> {
      try {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(etcd.server().endpoint() + "/v3/lease/leases")).POST(
            java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        io.vertx.core.json.JsonArray ls = new io.vertx.core.json.JsonObject(body).getJsonArray("leases");
        return ls == null ? 0 : ls.size();
      } catch (java.io.IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    };
    int before = leases.get();
    AllocatorVerticle m = new AllocatorVerticle(fleet.options("m1", 0, ITEMS).setWaitForMemberSeconds(30));
    Future<String> deployed = fleet.vertx.deployVerticle(m);
    // It granted its lease and waits for the old key: SIGTERM now (the launcher aborts the
    // start); then the old key goes.
    TestFleet.awaitCondition("m1 granted its lease", () -> leases.get() > before, () -> "");
    await(m.abortStart());
    etcd.server().delete(key);
    assertThat(awaitFailure(deployed)).isNotNull();
    // Nothing of m1 is left, at once (not only after its lease's TTL).
    assertThat(fleet.keys()).noneMatch(kv -> kv.key().startsWith(fleet.root + "/members/")
        || kv.key().startsWith(fleet.root + "/items/"));
    TestFleet.awaitCondition("its lease revoked", () -> leases.get() == before, () -> "");
  }
}
