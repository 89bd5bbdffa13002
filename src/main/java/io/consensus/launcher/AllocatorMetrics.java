package io.consensus.launcher;

import io.consensus.lease.LeaseKeeper;
import io.consensus.verticle.AllocatorStats;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.watch.RetryWatcher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters {@code allocator_*} of one member, tagged {@code member}.
 *
 * <p>Counters of {@link AllocatorStats} are thread-safe and read at scrape time. Everything
 * that lives on the allocator's context (its view's counts, the lease keeper, the watcher) is
 * copied into a snapshot every {@code refresh} by a task that runs on that context (through
 * {@link AllocatorVerticle#summary()} and {@link AllocatorVerticle#inspect}), so a scrape
 * never waits for the allocator and never touches its state.
 */
public final class AllocatorMetrics implements AutoCloseable {
  private final Vertx vertx;
  private final MeterRegistry registry;
  private final AllocatorVerticle allocator;
  private final List<Meter> meters = new ArrayList<>();
  private final long timer;
  private volatile Snapshot snap = new Snapshot(new JsonObject(), 0, 0, 0, 0, 0, 0, false, 0);

  // Lease counters restart with every new lease (after a rejoin): keep the totals of old ones.
  private LeaseKeeper lastLease;
  private long pastKeepAlives;
  private long pastKeepAliveFailures;

  /** What the allocator's context knew at the last refresh. */
  private record Snapshot(JsonObject summary, long keepAlives, long keepAliveFailures, long watchEvents,
      long watchSnapshots, long watchReconnects, long leaseRemainingMillis, boolean watchLive, double healthy) {
  }

  private AllocatorMetrics(Vertx vertx, MeterRegistry registry, AllocatorVerticle allocator, Duration refresh) {
    this.vertx = vertx;
    this.registry = registry;
    this.allocator = allocator;
    Tags tags = Tags.of("member", allocator.member());
    AllocatorStats s = allocator.stats();

    gauge("allocator.items", "Items in this member's view", tags, m -> summary("items"));
    gauge("allocator.members", "Members in this member's view", tags, m -> summary("members"));
    gauge("allocator.masters", "Items this member masters", tags, m -> summary("masters"));
    gauge("allocator.replicas", "Items this member is a replica of", tags, m -> summary("replicas"));
    gauge("allocator.items.short.of.replicas", "Items with fewer than R+1 entries", tags,
        m -> summary("itemsShortOfReplicas"));
    gauge("allocator.items.without.master", "Items with no entry at all", tags, m -> summary("itemsWithoutMaster"));
    gauge("allocator.unattainable.slots", "Slots the fleet wants that the members' item limits leave no room for",
        tags, m -> summary("unattainableSlots"));
    gauge("allocator.revision", "etcd revision of this member's view", tags, m -> summary("revision"));
    gauge("allocator.healthy", "1 while the member key is held and the watch is live", tags, m -> snap.healthy);
    gauge("allocator.watch.live", "1 while the etcd watch is established", tags, m -> snap.watchLive ? 1 : 0);
    meters.add(Gauge.builder("allocator.lease.remaining", this, m -> snap.leaseRemainingMillis / 1000.0)
        .description("Time until the lease would be considered lost without a keep-alive answer")
        .baseUnit("seconds").tags(tags).register(registry));
    meters.add(Gauge.builder("allocator.handoff.duration", s,
            st -> st.handoffMillis() < 0 ? Double.NaN : st.handoffMillis() / 1000.0)
        .description("Duration of the last graceful exit (hand-off)").baseUnit("seconds").tags(tags)
        .register(registry));

    counter("allocator.actions", "Entry writes that took effect, by kind", tags.and("kind", "create"), s,
        AllocatorStats::creates);
    counter("allocator.actions", "Entry writes that took effect, by kind", tags.and("kind", "update"), s,
        AllocatorStats::updates);
    counter("allocator.actions", "Entry writes that took effect, by kind", tags.and("kind", "release"), s,
        AllocatorStats::releases);
    counter("allocator.actions", "Entry writes that took effect, by kind", tags.and("kind", "move"), s,
        AllocatorStats::moves);
    counter("allocator.placements", "Entries created for this member: copies its application had to load", tags,
        s, AllocatorStats::placements);
    counter("allocator.mastership.changes", "Items whose master changed to this member from another", tags, s,
        AllocatorStats::mastershipChanges);
    counter("allocator.adoptions", "Entries adopted from this member's previous incarnation (restart grace)",
        tags, s, AllocatorStats::adoptions);
    counter("allocator.lost.races", "Actions whose compare failed", tags, s, AllocatorStats::lostRaces);
    counter("allocator.transactions", "Transactions sent, by outcome", tags.and("outcome", "answered"), s,
        st -> st.transactions() - st.transactionFailures());
    counter("allocator.transactions", "Transactions sent, by outcome", tags.and("outcome", "failed"), s,
        AllocatorStats::transactionFailures);
    meters.add(FunctionTimer.builder("allocator.transaction", s, AllocatorStats::transactions,
            AllocatorStats::transactionNanos, TimeUnit.NANOSECONDS)
        .description("Transaction latency (count and sum)").tags(tags).register(registry));
    counter("allocator.decisions", "Decision rounds", tags, s, AllocatorStats::decisions);
    counter("allocator.watch.updates", "Watch updates applied to the view", tags, s, AllocatorStats::watchUpdates);
    counter("allocator.watch.events", "Watch events received", tags, this, m -> snap.watchEvents);
    counter("allocator.watch.snapshots", "Snapshots read (first one, compaction, errors)", tags, this,
        m -> snap.watchSnapshots);
    counter("allocator.watch.reconnects", "Watch stream re-establishments", tags, this, m -> snap.watchReconnects);
    counter("allocator.lease.keepalives", "Lease keep-alives answered", tags, this, m -> snap.keepAlives);
    counter("allocator.lease.keepalive.failures", "Lease keep-alive failures", tags, this,
        m -> snap.keepAliveFailures);
    counter("allocator.lease.losses", "Times the lease (or member key) was lost", tags, s,
        AllocatorStats::leaseLosses);

    this.timer = vertx.setPeriodic(1, Math.max(100, refresh.toMillis()), id -> refresh());
  }

  /**
   * Registers the meters of {@code allocator} (deployed) and starts refreshing them.
   *
   * @param refresh how often gauges are re-read on the allocator's context (e.g. 1 s)
   */
  public static AllocatorMetrics register(Vertx vertx, MeterRegistry registry, AllocatorVerticle allocator,
                                          Duration refresh) {
    return new AllocatorMetrics(vertx, registry, allocator, refresh);
  }

  /** Re-reads the allocator's state on its context; never blocks. */
  Future<Void> refresh() {
    Future<JsonObject> summary = allocator.summary();
    Future<Snapshot> rest = allocator.inspect(tree -> {
      LeaseKeeper l = allocator.leaseKeeper();
      if (l != lastLease && lastLease != null) {
        pastKeepAlives += lastLease.keepAlivesAcknowledged();
        pastKeepAliveFailures += lastLease.keepAliveFailures();
      }
      lastLease = l;
      RetryWatcher w = allocator.watcher();
      return new Snapshot(null,
          pastKeepAlives + (l == null ? 0 : l.keepAlivesAcknowledged()),
          pastKeepAliveFailures + (l == null ? 0 : l.keepAliveFailures()),
          w == null ? 0 : w.eventsDelivered(), w == null ? 0 : w.snapshotsTaken(), w == null ? 0 : w.reconnects(),
          l == null ? 0 : Math.max(0, l.millisUntilDeadline()), w != null && w.isLive(),
          allocator.isHealthy() ? 1 : 0);
    });
    return Future.all(summary, rest).map(cf -> {
      Snapshot r = rest.result();
      snap = new Snapshot(summary.result(), r.keepAlives, r.keepAliveFailures, r.watchEvents, r.watchSnapshots,
          r.watchReconnects, r.leaseRemainingMillis, r.watchLive, r.healthy);
      return null;
    });
  }

  private double summary(String key) {
    Number n = snap.summary.getNumber(key);
    return n == null ? Double.NaN : n.doubleValue();
  }

  private void gauge(String name, String help, Tags tags, ToDoubleFunction<AllocatorMetrics> fn) {
    meters.add(Gauge.builder(name, this, fn).description(help).tags(tags).register(registry));
  }

  private <T> void counter(String name, String help, Tags tags, T obj, ToDoubleFunction<T> fn) {
    meters.add(FunctionCounter.builder(name, obj, fn).description(help).tags(tags).register(registry));
  }

  /** Stops refreshing and removes this member's meters. */
  @Override
  public void close() {
    vertx.cancelTimer(timer);
    meters.forEach(registry::remove);
  }
}
