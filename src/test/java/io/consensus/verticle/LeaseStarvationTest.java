package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.lease.LeaseKeeper;
import io.consensus.route.Route;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdExtension;
import io.consensus.testing.LoopStalls;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lease keeper runs on its own event loop: seconds of work on the allocator's loop cost no
 * lease, and a keeper that is itself starved still has the application told before etcd can
 * expire the lease. Real etcd; the loops are blocked on purpose, so the blocked-thread checker
 * is made lenient.
 */
class LeaseStarvationTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  static final List<String> ITEMS = List.of("a", "b", "c");

  TestFleet fleet;

  @BeforeEach
  void startFleet(TestInfo info) {
    fleet = new TestFleet(etcd.server(), "/test/" + info.getTestMethod().orElseThrow().getName(),
        new VertxOptions().setMaxEventLoopExecuteTime(60).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
            .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
  }

  @AfterEach
  void closeFleet() {
    fleet.close();
  }

  private AllocatorVerticle deployAndSettle(int ttlSeconds) {
    AllocatorVerticle m = fleet.deploy(fleet.options("m1", 0, ITEMS).setLeaseTtlSeconds(ttlSeconds),
        ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> r.values().stream().allMatch(x -> x.size() == 1));
    fleet.awaitQuiet();
    return m;
  }

  private static Thread threadOf(Context ctx) {
    CompletableFuture<Thread> t = new CompletableFuture<>();
    ctx.runOnContext(v -> t.complete(Thread.currentThread()));
    return t.join();
  }



  private boolean memberKeyOn(long lease) {
    return fleet.keys().stream().anyMatch(kv -> kv.key().equals(fleet.root + "/members/m1") && kv.lease() == lease);
  }

  @Test
  void blockingTheAllocatorsLoopForTwiceTheTtlCostsNoLease() {
    AllocatorVerticle m = deployAndSettle(4);
    Context allocator = await(m.inspect(t -> Vertx.currentContext()));
    assertThat(threadOf(m.keeperContext())).as("keeper's event loop").isNotSameAs(threadOf(allocator));
    LeaseKeeper keeper = m.leaseKeeper();
    long lease = m.leaseId();
    long acksBefore = keeper.keepAlivesAcknowledged();
    long blockMillis = 2 * keeper.ttlSeconds() * 1000;

    LoopStalls.block(allocator, blockMillis);

    // Renewals went on during the stall, and etcd still holds the lease and the member key.
    assertThat(keeper.keepAlivesAcknowledged() - acksBefore).as("keep-alives answered during the stall")
        .isGreaterThanOrEqualTo(blockMillis / (keeper.ttlSeconds() * 1000 / 3) / 2); // at least half of them
    assertThat(keeper.isLost()).isFalse();
    assertThat(etcd.server().leaseTimeToLive(lease)).as("etcd's TTL of the lease").isPositive();
    assertThat(memberKeyOn(lease)).as("member key on lease " + lease).isTrue();
    fleet.awaitQuiet(); // the allocator has caught up
    assertThat(m.leaseId()).isEqualTo(lease);
    assertThat(m.stats().leaseLosses()).isZero();
    assertThat(fleet.events.get("m1")).noneSatisfy(e -> assertThat(e.kind()).isEqualTo(AllocatorEvent.Kind.LEASE_LOST));
    assertThat(fleet.routeLog.get("m1")).noneSatisfy(c -> assertThat(c.reason()).isEqualTo(RouteChange.LEASE_LOST));

    // The lag figures saw the stall on the allocator's loop (a conservative fraction of it),
    // not on the keeper's.
    Await.until("the stall in the health figures", Duration.ofSeconds(10),
        () -> m.health().allocatorLoopLag().maxMillis() >= blockMillis * 8 / 10);
    AllocatorHealth h = m.health();
    assertThat(h.allocatorLoopLag().recentMaxMillis()).isGreaterThanOrEqualTo(blockMillis * 8 / 10);
    assertThat(h.allocatorLoopLag().p99Millis()).isLessThanOrEqualTo(h.allocatorLoopLag().maxMillis());
    assertThat(h.keeperLoopLag().samples()).isPositive();
    assertThat(h.keeperLoopLag().maxMillis()).as("keeper loop lag").isLessThan(blockMillis / 2);
    assertThat(h.eventLoopLagJson().getJsonObject("allocator").getLong("maxMillis"))
        .isEqualTo(h.allocatorLoopLag().maxMillis());
  }

  @Test
  void aStarvedKeeperDeclaresTheLossWhenItRunsAgainAndTheApplicationIsToldBeforeEtcdExpiresTheLease() {
    // TTL 10 s: a 2 s safety margin, and etcd reports its TTL in whole seconds.
    AllocatorVerticle m = deployAndSettle(10);
    LeaseKeeper keeper = m.leaseKeeper();
    long lease = keeper.id();
    int seen = fleet.routeLog.get("m1").size();
    // etcd's own word on the lease when the application is told (listeners run on the
    // allocator's context right after the lease-lost routes are published, before the revoke).
    CompletableFuture<Long> ttlWhenTold = new CompletableFuture<>();
    m.onEvent(e -> {
      if (e.kind() == AllocatorEvent.Kind.LEASE_LOST) {
        ttlWhenTold.complete(etcd.server().leaseTimeToLive(lease));
      }
    });

    // Starve the keeper's loop until a little past its loss deadline (lastAck + TTL - margin):
    // no keep-alive goes out meanwhile.
    LoopStalls.blockUntil(m.keeperContext(), Duration.ofSeconds(30), () -> keeper.millisUntilDeadline() < -200);
    assertThat(keeper.millisUntilDeadline()).as("ms to the deadline when the keeper runs again").isNegative();

    long ttl = ttlWhenTold.orTimeout(30, TimeUnit.SECONDS).join();
    assertThat(ttl).as("etcd's TTL of the lease when the application was told it is lost").isPositive();
    assertThat(keeper.isLost()).isTrue();
    List<RouteChange> log = fleet.routeLog.get("m1").subList(seen, fleet.routeLog.get("m1").size());
    assertThat(log.stream().filter(c -> c.reason().equals(RouteChange.LEASE_LOST)).map(RouteChange::item))
        .containsExactlyInAnyOrderElementsOf(ITEMS);
    // It rejoins with a new lease.
    Map<String, Route> after = fleet.awaitRoutes(ITEMS, "m1 masters all on a new lease",
        r -> r.values().stream().allMatch(x -> x.size() == 1 && x.master().lease() != lease));
    assertThat(after).hasSize(ITEMS.size());
    assertThat(m.stats().leaseLosses()).isEqualTo(1);
  }
}
