package io.consensus.internal.watch;

import static io.consensus.internal.watch.WatchTestSupport.await;
import static io.consensus.internal.watch.WatchTestSupport.on;
import static io.consensus.internal.watch.WatchTestSupport.onAsync;
import static io.consensus.internal.watch.WatchTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.testing.EtcdExtension;
import io.consensus.testing.EtcdServer;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A snapshot streamed page by page into a sink: in key order, at one revision, one page taken at a time. */
class SnapshotStreamTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  private Vertx vertx;
  private Context ctx;
  private EtcdConnection conn;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
    conn = new EtcdConnection(vertx, etcd.server().endpoints(), Duration.ofSeconds(2));
  }

  @AfterEach
  void tearDown() throws Exception {
    await(conn.close());
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Records pages; each page is taken only when the test completes its future. */
  private static final class Sink implements SnapshotReader.PageSink {
    final List<Long> begins = new ArrayList<>();
    final List<List<KeyValue>> pages = new ArrayList<>();
    final List<Promise<Void>> taken = new ArrayList<>();

    @Override
    public void begin(long revision) {
      begins.add(revision);
    }

    @Override
    public Future<Void> page(List<KeyValue> kvs) {
      pages.add(List.copyOf(kvs));
      Promise<Void> p = Promise.promise();
      taken.add(p);
      return p.future();
    }
  }

  @Test
  void pagesComeInKeyOrderAtOneRevisionAndTheNextOnlyOnceThePreviousWasTaken() throws Exception {
    EtcdServer server = etcd.server();
    for (int i = 0; i < 25; i++) {
      server.put(String.format("/pages/k%02d", i), "v" + i);
    }
    long before = server.currentRevision();
    Sink sink = new Sink();
    Future<Long> done = on(ctx, () -> new SnapshotReader(conn, "/pages/", 10).read(sink));
    WatchTestSupport.eventually(Duration.ofSeconds(10), () -> onCtx(() -> sink.pages.size()) == 1, "first page");
    // Written after the first page: the later pages still show the snapshot's revision.
    server.put("/pages/k00a", "late");
    server.delete("/pages/k20");
    // A window in which a reader without back-pressure would have handed the next page over.
    Thread.sleep(300);
    assertThat(onCtx(() -> sink.pages.size())).isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      int page = i;
      WatchTestSupport.eventually(Duration.ofSeconds(10), () -> onCtx(() -> sink.pages.size()) > page, "page " + page);
      on(ctx, () -> sink.taken.get(page).tryComplete());
    }
    long revision = await(done);
    assertThat(revision).isEqualTo(before);
    assertThat(sink.begins).containsExactly(before);
    assertThat(sink.pages).extracting(List::size).containsExactly(10, 10, 5);
    List<String> keys = sink.pages.stream().flatMap(List::stream).map(KeyValue::key).toList();
    assertThat(keys).isSorted().hasSize(25).contains("/pages/k20").doesNotContain("/pages/k00a");
  }

  @Test
  void aWatcherWithAPageSinkDeliversASnapshotWithoutKeyValuesAfterItsPages() throws Exception {
    EtcdServer server = etcd.server();
    for (int i = 0; i < 12; i++) {
      server.put(String.format("/streamed/k%02d", i), "v" + i);
    }
    Map<String, String> streamed = new TreeMap<>();
    List<String> order = new ArrayList<>();
    RetryWatcher w = on(ctx, () -> RetryWatcher.start(vertx, conn,
        new RetryWatcherOptions().setPrefix("/streamed/").setPageSize(5), u -> {
          order.add(u instanceof WatchUpdate.Snapshot s ? "snapshot of " + s.kvs().size() : "changes");
        }).snapshotPages(new SnapshotReader.PageSink() {
          @Override
          public void begin(long revision) {
            order.add("begin");
          }

          @Override
          public Future<Void> page(List<KeyValue> kvs) {
            order.add("page of " + kvs.size());
            kvs.forEach(kv -> streamed.put(kv.key(), kv.value()));
            return Future.succeededFuture();
          }
        }));
    try {
      onAsync(ctx, w::firstSnapshot);
      assertThat(onCtx(() -> List.copyOf(order)))
          .containsExactly("begin", "page of 5", "page of 5", "page of 2", "snapshot of 0");
      assertThat(onCtx(() -> new TreeMap<>(streamed))).isEqualTo(read(ctx, conn, "/streamed/"));
      assertThat(w.snapshotsTaken()).isEqualTo(1);
    } finally {
      await(w.close());
    }
  }

  private <T> T onCtx(java.util.function.Supplier<T> fn) {
    try {
      return on(ctx, fn);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
