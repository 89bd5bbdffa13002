package io.consensus.verticle;

import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.lease.LeaseKeeper;
import io.consensus.tree.KeyTree;
import io.consensus.internal.watch.RetryWatcher;
import io.vertx.core.json.JsonObject;

/**
 * What one allocator knew about itself at one moment: an immutable snapshot that the allocator
 * publishes from its own context (on every watch update, lease event and phase change, and at
 * least once a second) and that health checks and metrics read from any thread.
 *
 * @param healthy whether the member holds its key with a live lease and its watch is live
 * @param reason why not healthy ("phase starting", "lease lost", "watch not live"); while
 *     healthy "ok", "drained", or "unattainable slots: N"
 * @param phase STARTING, RUNNING, REJOINING, CANCELLING or EXITED
 * @param drained whether the member is drained, as its last view showed
 * @param revision etcd revision of the member's view
 * @param items items in the view
 * @param members members in the view
 * @param masters items this member masters
 * @param replicas items this member is a replica of
 * @param itemsWithoutMaster items with no entry at all
 * @param itemsShortOfReplicas items with fewer than R+1 entries
 * @param unattainableSlots slots the fleet wants that the members' item limits leave no room for
 * @param leaseId the current lease (0 before joining)
 * @param leaseRemainingMillis time until the lease would be considered lost without a
 *     keep-alive answer (0 without a live lease)
 * @param keepAlives lease keep-alives answered, over every lease this member held
 * @param keepAliveFailures lease keep-alive failures, over every lease this member held
 * @param watchLive whether the etcd watch is established
 * @param watchEvents watch events received
 * @param watchSnapshots snapshots read (first one, compaction, errors)
 * @param watchReconnects watch stream re-establishments
 * @param allocatorLoopLag how late timers ran on the allocator's event loop
 * @param keeperLoopLag how late timers ran on the lease keeper's event loop
 * @param loopWork the longest piece of this library's own work on the allocator's event loop
 */
public record AllocatorHealth(boolean healthy, String reason, String phase, boolean drained, long revision,
    int items, int members, int masters, int replicas, int itemsWithoutMaster, int itemsShortOfReplicas,
    long unattainableSlots, long leaseId, long leaseRemainingMillis, long keepAlives, long keepAliveFailures,
    boolean watchLive, long watchEvents, long watchSnapshots, long watchReconnects, EventLoopLag allocatorLoopLag,
    EventLoopLag keeperLoopLag, LoopWork loopWork) {

  /** Before the allocator started. */
  static final AllocatorHealth STARTING = new AllocatorHealth(false, "phase starting", "STARTING", false, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, EventLoopLag.NONE, EventLoopLag.NONE,
      LoopWork.NONE);

  /**
   * The event-loop lag figures as {@code /health} shows them:
   * {@code {"allocator": {"maxMillis", "p99Millis", "recentMaxMillis", "runningMaxMillis"}, "keeper": {...}}}.
   */
  public JsonObject eventLoopLagJson() {
    return new JsonObject().put("allocator", allocatorLoopLag.toJson()).put("keeper", keeperLoopLag.toJson());
  }

  /**
   * The snapshot of an allocator in {@code phase} ({@code running} while RUNNING) from its live
   * parts, any of which may still be null; keep-alive counts add those of its earlier leases.
   * Called on the allocator's context.
   */
  static AllocatorHealth of(String phase, boolean running, boolean drained, long unattainableSlotsSeen,
      KeyTree tree, AllocationIndex ix, LeaseKeeper l, long pastKeepAlives, long pastKeepAliveFailures,
      RetryWatcher w, EventLoopLag allocatorLag, EventLoopLag keeperLag, LoopWork work) {
    boolean leaseLive = l != null && !l.isLost();
    boolean watchLive = w != null && w.isLive();
    return new AllocatorHealth(running && leaseLive && watchLive,
        reason(phase, running, leaseLive, watchLive, drained, unattainableSlotsSeen), phase, drained,
        tree == null ? 0 : tree.revision(),
        ix == null ? 0 : ix.itemCount(), ix == null ? 0 : ix.memberCount(), ix == null ? 0 : ix.mastersHeld(),
        ix == null ? 0 : ix.replicasHeld(), ix == null ? 0 : ix.itemsWithoutMaster(),
        ix == null ? 0 : ix.itemsShortOfReplicas(), ix == null ? 0 : ix.unattainableSlots(),
        l == null ? 0 : l.id(), l == null ? 0 : Math.max(0, l.millisUntilDeadline()),
        pastKeepAlives + (l == null ? 0 : l.keepAlivesAcknowledged()),
        pastKeepAliveFailures + (l == null ? 0 : l.keepAliveFailures()), watchLive,
        w == null ? 0 : w.eventsDelivered(), w == null ? 0 : w.snapshotsTaken(), w == null ? 0 : w.reconnects(),
        allocatorLag, keeperLag, work);
  }

  private static String reason(String phase, boolean running, boolean leaseLive, boolean watchLive,
      boolean drained, long unattainableSlots) {
    if (!running) {
      return "phase " + phase.toLowerCase();
    }
    if (!leaseLive) {
      return "lease lost";
    }
    if (!watchLive) {
      return "watch not live";
    }
    if (drained) {
      return "drained";
    }
    return unattainableSlots > 0 ? "unattainable slots: " + unattainableSlots : "ok";
  }
}
