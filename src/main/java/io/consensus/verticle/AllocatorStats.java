package io.consensus.verticle;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one allocator, written on its context and readable from anywhere (metrics,
 * benchmarks). Cumulative since deployment.
 */
public final class AllocatorStats {
  final LongAdder transactions = new LongAdder();
  final LongAdder transactionFailures = new LongAdder();
  final LongAdder transactionNanos = new LongAdder();
  final LongAdder creates = new LongAdder();
  final LongAdder updates = new LongAdder();
  final LongAdder releases = new LongAdder();
  final LongAdder moves = new LongAdder();
  final LongAdder adoptions = new LongAdder();
  final LongAdder mastershipChanges = new LongAdder();
  final LongAdder lostRaces = new LongAdder();
  final LongAdder watchUpdates = new LongAdder();
  final LongAdder snapshots = new LongAdder();
  final LongAdder decisions = new LongAdder();
  final LongAdder leaseLosses = new LongAdder();
  final LongAdder slices = new LongAdder();
  final LongAdder itemsReclassified = new LongAdder();
  final LongAdder slowSlices = new LongAdder();
  volatile long longestSliceNanos;
  volatile long longestSliceCpuNanos;
  volatile long handoffMillis = -1;
  volatile long unattainableSlots;

  /** Transactions sent (each carries one or more actions). */
  public long transactions() {
    return transactions.sum();
  }

  /** Transactions that failed to get an answer (etcd unreachable, timeout). */
  public long transactionFailures() {
    return transactionFailures.sum();
  }

  /** Total time spent waiting for transaction answers, nanoseconds. */
  public long transactionNanos() {
    return transactionNanos.sum();
  }

  /** Entries taken. */
  public long creates() {
    return creates.sum();
  }

  /** Entry states rewritten. */
  public long updates() {
    return updates.sum();
  }

  /** Entries released. */
  public long releases() {
    return releases.sum();
  }

  /**
   * PlacementConstraints: entries created for this member where it held none of the item, i.e. copies its
   * application had to load (every create is one).
   */
  public long placements() {
    return creates.sum();
  }

  /** Entries moved behind the others in place (a master handing off keeps its copy). */
  public long moves() {
    return moves.sum();
  }

  /** Entries adopted from this member's previous incarnation after a declared restart. */
  public long adoptions() {
    return adoptions.sum();
  }

  /**
   * Items whose master changed to this member from another one, as its routes showed it
   * (summed over a fleet: the fleet's mastership changes).
   */
  public long mastershipChanges() {
    return mastershipChanges.sum();
  }

  /** Actions whose compare failed (another member won, or the view was stale). */
  public long lostRaces() {
    return lostRaces.sum();
  }

  /** Actions that took effect: creates + updates + releases + moves (a move writes two keys). */
  public long actions() {
    return creates() + updates() + releases() + moves();
  }

  /** Watch updates applied. */
  public long watchUpdates() {
    return watchUpdates.sum();
  }

  /** Snapshots applied (first one included). */
  public long snapshots() {
    return snapshots.sum();
  }

  /** Decision rounds run. */
  public long decisions() {
    return decisions.sum();
  }

  /** Times the lease was lost (or the member key vanished). */
  public long leaseLosses() {
    return leaseLosses.sum();
  }

  /**
   * Slots (entries) the fleet wants that its members' item limits leave no room for, as this
   * member last saw it; 0 without limits. A gauge, not a counter.
   */
  public long unattainableSlots() {
    return unattainableSlots;
  }

  /** Duration of the last graceful exit, -1 before one finished. */
  public long handoffMillis() {
    return handoffMillis;
  }

  /**
   * Slices of update work run on the event loop (a watch update, route publication, a state
   * sweep: large ones are cut into slices of a few milliseconds that yield to the loop).
   */
  public long slices() {
    return slices.sum();
  }

  /**
   * Items whose route this member re-derived from its view (watch updates and rebuilds): the
   * work its updates cost, proportional to the items they touch, not to all items.
   */
  public long itemsReclassified() {
    return itemsReclassified.sum();
  }

  /** Slices that held the event loop for 50 ms or more (the goal is none). */
  public long slowSlices() {
    return slowSlices.sum();
  }

  /** The longest slice of update work so far, milliseconds (fractional). */
  public double longestSliceMillis() {
    return longestSliceNanos / 1e6;
  }

  /**
   * The most CPU time one slice used, milliseconds: the work itself, without the time a crowded
   * machine gave other threads meanwhile (which {@link #longestSliceMillis()} includes).
   */
  public double longestSliceCpuMillis() {
    return longestSliceCpuNanos / 1e6;
  }

  /** Notes one slice of {@code nanos} ({@code cpuNanos} of CPU, -1 unknown); called on the allocator's context. */
  void slice(long nanos, long cpuNanos) {
    if (cpuNanos > longestSliceCpuNanos) {
      longestSliceCpuNanos = cpuNanos;
    }
    slices.increment();
    if (nanos >= 50_000_000L) {
      slowSlices.increment();
    }
    if (nanos > longestSliceNanos) {
      longestSliceNanos = nanos;
    }
  }
}
