package io.consensus.internal.member;

import io.consensus.verticle.ItemHandler;
import io.consensus.verticle.RouteChange;
import io.consensus.ring.RingTaskQueues;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands route changes to {@link ItemHandler#onRoute} on per-item queues
 * ({@link RingTaskQueues}): the changes of one item arrive in order and one at a time (the next
 * after the future of the previous completes), different items proceed concurrently, and the
 * allocator never waits for the application.
 *
 * <p>While an item's handler is busy, its later changes wait and collapse to the latest one:
 * the application sees the last state, not every intermediate one. A lease-lost change is
 * never collapsed away: it is delivered before anything that follows it. A handler that throws
 * or fails its future is logged; the item's next change is delivered all the same.
 *
 * <p>An idle item's change is handed over at once, on the caller's stack; with a handler whose
 * futures are already complete (the default) every change is delivered, synchronously and in
 * order. Called and calling back only on the allocator's context.
 */
public final class RouteDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(RouteDelivery.class);

  private final String member;
  private final ItemHandler handler;
  private final RingTaskQueues<Void> queues;
  /** Items with queued or running work: present exactly while a queue task is outstanding. */
  private final Map<String, Backlog> busy = new HashMap<>();

  /** One busy item's state. */
  private static final class Backlog {
    /** Changes not yet handed over, one per queued task; only the last may be replaced. */
    final ArrayDeque<RouteChange> waiting = new ArrayDeque<>();
    /** Queue tasks submitted and not yet completed. */
    int outstanding;
  }

  public RouteDelivery(Vertx vertx, String member, ItemHandler handler) {
    this.member = member;
    this.handler = handler;
    this.queues = new RingTaskQueues<>(vertx);
  }

  /** Delivers {@code change} after every earlier change of its item, or collapses it into the backlog. */
  public void deliver(RouteChange change) {
    String item = change.item();
    Backlog backlog = busy.get(item);
    if (backlog == null) {
      Future<Void> running = call(change);
      if (running.isComplete()) {
        return; // the common case: nothing to queue
      }
      backlog = new Backlog();
      busy.put(item, backlog);
      submit(item, backlog, running); // later changes of the item queue behind this one
      return;
    }
    RouteChange last = backlog.waiting.peekLast();
    if (last != null && !isLeaseLost(last)) {
      // Not handed over yet and superseded: its queued task will deliver the newer change.
      backlog.waiting.pollLast();
      backlog.waiting.addLast(change);
      return;
    }
    backlog.waiting.addLast(change);
    submit(item, backlog, null);
  }

  /** Items whose changes wait for the application, for tests and diagnostics. */
  public int busyItems() {
    return busy.size();
  }

  /** Queues a task: {@code running} when given, else the next waiting change of the item. */
  private void submit(String item, Backlog backlog, Future<Void> running) {
    backlog.outstanding++;
    queues.<Void>submit(item, slot -> running != null ? running : call(backlog.waiting.pollFirst()))
        .onComplete(ar -> {
          if (--backlog.outstanding == 0 && busy.get(item) == backlog) {
            busy.remove(item);
          }
        });
  }

  /** Calls the handler; its outcome, failures logged and turned into success. */
  private Future<Void> call(RouteChange change) {
    Future<Void> f;
    try {
      f = handler.onRoute(change);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    if (f == null) {
      return Future.succeededFuture();
    }
    if (f.failed()) {
      LOG.error("member {}: route handler failed for {} at revision {}", member, change.item(), change.revision(),
          f.cause());
      return Future.succeededFuture();
    }
    if (f.succeeded()) {
      return f;
    }
    return f.recover(err -> {
      LOG.error("member {}: route handler failed for {} at revision {}", member, change.item(), change.revision(),
          err);
      return Future.succeededFuture();
    });
  }

  private static boolean isLeaseLost(RouteChange c) {
    return RouteChange.LEASE_LOST.equals(c.reason());
  }
}
