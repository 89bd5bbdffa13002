package io.consensus.spectator;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.route.RoutingTable;
import io.consensus.testing.EtcdExtension;
import io.consensus.verticle.RouteChange;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A spectator's incrementally kept lookups ({@code mastersOf}, {@code itemsOf}, per-item R
 * counts) against a full walk of the same tree, through snapshots, a revision of thousands of
 * deletes (applied in several slices) and member metadata changes, on a real etcd.
 */
class SpectatorIndexTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();
  static final String ROOT = "/it/spectator-index";

  Vertx vertx;
  RoutingTableVerticle spectator;
  final List<RouteChange> published = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    etcd.server().deletePrefix(ROOT + "/");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  RoutingTable caughtUp() {
    return await(spectator.awaitRevision(etcd.server().currentRevision()));
  }

  void deploy(RoutingTableOptions options) {
    spectator = new RoutingTableVerticle(options.setEndpoints(etcd.server().endpoints()).setRoot(ROOT));
    spectator.onChange(published::add);
    await(vertx.deployVerticle(spectator));
  }

  /** What a full walk of the same tree says, for every member and the counters. */
  static void assertIndexMatchesAFullWalk(RoutingTable t, RoutingTableOptions o) {
    RoutingTable walked = RoutingTable.of(t.tree(), o.getItems(), o.getReplicas(), o.getItemReplicas(), t.members());
    assertThat(t.counters()).isEqualTo(walked.counters());
    assertThat(t.holders()).isEqualTo(walked.holders());
    Map<String, List<String>> masters = new TreeMap<>();
    Map<String, List<String>> held = new TreeMap<>();
    for (var r : t.routes()) {
      for (int i = 0; i < r.size(); i++) {
        String m = r.entries().get(i).member();
        if (i == 0) {
          masters.computeIfAbsent(m, k -> new ArrayList<>()).add(r.item());
        }
        held.computeIfAbsent(m, k -> new ArrayList<>()).add(r.item());
      }
    }
    assertThat(t.holders()).containsExactlyInAnyOrderElementsOf(held.keySet());
    held.forEach((m, items) -> assertThat(t.itemsOf(m)).as("itemsOf(%s)", m).containsExactlyElementsOf(items));
    masters.forEach((m, items) -> assertThat(t.mastersOf(m)).as("mastersOf(%s)", m).containsExactlyElementsOf(items));
  }

  @Test
  void countsUseEachItemsOwnReplicasAndLookupsFollowEveryRevision() {
    etcd.server().put(ROOT + "/members/m1", "{\"host\":\"h1\"}");
    etcd.server().put(ROOT + "/members/m2", "{\"host\":\"h2\"}");
    etcd.server().put(ROOT + "/items/a", "{\"replicas\":2}"); // marker: R=2, two entries: short
    etcd.server().put(ROOT + "/items/a/m1", "ready");
    etcd.server().put(ROOT + "/items/a/m2", "ready");
    etcd.server().put(ROOT + "/items/b/m1", "ready"); // fixed with R=0: one entry is enough
    etcd.server().put(ROOT + "/items/c/m2", "ready"); // fleet R=1: short
    RoutingTableOptions o = new RoutingTableOptions().setReplicas(1).setItems(List.of("d")).addItem("b", 0);
    deploy(o);
    RoutingTable t = caughtUp();
    assertThat(t.counters()).isEqualTo(new RoutingTable.Counters(4, 2, 1, 3)); // d: no master, short
    assertThat(t.replicasOf("a")).isEqualTo(2);
    assertThat(t.replicasOf("b")).isZero();
    assertThat(t.mastersOf("m1")).containsExactly("a", "b");
    assertThat(t.itemsOf("m2")).containsExactly("a", "c");
    assertIndexMatchesAFullWalk(t, o);

    // A metadata change without a route change is published for every item of that member.
    published.clear();
    etcd.server().put(ROOT + "/members/m2", "{\"host\":\"h2-moved\"}");
    t = caughtUp();
    assertThat(published).extracting(RouteChange::item).containsExactlyInAnyOrder("a", "c");
    assertThat(published).allSatisfy(c -> assertThat(c.toJson().encode()).contains("h2-moved"));
    assertIndexMatchesAFullWalk(t, o);

    // Routes change: m2 takes b's replica, c's entry goes, the item d gets a master.
    published.clear();
    etcd.server().put(ROOT + "/items/b/m2", "ready");
    etcd.server().delete(ROOT + "/items/c/m2");
    etcd.server().put(ROOT + "/items/d/m2", "ready");
    t = caughtUp();
    assertThat(t.mastersOf("m2")).containsExactly("d");
    assertThat(t.itemsOf("m2")).containsExactly("a", "b", "d");
    assertThat(published).extracting(RouteChange::item).containsExactlyInAnyOrder("b", "c", "d");
    assertIndexMatchesAFullWalk(t, o);
    assertThat(spectator.isCaughtUp()).isTrue();
  }

  @Test
  void aRevisionOfThousandsOfDeletesIsAppliedInSlicesToTheSameIndex() {
    int n = 16 * RoutingTableVerticle.STEP + 500;
    io.vertx.core.Promise<EtcdConnection> opened = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> opened.complete(new EtcdConnection(vertx, etcd.server().endpoints(), Duration.ofSeconds(10))));
    EtcdConnection conn = await(opened.future());
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String item = String.format("i%05d", i);
      keys.add(ROOT + "/items/" + item + "/" + (i % 2 == 0 ? "m1" : "m2"));
      keys.add(ROOT + "/items/" + item + "/m3");
    }
    for (int i = 0; i < keys.size(); i += 128) {
      TxnRequest.Builder txn = TxnRequest.newBuilder();
      keys.subList(i, Math.min(keys.size(), i + 128)).forEach(k -> txn.addSuccess(RequestOp.newBuilder()
          .setRequestPut(PutRequest.newBuilder().setKey(EtcdKeys.bytes(k)).setValue(EtcdKeys.bytes("ready")))));
      await(conn.unary(KVGrpc.getTxnMethod(), txn.build()));
    }
    etcd.server().put(ROOT + "/members/m3", "{}");
    RoutingTableOptions o = new RoutingTableOptions().setReplicas(1);
    deploy(o); // the snapshot: more items than one slice
    RoutingTable t = caughtUp();
    assertThat(t.counters().items()).isEqualTo(n);
    assertThat(t.mastersOf("m1")).hasSize((n + 1) / 2);
    assertThat(t.itemsOf("m3")).hasSize(n);
    assertIndexMatchesAFullWalk(t, o);

    published.clear();
    etcd.server().deletePrefix(ROOT + "/items/i0"); // one revision: items i00000..i09999, all here
    t = caughtUp();
    assertThat(t.counters().items()).isZero();
    assertThat(t.holders()).isEmpty();
    assertThat(published).hasSize(n).allSatisfy(c -> assertThat(c.removed()).isTrue());
    assertIndexMatchesAFullWalk(t, o);
    await(conn.close());
  }
}
