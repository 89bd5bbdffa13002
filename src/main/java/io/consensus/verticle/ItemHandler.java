package io.consensus.verticle;

/**
 * The application's side of allocation (the allocator's side is {@link AllocatorOptions}).
 * Every method is called on the allocator's context and must
 * not block. The defaults make a JSON config alone work: every held item is
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
   * Called when {@code item}'s route changes, after the change is applied. The same value is published on the event bus.
   */
  default void onRoute(RouteChange change) {
  }
}
