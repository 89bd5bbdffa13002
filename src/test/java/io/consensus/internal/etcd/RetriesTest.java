package io.consensus.internal.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetriesTest {
  private Vertx vertx;
  private Context ctx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void retriesFailuresThePolicyAcceptsUntilASuccessWithTheBackoffsDelays() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<Long> delays = new ArrayList<>();
    List<Integer> attempts = new ArrayList<>();
    Future<String> f = on(() -> new Retries(vertx).retry(backoff(), n -> {
      calls.incrementAndGet();
      return n < 4 ? Future.failedFuture(new IllegalStateException("no " + n)) : Future.succeededFuture("yes " + n);
    }, (err, attempt, delay) -> {
      attempts.add(attempt);
      delays.add(delay);
      return true;
    }));
    assertThat(await(f)).isEqualTo("yes 4");
    assertThat(calls).hasValue(4);
    assertThat(attempts).containsExactly(1, 2, 3);
    for (int i = 0; i < delays.size(); i++) {
      assertThat(delays.get(i)).isBetween(1L, Backoff.ceilingMillis(10, 40, i + 1));
    }
  }

  @Test
  void aFailureThePolicyRefusesEndsTheRetries() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Future<String> f = on(() -> new Retries(vertx).retry(backoff(), n -> {
      calls.incrementAndGet();
      return Future.failedFuture(new IllegalStateException("fail " + n));
    }, (err, attempt, delay) -> attempt < 3));
    assertThat(awaitFailure(f)).hasMessage("fail 3");
    assertThat(calls).hasValue(3);
  }

  @Test
  void stopFailsAnAwaitedRetryAndRunsNoMoreAttempts() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retries retries = new Retries(vertx);
    Promise<Void> waiting = Promise.promise();
    // A long back-off: the retry waits on its timer when stop() comes.
    Future<String> f = on(() -> retries.retry(new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)), n -> {
      calls.incrementAndGet();
      return Future.failedFuture(new IllegalStateException("down"));
    }, (err, attempt, delay) -> {
      ctx.runOnContext(v -> waiting.complete());
      return true;
    }));
    await(on(() -> waiting.future()));
    await(on(() -> {
      assertThat(retries.pending()).isEqualTo(1);
      retries.stop();
      return Future.succeededFuture();
    }));
    assertThat(awaitFailure(f)).hasMessage("down"); // at once, not after 30 s
    assertThat(calls).hasValue(1);
    assertThat(await(on(() -> Future.succeededFuture(retries.pending())))).isZero();
  }

  @Test
  void aStoppedOwnerSchedulesNothingAndItsPendingTimersNeverFire() throws Exception {
    Retries retries = new Retries(vertx);
    AtomicInteger ran = new AtomicInteger();
    Promise<Void> later = Promise.promise();
    await(on(() -> {
      long id = retries.after(20, ran::incrementAndGet);
      assertThat(id).isNotEqualTo(-1);
      retries.stop();
      assertThat(retries.after(1, ran::incrementAndGet)).isEqualTo(-1);
      assertThat(retries.isStopped()).isTrue();
      // Timers of one context fire in deadline order: when this one fires, the cancelled one would have.
      vertx.setTimer(100, t -> later.complete());
      return Future.succeededFuture();
    }));
    await(later.future());
    assertThat(ran).hasValue(0);
  }

  @Test
  void cancelDropsOnePendingRetry() throws Exception {
    Retries retries = new Retries(vertx);
    AtomicInteger ran = new AtomicInteger();
    Promise<Void> later = Promise.promise();
    await(on(() -> {
      long cancelled = retries.after(20, () -> ran.addAndGet(10));
      retries.after(30, ran::incrementAndGet);
      retries.cancel(cancelled);
      vertx.setTimer(100, t -> later.complete());
      return Future.succeededFuture();
    }));
    await(later.future());
    assertThat(ran).hasValue(1);
    assertThat(await(on(() -> Future.succeededFuture(retries.pending())))).isZero();
  }

  private static Backoff backoff() {
    return new Backoff(Duration.ofMillis(10), Duration.ofMillis(40), new Random(5));
  }

  private <T> Future<T> on(Supplier<Future<T>> call) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> call.get().onComplete(p));
    return p.future();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Throwable awaitFailure(Future<?> f) throws Exception {
    CompletableFuture<Throwable> out = new CompletableFuture<>();
    f.onComplete(ar -> out.complete(ar.failed() ? ar.cause() : null));
    Throwable t = out.get(10, TimeUnit.SECONDS);
    assertThat(t).as("a failure").isNotNull();
    return t;
  }
}
