package io.consensus.internal.member;

import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.TestFleet;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.Retries;
import io.consensus.internal.lease.KeeperLoop;
import io.consensus.internal.lease.LeaseOptions;
import io.consensus.internal.route.Keys;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdServer;
import io.consensus.testing.LogCapture;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Joining against a real etcd that freezes (SIGSTOP) while the member waits for its key. */
class MemberRegistrationTest {
  static final String ROOT = "/registration";

  EtcdServer etcd;
  TestFleet fleet;

  @BeforeEach
  void setUp() {
    etcd = EtcdServer.start(); // our own: this test freezes it
    fleet = new TestFleet(etcd, ROOT);
  }

  @AfterEach
  void tearDown() throws Exception {
    signal("CONT");
    fleet.close();
    etcd.close();
  }

  void signal(String sig) {
    etcd.signal(sig);
  }

  @Test
  void aLeaseLostWhileWaitingForTheMemberKeyIsNeverJoinedOn() throws Exception {
    LogCapture log = LogCapture.attach(MemberRegistration.class);
    Keys keys = new Keys(ROOT);
    etcd.put(keys.member("m1"), "{}"); // an earlier incarnation's key, in the way
    AllocatorOptions o = new AllocatorOptions().setEndpoints(etcd.endpoints()).setRoot(ROOT).setMember("m1")
        .setLeaseTtlSeconds(6).setCallTimeoutMillis(15_000);
    // Declared lost 2 s after the last acknowledged renewal; etcd keeps it 6 s.
    LeaseOptions lease = new LeaseOptions().setTtlSeconds(6).setSafetyMarginMillis(4000)
        .setKeepAliveIntervalMillis(500);
    AtomicReference<String> lost = new AtomicReference<>();
    Future<MemberRegistration.Joined> joined = fleet.onContext(() -> {
      EtcdConnection conn = new EtcdConnection(fleet.vertx, etcd.endpoints(), Duration.ofSeconds(15));
      MemberRegistration r = new MemberRegistration(
          KeeperLoop.besides(fleet.vertx.getOrCreateContext(), conn), new EntryWriter(conn, keys, "m1"),
          keys.member("m1"), o, lease);
      return r.join(new Retries(fleet.vertx), System.nanoTime() + Duration.ofSeconds(60).toNanos(), () -> false, lost::set);
    });
    // Its lease granted and its create refused: the key in the way (the old key alone says
    // nothing: a machine slow to grant the lease would freeze etcd before there is one to lose).
    Await.until("the member retries creating its key", Duration.ofSeconds(30),
        () -> log.saw("member key " + keys.member("m1") + " exists; waiting for it to go"));

    signal("STOP");
    Await.until("the keeper declares the lease lost", Duration.ofSeconds(30), () -> lost.get() != null);
    signal("CONT");
    // etcd still holds the lease (4 s of margin left): the key is free now and a create on
    // the lease would succeed, but nothing renews it.
    etcd.delete(keys.member("m1"));

    Throwable err = TestFleet.awaitFailure(joined);
    assertThat(err).isInstanceOf(MemberRegistration.LeaseLostException.class).hasMessageContaining("lost while joining");
    log.detach();
    // Nothing is left behind: the failed join revoked its lease, so no member key stays.
    Await.until("no member key", Duration.ofSeconds(30),
        () -> fleet.keys().stream().noneMatch(kv -> kv.key().equals(keys.member("m1"))));
  }
}
