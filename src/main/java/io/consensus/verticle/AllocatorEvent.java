package io.consensus.verticle;

import io.vertx.core.json.JsonObject;

/**
 * A milestone of an allocator's run, with the etcd revision it happened at. Delivered to
 * {@link AllocatorVerticle#onEvent listeners} and published on {@code <address>.events}.
 * Tests wait on these; services use them for readiness probes.
 *
 * @param member   the member
 * @param kind     what happened
 * @param revision the revision of the allocator's view (for ACTED: of its write)
 * @param detail   free text (the rule that acted, the reason a lease was lost, ...)
 */
public record AllocatorEvent(String member, Kind kind, long revision, String detail) {

  /** Kinds of milestones. */
  public enum Kind {
    /** Member key created, watch running: the allocator takes part. */
    JOINED,
    /** A transaction of this member's took effect. */
    ACTED,
    /** Nothing to do at this revision: the member's view is at a fixpoint. */
    IDLE,
    /** The lease was lost (or the member key vanished): the member holds nothing now. */
    LEASE_LOST,
    /** Graceful exit finished: entries handed off or the hand-off timeout passed. */
    EXITED
  }

  public JsonObject toJson() {
    return new JsonObject().put("member", member).put("event", kind.name()).put("revision", revision)
        .put("detail", detail);
  }
}
