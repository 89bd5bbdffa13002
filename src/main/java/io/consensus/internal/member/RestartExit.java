package io.consensus.internal.member;

import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.internal.allocation.Action;
import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.allocation.ItemSummary;
import io.consensus.internal.etcd.EtcdConnection;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's stop for a restart: declares the restart on a grace lease at once (so that the
 * fleet does not move copies around while the member is away), and at the exit moves the
 * member's replica entries onto that lease (same keys, same create revisions: nothing is
 * placed anew) for its next incarnation to adopt. Used on the allocator's context.
 */
public final class RestartExit {
  // The allocator's own log: these lines are part of its exit.
  private static final Logger LOG = LoggerFactory.getLogger(AllocatorVerticle.class);

  private final EntryWriter writer;
  private final String member;
  private final int graceSeconds;
  private final int maxBatch;
  private final Future<Long> graceLease;

  private RestartExit(EtcdConnection conn, EntryWriter writer, String member, AllocatorOptions options) {
    this.writer = writer;
    this.member = member;
    this.graceSeconds = options.getRestartGraceSeconds();
    this.maxBatch = options.getMaxBatch();
    int ttl = options.getRestartGraceSeconds() + options.getHandoffTimeoutSeconds();
    graceLease = GraceLease.grant(conn, ttl).compose(g -> writer.declareRestart(g).map(rev -> g));
    graceLease.onFailure(err -> LOG.warn("member {}: declaring the restart failed ({}); stopping as a leave",
        member, err.toString()));
  }

  /** Grants the grace lease (restart grace + hand-off timeout) and declares the restart on it. */
  public static RestartExit declare(EtcdConnection conn, EntryWriter writer, String member, AllocatorOptions options) {
    return new RestartExit(conn, writer, member, options);
  }

  /**
   * Moves the replica entries {@code index} shows this member holding onto the grace lease.
   * Masters still held (hand-off timeout) are not kept: they go with the member's lease, as on
   * any exit. Fails when the declaration or a write failed.
   */
  public Future<Integer> keepReplicas(AllocationIndex index, String why) {
    List<Action> keep = new ArrayList<>();
    for (String item : index.heldItems()) {
      ItemSummary s = index.summary(item);
      if (s != null && s.myEntry() != null && s.myIndex() > 0) {
        keep.add(new Action(Action.Kind.UPDATE, item, s.myEntry().state(), s.myEntry().modRevision(), 0, null,
            List.of(), s.myEntry().moved()));
      }
    }
    return graceLease.compose(g -> moveOnto(keep, 0, g, 0).map(moved -> {
      LOG.info("member {}: restarting: {} of {} replica entries wait on lease {} (grace {} s; {})", member,
          moved, keep.size(), g, graceSeconds, why);
      return moved;
    }));
  }

  /** Moves {@code entries[from..]} onto {@code lease} in batches; the count that moved. */
  private Future<Integer> moveOnto(List<Action> entries, int from, long lease, int moved) {
    if (from >= entries.size()) {
      return Future.succeededFuture(moved);
    }
    int to = Math.min(entries.size(), from + Math.max(1, Math.min(64, maxBatch)));
    return writer.apply(entries.subList(from, to), lease)
        .compose(r -> moveOnto(entries, to, lease, moved + r.successes()));
  }
}
