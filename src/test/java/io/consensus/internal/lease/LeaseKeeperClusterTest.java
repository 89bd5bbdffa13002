package io.consensus.internal.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.testing.EtcdClusterExtension;
import io.consensus.testing.ContextCalls;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lease keeper against a 3-node etcd cluster that loses and regains its quorum. */
class LeaseKeeperClusterTest {
  @RegisterExtension
  static EtcdClusterExtension etcd = new EtcdClusterExtension();

  private static void kill(int i) {
    etcd.cluster().member(i).signal("KILL");
  }

  @Test
  void aRevokeSentWhileEtcdHasNoLeaderIsRetriedAndLandsSoonAfterTheQuorumIsBack() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Context ctx = vertx.getOrCreateContext();
      int leader = etcd.cluster().leader();
      assertThat(leader).as("a leader").isNotNegative();
      int follower = (leader + 1) % 3;
      int other = (leader + 2) % 3;
      // One endpoint only, a follower, and a long call timeout: a request it forwards to a
      // leader that just died is never answered.
      Duration callTimeout = Duration.ofSeconds(15);
      EtcdConnection conn = new EtcdConnection(vertx, List.of(etcd.cluster().member(follower).endpoint()), callTimeout);
      LeaseKeeper keeper = ContextCalls.onContext(ctx, () -> LeaseKeeper.grant(vertx, conn,
          new LeaseOptions().setTtlSeconds(30), reason -> { }));
      Future<Void> revoked;
      long back;
      kill(leader);
      kill(other);
      try {
        revoked = ContextCalls.onContext(ctx, () -> Future.succeededFuture(
            keeper.revokeRetrying(Duration.ofSeconds(60))));
      } finally {
        Thread launch = new Thread(() -> etcd.cluster().launch(leader));
        launch.start();
        etcd.cluster().launch(other);
        launch.join();
        back = System.nanoTime();
      }
      revoked.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      // The first attempt went to a dead leader: etcd itself gives up on it only after its
      // request timeout (5 s + 2 election timeouts), and our call timeout is longer still. A
      // retried attempt lands within about a second of the quorum's return.
      assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(3));
      EtcdConnection any = new EtcdConnection(vertx, etcd.cluster().endpoints(), Duration.ofSeconds(5));
      long ttl = ContextCalls.onContext(ctx, () -> any.unary(LeaseGrpc.getLeaseTimeToLiveMethod(),
          LeaseTimeToLiveRequest.newBuilder().setID(keeper.id()).build())).getTTL();
      assertThat(ttl).as("the lease is gone").isEqualTo(-1);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
