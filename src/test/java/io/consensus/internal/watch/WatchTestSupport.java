package io.consensus.internal.watch;

import io.consensus.internal.etcd.EtcdConnection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Small helpers for watcher tests: futures with deadlines and work on a given context. */
final class WatchTestSupport {
  private WatchTestSupport() {
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  /** Runs {@code call} on {@code ctx} and waits for its result. */
  static <T> T on(Context ctx, Supplier<T> call) throws Exception {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> p.complete(call.get()));
    return await(p.future());
  }

  /** Runs the future-returning {@code call} on {@code ctx}, checks it completes there, waits for it. */
  static <T> T onAsync(Context ctx, Supplier<Future<T>> call) throws Exception {
    return io.consensus.testing.ContextCalls.onContext(ctx, call);
  }

  /** A fresh consistent read of the prefix. */
  static Map<String, String> read(Context ctx, EtcdConnection conn, String prefix) throws Exception {
    return WatchRecorder.asMap(onAsync(ctx, () -> new SnapshotReader(conn, prefix, 1000).read()).kvs());
  }

  /** Polls {@code condition} until true or the deadline (for state with no event to wait on). */
  static void eventually(Duration deadline, BooleanSupplier condition, String what) {
    io.consensus.testing.Await.until(what, deadline, condition);
  }
}
