package io.consensus.internal.etcd;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The retry timers of one owner (a verticle, a lease keeper): each retry waits its
 * {@link Backoff}'s next delay; {@link #stop()} cancels every pending retry and refuses new
 * ones, so that a stopped owner schedules no more timers. A retry pending at stop that
 * someone awaits ({@link #retry}) fails with its last failure rather than hanging.
 *
 * <p>Confined to the context that creates the timers: call every method there (the timers
 * fire on it).
 */
public final class Retries {
  /** Whether to try again after a failure, told the attempt that failed and the delay it would wait. */
  @FunctionalInterface
  public interface Policy {
    /**
     * @param failure     why attempt {@code attempt} failed
     * @param attempt     the attempt that failed, 1-based
     * @param delayMillis how long the next attempt would wait (for the caller's log line)
     * @return true to try again after {@code delayMillis}
     */
    boolean again(Throwable failure, int attempt, long delayMillis);
  }

  private final Vertx vertx;
  // Pending timer -> what to run if it is cancelled by stop() (completes an awaited retry).
  private final Map<Long, Runnable> pending = new HashMap<>();
  private boolean stopped;

  public Retries(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Runs {@code action} after {@code delayMillis} (a {@link Backoff}'s next delay), on the
   * calling context.
   *
   * @return the timer id (for {@link #cancel}), or -1 when stopped: nothing is scheduled
   */
  public long after(long delayMillis, Runnable action) {
    return stopped ? -1 : after(delayMillis, action, () -> { });
  }

  private long after(long delayMillis, Runnable action, Runnable onCancel) {
    long[] id = new long[1];
    id[0] = vertx.setTimer(Math.max(1, delayMillis), t -> {
      pending.remove(id[0]);
      action.run();
    });
    pending.put(id[0], onCancel);
    return id[0];
  }

  /**
   * Runs {@code attempt} (given its 1-based number) now and again after each failure that
   * {@code policy} accepts, after {@code backoff}'s next delay; {@code backoff} is reset first.
   *
   * @return the first success; the last failure when {@code policy} refuses or when stopped
   */
  public <T> Future<T> retry(Backoff backoff, IntFunction<Future<T>> attempt, Policy policy) {
    backoff.reset();
    Promise<T> result = Promise.promise();
    run(backoff, attempt, policy, 1, result);
    return result.future();
  }

  private <T> void run(Backoff backoff, IntFunction<Future<T>> attempt, Policy policy, int n, Promise<T> result) {
    Future<T> f;
    try {
      f = attempt.apply(n);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
        return;
      }
      if (stopped) {
        result.tryFail(ar.cause());
        return;
      }
      long delay = backoff.nextDelayMillis();
      if (!policy.again(ar.cause(), n, delay) || stopped) {
        result.tryFail(ar.cause());
        return;
      }
      after(delay, () -> run(backoff, attempt, policy, n + 1, result), () -> result.tryFail(ar.cause()));
    });
  }

  /** Cancels the pending retry {@code timerId} (from {@link #after}); nothing when it ran or is unknown. */
  public void cancel(long timerId) {
    if (pending.remove(timerId) != null) {
      vertx.cancelTimer(timerId);
    }
  }

  /** Cancels every pending retry (awaited ones fail with their last failure) and schedules none from now on. */
  public void stop() {
    stopped = true;
    Map<Long, Runnable> cancelled = new HashMap<>(pending);
    pending.clear();
    cancelled.forEach((id, onCancel) -> {
      vertx.cancelTimer(id);
      onCancel.run();
    });
  }

  /** Whether {@link #stop()} was called. */
  public boolean isStopped() {
    return stopped;
  }

  /** Retries waiting for their timer (for tests and health). */
  public int pending() {
    return pending.size();
  }
}
