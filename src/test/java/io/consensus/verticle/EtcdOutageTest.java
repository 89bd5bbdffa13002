package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static io.consensus.verticle.TestFleet.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.lease.LeaseKeeper;
import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.testing.LogCapture;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Start-up, rejoin and exit while etcd is down or frozen (SIGSTOP: connections accepted, no
 * answer, as etcd looks from a member starved of CPU or behind an election), against real etcd.
 */
class EtcdOutageTest extends FleetTest {
  static final List<String> ITEMS = List.of("a", "b", "c", "d");

  /** Log lines of the allocator (its progress messages are part of what operators rely on). */
  private LogCapture log;

  @BeforeEach
  void captureLogs() {
    log = LogCapture.attach(AllocatorVerticle.class, LeaseKeeper.class);
  }

  @AfterEach
  void releaseLogsAndEtcd() {
    log.detach();
    signal("CONT"); // whatever a test did, the next one gets a running etcd
    if (!etcd.server().isRunning()) {
      etcd.server().launch();
    }
  }

  private static void signal(String sig) {
    etcd.server().signal(sig);
  }

  @Test
  void aStartWhileEtcdDoesNotAnswerRetriesAndJoinsOnceItDoes() {
    signal("STOP");
    AllocatorVerticle m = new AllocatorVerticle(fleet.options("m1", 0, ITEMS).setCallTimeoutMillis(500)
        .setWaitForMemberSeconds(30));
    Future<String> deployed = fleet.vertx.deployVerticle(m);
    // Calls time out although etcd is fine, only slow: the start retries, saying so.
    TestFleet.awaitCondition("a failed join attempt logged", () -> log.saw("join attempt 1 failed"),
        () -> log.toString());
    assertThat(deployed.isComplete()).as("start still retrying").isFalse();
    signal("CONT");
    String id = await(deployed);
    try {
      fleet.awaitRoutes(ITEMS, "m1 masters all", r -> r.values().stream()
          .allMatch(x -> x.size() == 1 && x.master().member().equals("m1")));
    } finally {
      await(fleet.vertx.undeploy(id));
    }
  }

  @Test
  void aStartGivesUpOnAnEtcdThatNeverAnswersNamingTheTimeout() {
    signal("STOP");
    AllocatorVerticle m = new AllocatorVerticle(fleet.options("m1", 0, ITEMS).setCallTimeoutMillis(300)
        .setWaitForMemberSeconds(1));
    Throwable err = awaitFailure(fleet.vertx.deployVerticle(m));
    // Not "member key exists" nor a bad config: what happened, and where.
    assertThat(err.getMessage()).contains("no answer within 300 ms").contains(etcd.server().endpoint());
    assertThat(log.saw("join attempt 1 failed")).as("retried before giving up").isTrue();
    signal("CONT");
    assertThat(fleet.keys()).noneMatch(kv -> kv.key().startsWith(fleet.root + "/"));
  }

  @Test
  void aLeaseLostWhileEtcdIsDownIsRevokedAsSoonAsEtcdIsBackSoTheRejoinDoesNotWaitATtl() {
    AllocatorVerticle m = fleet.deploy(fleet.options("m1", 0, ITEMS).setLeaseTtlSeconds(8), ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> r.values().stream().allMatch(x -> x.size() == 1));
    long oldLease = m.leaseId();
    etcd.server().stop();
    TestFleet.awaitCondition("lease declared lost", () -> fleet.events.get("m1").stream()
        .anyMatch(e -> e.kind() == AllocatorEvent.Kind.LEASE_LOST), () -> "");
    // The revoke cannot reach etcd now. A restarted etcd gives every lease a full TTL again:
    // without a retried revoke the old member key would block the rejoin for 8 s or more.
    etcd.server().launch();
    long back = System.nanoTime();
    Map<String, Route> after = fleet.awaitRoutes(ITEMS, "m1 rejoined and masters all", r -> r.values().stream()
        .allMatch(x -> x.size() == 1 && x.master().lease() != oldLease && x.master().member().equals("m1")));
    assertThat(Duration.ofNanos(System.nanoTime() - back)).as("rejoined after etcd came back")
        .isLessThan(Duration.ofSeconds(8));
    assertThat(after.values()).allMatch(r -> r.master().lease() == m.leaseId());
    // Revoked, not expired: a restarted etcd gives it a full 8 s again. Whether the first attempt
    // already found etcd back (then nothing says "at attempt") depends on how fast it restarted.
    long oldTtl = await(fleet.onContext(() -> fleet.conn().unary(LeaseGrpc.getLeaseTimeToLiveMethod(),
        LeaseTimeToLiveRequest.newBuilder().setID(oldLease).build()))).getTTL();
    assertThat(oldTtl).as("the old lease is gone from etcd").isEqualTo(-1);
    if (log.saw("etcd lease " + oldLease + ": revoke failed")) { // then a retry did it, and says so
      TestFleet.awaitCondition("revoke retried", () -> log.saw("etcd lease " + oldLease + " revoked at attempt"),
          () -> log.toString());
    }
  }

  @Test
  void aGracefulStopDuringAnEtcdOutageRevokesItsLeaseOnceEtcdIsBack() {
    AllocatorVerticle m = fleet.deploy(fleet.options("m1", 0, ITEMS).setLeaseTtlSeconds(30)
        .setHandoffTimeoutSeconds(1), ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> r.values().stream().allMatch(x -> x.size() == 1));
    fleet.awaitQuiet();
    etcd.server().stop();
    Future<Long> cancelled = fleet.cancel("m1");
    // The hand-off timeout ends the hand-off; the member key delete and the revoke fail for now.
    TestFleet.awaitCondition("exit under way", () -> m.health().phase().equals("EXITED"),
        () -> m.health().phase());
    assertThat(cancelled.isComplete()).as("exit waits for the revoke").isFalse();
    etcd.server().launch();
    await(cancelled);
    // Everything of m1 is gone now, not 30 s later (a restarted etcd restarts the lease's TTL).
    assertThat(fleet.keys()).noneMatch(kv -> kv.key().startsWith(fleet.root + "/"));
    assertThat(fleet.routeLog.get("m1")).last().satisfies(c -> assertThat(c.role()).isEqualTo(Role.NONE));
  }
}
