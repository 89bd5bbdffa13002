package io.consensus.internal.watch;

import static io.consensus.internal.watch.WatchTestSupport.await;
import static io.consensus.internal.watch.WatchTestSupport.on;
import static io.consensus.internal.watch.WatchTestSupport.onAsync;
import static io.consensus.internal.watch.WatchTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.testing.EtcdClusterExtension;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RetryWatcherClusterTest {
  @RegisterExtension
  static EtcdClusterExtension etcd = new EtcdClusterExtension();


  @Test
  void stoppingTheWatchedMemberMovesToAnotherWithoutLosingEvents() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Context ctx = vertx.getOrCreateContext();
      EtcdConnection conn = new EtcdConnection(vertx, etcd.cluster().endpoints(), Duration.ofSeconds(2));
      WatchRecorder rec = new WatchRecorder(ctx);
      RetryWatcher w = on(ctx, () -> RetryWatcher.start(vertx, conn,
          new RetryWatcherOptions().setPrefix("/fail/").setMinBackoffMillis(50).setMaxBackoffMillis(300), rec));
      onAsync(ctx, w::firstSnapshot);

      int watched = etcd.cluster().endpoints().indexOf(conn.currentEndpoint().url());
      int other = (watched + 1) % 3;
      List<Long> written = new ArrayList<>();
      written.add(etcd.cluster().member(other).put("/fail/a", "1"));
      onAsync(ctx, () -> w.awaitRevision(written.get(0)));

      etcd.cluster().stop(watched);
      for (int i = 0; i < 5; i++) {
        written.add(etcd.cluster().member(other).put("/fail/k" + i, "v" + i));
      }
      written.add(etcd.cluster().member(other).delete("/fail/a"));
      onAsync(ctx, () -> w.awaitRevision(written.get(written.size() - 1)));

      assertThat(conn.currentEndpoint().url()).isNotEqualTo(etcd.cluster().member(watched).endpoint());
      assertThat(rec.changeRevisions()).containsExactlyElementsOf(written);
      assertThat(rec.view()).isEqualTo(read(ctx, conn, "/fail/"));
      assertThat(rec.violations()).isEmpty();
      assertThat(w.reconnects()).isGreaterThanOrEqualTo(1);
      onAsync(ctx, w::close);
      onAsync(ctx, conn::close);
      etcd.cluster().launch(watched);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
