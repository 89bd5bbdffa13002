package io.consensus.internal.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.testing.EtcdExtension;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import io.consensus.verticle.TestFleet;
import io.vertx.core.Future;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The throwaway lease after a large revision, against real etcd. */
class EtcdBufferReliefTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  TestFleet fleet;
  EtcdConnection conn;
  EtcdBufferRelief relief;

  @BeforeEach
  void setUp() {
    fleet = new TestFleet(etcd.server(), "/relief");
    conn = fleet.onContext(() -> new EtcdConnection(fleet.vertx, etcd.server().endpoints(), Duration.ofSeconds(5)));
    relief = fleet.onContext(() -> new EtcdBufferRelief(conn, 100));
  }

  @AfterEach
  void tearDown() {
    fleet.close();
  }

  static WatchUpdate.Changes deletions(int n) {
    return new WatchUpdate.Changes(1000, IntStream.range(0, n)
        .mapToObj(i -> KeyEvent.delete("/relief/items/i" + i + "/m1", 1000)).toList());
  }

  boolean seen(WatchUpdate u) {
    return TestFleet.await(fleet.onContext(() -> relief.seen(u)));
  }

  /** Lease requests etcd has handled so far, by method. */
  static double handled(String method) throws Exception {
    return sum("grpc_server_handled_total{", "grpc_method=\"" + method + "\"");
  }

  /** Leases etcd holds now: granted less revoked and expired (its lessor's counters). */
  static double leases() throws Exception {
    return sum("etcd_debugging_lease_granted_total", "") - sum("etcd_debugging_lease_revoked_total", "");
  }

  private static double sum(String prefix, String tag) throws Exception {
    String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(etcd.server().endpoint()
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    return text.lines().filter(l -> l.startsWith(prefix) && l.contains(tag))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void aRevisionOfManyEventsGrantsAndRevokesALeaseThatHoldsNothing() throws Exception {
    double before = leases();
    double grants = handled("LeaseGrant");
    double revokes = handled("LeaseRevoke");

    assertThat(seen(deletions(100))).isTrue();

    assertThat(handled("LeaseGrant") - grants).isEqualTo(1);
    assertThat(handled("LeaseRevoke") - revokes).isEqualTo(1);
    assertThat(leases()).as("the throwaway lease is gone").isEqualTo(before);
    assertThat(relief.sent()).isEqualTo(1);
  }

  @Test
  void smallerRevisionsAndSnapshotsSendNothing() throws Exception {
    double grants = handled("LeaseGrant");
    KeyValue kv = new KeyValue("/relief/members/m1", "{}", 5, 5, 1, 0);
    List<KeyValue> many = IntStream.range(0, 200).mapToObj(i -> kv).toList();

    assertThat(seen(deletions(99))).isFalse();
    assertThat(seen(new WatchUpdate.Snapshot(1000, many))).isFalse();

    assertThat(handled("LeaseGrant")).isEqualTo(grants);
    assertThat(relief.sent()).isZero();
  }

  @Test
  void onePairAtATime() throws Exception {
    double grants = handled("LeaseGrant");
    List<Future<Boolean>> both = fleet.onContext(() -> List.of(relief.seen(deletions(100)), relief.seen(deletions(100))));

    assertThat(TestFleet.await(both.get(0))).isTrue();
    assertThat(TestFleet.await(both.get(1))).as("the second while the first was in flight").isFalse();
    assertThat(handled("LeaseGrant") - grants).isEqualTo(1);
    assertThat(seen(deletions(100))).as("once the first is answered").isTrue();
  }

  @Test
  void aFailedGrantIsReportedAsNothingDone() {
    TestFleet.await(fleet.onContext(() -> conn.close()));

    assertThat(seen(deletions(100))).isFalse();
  }
}
