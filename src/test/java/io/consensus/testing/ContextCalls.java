package io.consensus.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Test helper: runs calls on a given context from a test or harness thread and waits for them;
 * {@link #onContext} also checks they complete there.
 */
public final class ContextCalls {
  private ContextCalls() {
  }

  /**
   * Runs {@code call} on {@code ctx}, waits up to 10 s for its future, and fails it if it
   * completed on any other context (our etcd clients promise to answer on the caller's).
   */
  public static <T> T onContext(Context ctx, Supplier<Future<T>> call) throws Exception {
    Promise<T> result = Promise.promise();
    ctx.runOnContext(v -> call.get().onComplete(ar -> {
      if (Vertx.currentContext() != ctx) {
        result.fail(new AssertionError("completed on " + Vertx.currentContext() + " instead of " + ctx));
      } else {
        result.handle(ar);
      }
    }));
    try {
      return result.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  /** Runs {@code fn} on {@code ctx} and waits up to {@code max} for its value. */
  public static <T> T call(Context ctx, Supplier<T> fn, Duration max) {
    return callAsync(ctx, () -> Future.succeededFuture(fn.get()), max);
  }

  /** Runs the asynchronous {@code fn} on {@code ctx} and waits up to {@code max} for its result. */
  public static <T> T callAsync(Context ctx, Supplier<Future<T>> fn, Duration max) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        fn.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return Await.result(p.future(), max);
  }
}
