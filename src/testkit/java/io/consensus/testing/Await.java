package io.consensus.testing;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Blocking waits for test threads: on a Vert.x future, or on a condition that has no event to
 * wait on (state in etcd, a child process) by polling it until a deadline.
 */
public final class Await {
  private static final long POLL_MILLIS = 25;

  private Await() {
  }

  /**
   * Blocks until {@code future} completes and returns its result; rethrows its failure (a
   * checked one wrapped in {@link IllegalStateException}), or fails after {@code timeout}.
   */
  public static <T> T result(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Polls {@code condition} until it holds; throws {@link AssertionError} after {@code timeout}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> "");
  }

  /**
   * Polls {@code condition} until it holds; after {@code timeout} throws an
   * {@link AssertionError} naming {@code what} and the {@code detail} at that moment.
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> detail) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        String d = detail.get();
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what
            + (d.isEmpty() ? "" : "; " + d));
      }
      try {
        Thread.sleep(POLL_MILLIS); // the poll interval; the condition decides
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for: " + what, e);
      }
    }
  }
}
