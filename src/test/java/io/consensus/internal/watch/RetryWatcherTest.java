package io.consensus.internal.watch;

import static io.consensus.internal.watch.WatchTestSupport.await;
import static io.consensus.internal.watch.WatchTestSupport.eventually;
import static io.consensus.internal.watch.WatchTestSupport.on;
import static io.consensus.internal.watch.WatchTestSupport.onAsync;
import static io.consensus.internal.watch.WatchTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.testing.EtcdExtension;
import io.consensus.testing.EtcdServer;
import io.consensus.tree.WatchUpdate;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryWatcherTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension(
      EtcdServer.builder().flag("--experimental-watch-progress-notify-interval=200ms"));

  private Vertx vertx;
  private Context ctx;
  private EtcdConnection conn;
  private final List<RetryWatcher> watchers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
    conn = new EtcdConnection(vertx, etcd.server().endpoints(), Duration.ofSeconds(2));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (RetryWatcher w : watchers) {
      await(w.close());
    }
    await(conn.close());
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private RetryWatcher watch(EtcdConnection c, RetryWatcherOptions opts, WatchRecorder rec) throws Exception {
    RetryWatcher w = on(ctx, () -> RetryWatcher.start(vertx, c, opts, rec));
    watchers.add(w);
    return w;
  }

  private static RetryWatcherOptions opts(String prefix) {
    return new RetryWatcherOptions().setPrefix(prefix).setMinBackoffMillis(50).setMaxBackoffMillis(300);
  }

  @Test
  void snapshotThenChangesInRevisionOrderMatchAFreshRead() throws Exception {
    EtcdServer server = etcd.server();
    for (int i = 0; i < 10; i++) {
      server.put("/order/k" + i, "v" + i);
    }
    server.put("/orderx", "outside"); // shares the prefix bytes but not the "/order/" prefix
    WatchRecorder rec = new WatchRecorder(ctx);
    RetryWatcher w = watch(conn, opts("/order/").setPageSize(3), rec);
    onAsync(ctx, w::firstSnapshot);
    assertThat(rec.view()).hasSize(10).containsEntry("/order/k9", "v9");

    server.put("/order/k1", "changed");
    server.delete("/order/k2");
    server.put("/order/new", "n");
    server.put("/other", "not watched");
    // One transaction: two events in one revision -> one Changes.
    long txnRev = await(conn.unary(KVGrpc.getTxnMethod(), TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
            .setKey(EtcdKeys.bytes("/order/t1")).setValue(EtcdKeys.bytes("a"))))
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
            .setKey(EtcdKeys.bytes("/order/k3"))))
        .build())).getHeader().getRevision();

    assertThat(onAsync(ctx, () -> w.awaitRevision(txnRev))).isGreaterThanOrEqualTo(txnRev);
    assertThat(rec.view()).isEqualTo(read(ctx, conn, "/order/"));
    assertThat(rec.violations()).isEmpty();
    WatchUpdate.Changes txn = (WatchUpdate.Changes) rec.updates().stream()
        .filter(u -> u.revision() == txnRev).findFirst().orElseThrow();
    assertThat(txn.events()).hasSize(2);
    assertThat(txn.events().get(1).isRemove()).isTrue();
    assertThat(txn.events().get(1).prev().value()).isEqualTo("v3"); // prev_kv on
    assertThat(rec.changeRevisions()).hasSize(4);
    assertThat(w.eventsDelivered()).isEqualTo(5);
    assertThat(w.snapshotsTaken()).isEqualTo(1);
    assertThat(w.isLive()).isTrue();
  }

  @Test
  void withoutPrevKvDeletionsCarryNoPreviousValueAndTheViewStillMatches() throws Exception {
    EtcdServer server = etcd.server();
    server.put("/noprev/a", "1");
    server.put("/noprev/b", "2");
    WatchRecorder rec = new WatchRecorder(ctx);
    RetryWatcher w = watch(conn, opts("/noprev/").setPrevKv(false), rec);
    onAsync(ctx, w::firstSnapshot);
    server.put("/noprev/a", "changed");
    long rev = server.delete("/noprev/b");
    assertThat(onAsync(ctx, () -> w.awaitRevision(rev))).isGreaterThanOrEqualTo(rev);
    assertThat(rec.view()).isEqualTo(read(ctx, conn, "/noprev/")).containsOnlyKeys("/noprev/a");
    WatchUpdate.Changes del = (WatchUpdate.Changes) rec.updates().stream()
        .filter(u -> u.revision() == rev).findFirst().orElseThrow();
    assertThat(del.events()).singleElement().satisfies(e -> {
      assertThat(e.isRemove()).isTrue();
      assertThat(e.prev()).isNull();
    });
  }

  /**
   * Asked for fragments, etcd splits the revision at its request limit and the pieces are
   * gathered into one Changes; not asked (the default: etcd 3.4's fragmenting is quadratic),
   * it comes as one response. Either way the members see one revision with every event.
   */
  @ParameterizedTest(name = "fragments {0}")
  @ValueSource(booleans = {true, false})
  void aRevisionLargerThanEtcdsRequestLimitArrivesAsOneChanges(boolean fragments) throws Exception {
    String prefix = "/big-" + fragments + "/";
    int n = 15_000;
    String value = "v".repeat(100); // with prev_kv: ~2.5 MB of events, over etcd's 1.5 MiB limit
    WatchRecorder rec = new WatchRecorder(ctx);
    RetryWatcher w = watch(conn, opts(prefix).setFragments(fragments), rec);
    onAsync(ctx, w::firstSnapshot);
    long last = 0;
    for (int from = 0; from < n; from += 100) {
      TxnRequest.Builder txn = TxnRequest.newBuilder();
      for (int i = from; i < Math.min(n, from + 100); i++) {
        txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
            .setKey(EtcdKeys.bytes(prefix + String.format("k%06d", i))).setValue(EtcdKeys.bytes(value))));
      }
      last = onAsync(ctx, () -> conn.unary(KVGrpc.getTxnMethod(), txn.build())).getHeader().getRevision();
    }
    long puts = last;
    onAsync(ctx, () -> w.awaitRevision(puts));
    long del = onAsync(ctx, () -> conn.unary(KVGrpc.getDeleteRangeMethod(), DeleteRangeRequest.newBuilder()
        .setKey(EtcdKeys.bytes(prefix)).setRangeEnd(EtcdKeys.prefixEnd(prefix)).build())).getHeader().getRevision();
    eventually(Duration.ofSeconds(60), () -> w.revision() >= del, "the deletion delivered");

    if (fragments) {
      assertThat(w.fragmentsReceived()).isGreaterThanOrEqualTo(1);
    } else {
      assertThat(w.fragmentsReceived()).isZero();
    }
    List<WatchUpdate> atDel = rec.updates().stream().filter(u -> u.revision() == del).toList();
    assertThat(atDel).singleElement().isInstanceOf(WatchUpdate.Changes.class);
    WatchUpdate.Changes c = (WatchUpdate.Changes) atDel.get(0);
    assertThat(c.events()).hasSize(n).allMatch(e -> e.isRemove() && value.equals(e.prev().value()));
    assertThat(c.events().get(0).kv().key()).isEqualTo(prefix + "k000000");
    assertThat(c.events().get(n - 1).kv().key()).isEqualTo(prefix + String.format("k%06d", n - 1));
    assertThat(rec.view()).isEmpty();
    assertThat(rec.violations()).isEmpty();
  }

  @Test
  void awaitRevisionCompletesOnWritesAndProgress() throws Exception {
    WatchRecorder rec = new WatchRecorder(ctx);
    RetryWatcher w = watch(conn, opts("/await/"), rec);
    onAsync(ctx, w::firstSnapshot);
    long past = w.revision();
    assertThat(onAsync(ctx, () -> w.awaitRevision(past))).isEqualTo(past);

    long rev = etcd.server().put("/await/a", "1");
    assertThat(onAsync(ctx, () -> w.awaitRevision(rev))).isGreaterThanOrEqualTo(rev);
    assertThat(rec.view()).containsEntry("/await/a", "1");

    // A write outside the prefix is reflected by a progress notification.
    long outside = etcd.server().put("/elsewhere", "x");
    assertThat(onAsync(ctx, () -> w.awaitRevision(outside))).isGreaterThanOrEqualTo(outside);
    assertThat(rec.updates()).anyMatch(u -> u instanceof WatchUpdate.Progress);
    assertThat(rec.violations()).isEmpty();
  }

  @Test
  void compactionWhileBehindLeadsToANewSnapshot() throws Exception {
    EtcdServer server = etcd.server();
    try (TcpProxy proxy = new TcpProxy(vertx, server.clientPort())) {
      EtcdConnection viaProxy = new EtcdConnection(vertx, List.of(proxy.endpoint()), Duration.ofSeconds(2));
      WatchRecorder rec = new WatchRecorder(ctx);
      RetryWatcher w = watch(viaProxy, opts("/compact/"), rec);
      onAsync(ctx, w::firstSnapshot);
      long rev = server.put("/compact/a", "1");
      onAsync(ctx, () -> w.awaitRevision(rev));

      proxy.down(); // the watcher falls behind
      server.put("/compact/a", "2");
      server.put("/compact/b", "1");
      long last = server.delete("/compact/a");
      server.compact();
      proxy.up();

      onAsync(ctx, () -> w.awaitRevision(last));
      assertThat(rec.view()).isEqualTo(read(ctx, conn, "/compact/")).containsOnlyKeys("/compact/b");
      assertThat(rec.snapshots()).isEqualTo(2);
      assertThat(w.snapshotsTaken()).isEqualTo(2);
      assertThat(w.reconnects()).isGreaterThanOrEqualTo(1);
      assertThat(rec.violations()).isEmpty();
      await(w.close());
      await(viaProxy.close());
    }
  }

  @ParameterizedTest(name = "resnapshotOnReconnect={0}")
  @ValueSource(booleans = {false, true})
  void etcdRestartMidWatchLosesAndDuplicatesNothing(boolean resnapshot) throws Exception {
    EtcdServer server = etcd.server();
    String prefix = "/restart-" + resnapshot + "/";
    WatchRecorder rec = new WatchRecorder(ctx);
    RetryWatcher w = watch(conn, opts(prefix).setResnapshotOnReconnect(resnapshot), rec);
    onAsync(ctx, w::firstSnapshot);
    List<Long> written = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      written.add(server.put(prefix + i, "before"));
    }
    onAsync(ctx, () -> w.awaitRevision(written.get(2)));

    server.restart();
    eventually(Duration.ofSeconds(10), () -> w.reconnects() >= 1, "watcher notices the restart");
    if (resnapshot) {
      // Writes made before the new snapshot is read arrive inside it, not as changes.
      eventually(Duration.ofSeconds(10), () -> rec.snapshots() >= 2, "watcher re-reads its snapshot");
    }
    for (int i = 0; i < 3; i++) {
      written.add(server.put(prefix + i, "after"));
    }
    onAsync(ctx, () -> w.awaitRevision(written.get(5)));

    assertThat(rec.view()).isEqualTo(read(ctx, conn, prefix));
    assertThat(rec.violations()).isEmpty();
    if (resnapshot) {
      assertThat(rec.snapshots()).isEqualTo(2);
      assertThat(rec.changeRevisions()).containsAll(written.subList(3, 6));
    } else {
      assertThat(rec.snapshots()).isEqualTo(1);
      assertThat(rec.changeRevisions()).containsExactlyElementsOf(written);
    }
    eventually(Duration.ofSeconds(5), w::isLive, "watch live again");
  }

  @Test
  void periodicRefreshAndCloseReleaseEverything() throws Exception {
    WatchRecorder rec = new WatchRecorder(ctx);
    RetryWatcher w = watch(conn, opts("/close/").setRefreshIntervalMillis(150), rec);
    onAsync(ctx, w::firstSnapshot);
    Future0.awaitSnapshots(w, 2); // the refresh ticker re-snapshots
    var pending = onAsync(ctx, () -> io.vertx.core.Future.succeededFuture(w.awaitRevision(Long.MAX_VALUE)));

    onAsync(ctx, w::close);
    onAsync(ctx, w::close); // idempotent
    assertThatThrownBy(() -> await(pending)).hasMessageContaining("closed");
    assertThat(w.isLive()).isFalse();
    int seen = rec.updates().size();
    long snapshots = w.snapshotsTaken();

    // A control watcher proves time passed and writes happened: the closed one stays silent.
    WatchRecorder control = new WatchRecorder(ctx);
    RetryWatcher c = watch(conn, opts("/close/").setRefreshIntervalMillis(150), control);
    onAsync(ctx, c::firstSnapshot);
    long rev = etcd.server().put("/close/x", "1");
    onAsync(ctx, () -> c.awaitRevision(rev));
    Future0.awaitSnapshots(c, 3); // > 2 refresh intervals after close
    assertThat(rec.updates()).hasSize(seen);
    assertThat(w.snapshotsTaken()).isEqualTo(snapshots);
    assertThatThrownBy(() -> onAsync(ctx, () -> w.awaitRevision(rev))).hasMessageContaining("closed");
  }

  /** Waiting on the watcher's own counters with a deadline. */
  private static final class Future0 {
    static void awaitSnapshots(RetryWatcher w, long n) throws InterruptedException {
      eventually(Duration.ofSeconds(5), () -> w.snapshotsTaken() >= n, n + " snapshots");
    }
  }
}
