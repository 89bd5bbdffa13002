package io.consensus.verticle;

import io.vertx.core.Future;

/**
 * The application's side of allocation (the allocator's side is {@link AllocatorOptions}).
 * Every method is called on the allocator's context and must not block. The defaults make a JSON config alone work: every held item is
 * {@code "ready"}, and a replica is ready for promotion iff its state is {@code "ready"}.
 */
public interface ItemHandler {
  /** The default state of every held item. */
  String READY = "ready";

  /** A handler that uses every default. */
  ItemHandler DEFAULT = new ItemHandler() {
  };

  /**
   * The local processing state of {@code item}, which this member holds or is about to take.
   * Shared with other members through this member's entry. States reported on the event bus
   * take precedence (see {@link AllocatorVerticle}).
   */
  default String itemState(String item) {
    return READY;
  }

  /**
   * Whether a replica in {@code state} may be promoted to master of {@code item} now.
   */
  default boolean isReadyForPromotion(String item, String state) {
    return READY.equals(state);
  }

  /**
   * Called when {@code item}'s route changes, after the change is applied; the same value is
   * published on the event bus at once. Return a future to do asynchronous work (load or
   * unload the item): the item's next change is handed over only when it completes, so the
   * changes of one item arrive in order and one at a time, while other items proceed
   * concurrently. Changes that arrive meanwhile collapse to the latest, except that a
   * {@link RouteChange#LEASE_LOST} change is always delivered before anything later. A failed
   * future (or an exception) is logged and does not stop later changes.
   *
   * <p>Keep the futures short: a lease-lost change for an item waits for that item's running
   * future, and stepping down must happen within the lease's safety margin. Stop serving from
   * the event-bus message (never delayed) when the work may be slow.
   *
   * @return when the application has applied the change; {@code null} counts as done
   */
  default Future<Void> onRoute(RouteChange change) {
    return Future.succeededFuture();
  }
}
