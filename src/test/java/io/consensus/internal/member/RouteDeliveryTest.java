package io.consensus.internal.member;

import io.consensus.verticle.ItemHandler;
import io.consensus.verticle.RouteChange;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.impl.btc.BlockedThreadEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Route changes reach ItemHandler.onRoute on per-item queues. */
class RouteDeliveryTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  final Vertx vertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(20)
      .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
      .setMaxEventLoopExecuteTime(500).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
  final Context ctx = vertx.getOrCreateContext();
  /** Per item, what the handler was given, in order: revision, or -revision for a lease-lost change. */
  final Map<String, List<Long>> seen = new ConcurrentHashMap<>();

  @AfterEach
  void close() {
    Await.result(vertx.close(), WAIT);
  }

  static RouteChange change(String item, long revision) {
    return new RouteChange("m", item, revision, Route.empty(item), 0, Role.MASTER, false, RouteChange.ROUTE);
  }

  static RouteChange leaseLost(String item, long revision) {
    return new RouteChange("m", item, revision, Route.empty(item), -1, Role.NONE, false, RouteChange.LEASE_LOST);
  }

  /** A delivery whose handler records each change and then answers with {@code answer}. */
  RouteDelivery delivery(Function<RouteChange, Future<Void>> answer) {
    return onContext(() -> new RouteDelivery(vertx, "m", new ItemHandler() {
      @Override
      public Future<Void> onRoute(RouteChange c) {
        assertThat(Vertx.currentContext()).isSameAs(ctx);
        seen.computeIfAbsent(c.item(), k -> new CopyOnWriteArrayList<>())
            .add(RouteChange.LEASE_LOST.equals(c.reason()) ? -c.revision() : c.revision());
        return answer.apply(c);
      }
    }));
  }

  <T> T onContext(java.util.function.Supplier<T> fn) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> p.complete(fn.get()));
    return Await.result(p.future(), WAIT);
  }

  List<Long> seen(String item) {
    return seen.getOrDefault(item, List.of());
  }

  @Test
  void aFastHandlerGetsEveryChangeAtOnceInOrder() {
    RouteDelivery d = delivery(c -> Future.succeededFuture());
    List<Long> atReturn = onContext(() -> {
      for (long rev = 1; rev <= 5; rev++) {
        d.deliver(change("a", rev));
      }
      d.deliver(leaseLost("a", 6));
      return List.copyOf(seen("a"));
    });
    assertThat(atReturn).containsExactly(1L, 2L, 3L, 4L, 5L, -6L);
    assertThat(onContext(d::busyItems)).isZero();
  }

  @Test
  void aBacklogCollapsesToTheLatestButKeepsEveryLeaseLostChange() {
    Promise<Void> first = Promise.promise();
    RouteDelivery d = delivery(c -> c.revision() == 1 ? first.future() : Future.succeededFuture());
    onContext(() -> {
      d.deliver(change("a", 1)); // handed over, held by the application
      d.deliver(change("a", 2));
      d.deliver(change("a", 3));
      d.deliver(leaseLost("a", 4));
      d.deliver(change("a", 5));
      d.deliver(change("a", 6));
      d.deliver(leaseLost("a", 7));
      d.deliver(change("a", 8));
      d.deliver(change("b", 9)); // another item is not held up by a's backlog
      return null;
    });
    assertThat(seen("a")).containsExactly(1L);
    assertThat(seen("b")).containsExactly(9L);
    assertThat(onContext(d::busyItems)).isEqualTo(1);

    onContext(() -> first.tryComplete());
    Await.until("a's backlog delivered", WAIT, () -> seen("a").size() == 4 && onContext(d::busyItems) == 0);
    // 2 and 3 were superseded by the lease-lost 4; 5 and 6 by the lease-lost 7; 8 is the latest.
    assertThat(seen("a")).containsExactly(1L, -4L, -7L, 8L);

    // Idle again: the next change is handed over at once.
    onContext(() -> {
      d.deliver(change("a", 10));
      return null;
    });
    assertThat(seen("a")).endsWith(10L);
  }

  @Test
  void changesOfOneItemComeOneAtATimeInOrderWhileItemsRunConcurrently() {
    int items = 40;
    int changes = 30;
    Random rnd = new Random(42);
    Map<String, Integer> inFlight = new HashMap<>(); // only touched on ctx
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    List<String> violations = new CopyOnWriteArrayList<>();
    RouteDelivery d = delivery(c -> {
      if (inFlight.merge(c.item(), 1, Integer::sum) > 1) {
        violations.add("two changes of " + c.item() + " at once at " + c.revision());
      }
      maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
      Promise<Void> done = Promise.promise();
      vertx.setTimer(1 + rnd.nextInt(5), t -> {
        inFlight.merge(c.item(), -1, Integer::sum);
        concurrent.decrementAndGet();
        if (c.revision() % 7 == 0) {
          done.fail("the application failed on " + c.revision()); // failures do not stop the queue
        } else {
          done.complete();
        }
      });
      return done.future();
    });
    // Changes arrive over many event-loop turns, interleaved across items, each item's in order.
    Map<String, Long> next = new HashMap<>();
    long[] revision = {0};
    Promise<Void> sent = Promise.promise();
    ctx.runOnContext(v -> vertx.setPeriodic(1, id -> {
      for (int i = 0; i < 10; i++) {
        String item = "item-" + rnd.nextInt(items);
        long count = next.merge(item, 1L, Long::sum);
        if (count <= changes) {
          d.deliver(change(item, ++revision[0] * 1000 + count));
        }
      }
      if (next.size() == items && next.values().stream().allMatch(n -> n >= changes)) {
        vertx.cancelTimer(id);
        sent.complete();
      }
    }));
    Await.result(sent.future(), WAIT);
    Await.until("every item idle", WAIT, () -> onContext(d::busyItems) == 0);

    assertThat(violations).isEmpty();
    assertThat(seen.keySet()).hasSize(items);
    for (Map.Entry<String, List<Long>> e : seen.entrySet()) {
      List<Long> revs = e.getValue();
      assertThat(revs).as(e.getKey()).isSorted().doesNotHaveDuplicates();
      // The last change of every item arrives, whatever was collapsed before it.
      assertThat(revs.get(revs.size() - 1) % 1000).as(e.getKey() + " ends with its latest change").isEqualTo(changes);
    }
    assertThat(maxConcurrent.get()).as("items handled concurrently").isGreaterThan(1);
  }

  @Test
  void aThrowingOrFailingHandlerDoesNotStopLaterChanges() {
    Promise<Void> second = Promise.promise();
    RouteDelivery d = delivery(c -> {
      if (c.revision() == 1) {
        throw new IllegalStateException("boom");
      }
      if (c.revision() == 2) {
        return second.future();
      }
      return c.revision() == 3 ? null : Future.failedFuture("failed at once");
    });
    onContext(() -> {
      d.deliver(change("a", 1));
      d.deliver(change("a", 2));
      d.deliver(change("a", 3));
      return null;
    });
    assertThat(seen("a")).containsExactly(1L, 2L);
    onContext(() -> second.tryFail("failed later"));
    Await.until("3 delivered after 2 failed", WAIT, () -> seen("a").size() == 3 && onContext(d::busyItems) == 0);
    onContext(() -> {
      d.deliver(change("a", 4));
      d.deliver(change("a", 5));
      return null;
    });
    assertThat(seen("a")).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void slowItemsNeverBlockTheEventLoop() {
    List<BlockedThreadEvent> blocked = new CopyOnWriteArrayList<>();
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(blocked::add);
    // The checker is live: a task that really blocks the loop is reported.
    onContext(() -> {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      return null;
    });
    Await.until("the checker reports a blocked loop", WAIT, () -> !blocked.isEmpty());
    blocked.clear();

    // 2,000 items whose application takes 100-400 ms per change, 5 changes each.
    Random rnd = new Random(7);
    RouteDelivery d = delivery(c -> {
      Promise<Void> p = Promise.promise();
      vertx.setTimer(100 + rnd.nextInt(300), t -> p.complete());
      return p.future();
    });
    for (int round = 1; round <= 5; round++) {
      long rev = round;
      for (int batch = 0; batch < 2000; batch += 200) {
        int from = batch;
        onContext(() -> {
          for (int i = from; i < from + 200; i++) {
            d.deliver(change("item-" + i, rev));
          }
          return null;
        });
      }
    }
    Await.until("every item idle", WAIT, () -> onContext(d::busyItems) == 0);
    assertThat(seen).hasSize(2000);
    assertThat(seen.values()).allSatisfy(revs -> assertThat(revs).startsWith(1L).endsWith(5L));
    assertThat(blocked).as("blocked-thread reports").isEmpty();
  }

  @Test
  void itemsKeepTheirOrderAcrossManyBusyPeriods() {
    // The queue of an item is created and dropped again and again; nothing leaks or reorders.
    List<Promise<Void>> held = new CopyOnWriteArrayList<>();
    RouteDelivery d = delivery(c -> {
      Promise<Void> p = Promise.promise();
      held.add(p);
      return p.future();
    });
    for (long rev = 1; rev <= 50; rev++) {
      long r = rev;
      onContext(() -> {
        d.deliver(change("a", r));
        return null;
      });
      onContext(() -> {
        held.forEach(Promise::tryComplete);
        return null;
      });
    }
    Await.until("a idle", WAIT, () -> onContext(() -> {
      held.forEach(Promise::tryComplete);
      return d.busyItems() == 0;
    }));
    assertThat(seen("a")).isSorted().doesNotHaveDuplicates().endsWith(50L);
  }
}
