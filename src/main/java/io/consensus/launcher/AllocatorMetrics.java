package io.consensus.launcher;

import io.consensus.verticle.AllocatorHealth;
import io.consensus.verticle.AllocatorStats;
import io.consensus.verticle.AllocatorVerticle;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Micrometer meters {@code allocator_*} of one member, tagged {@code member}.
 *
 * <p>Counters of {@link AllocatorStats} are thread-safe and read at scrape time. Everything
 * that lives on the allocator's context (its view's counts, the lease, the watch) is read from
 * the immutable {@link AllocatorHealth} snapshot the allocator publishes from its context, so
 * a scrape never waits for the allocator and never touches its state.
 */
public final class AllocatorMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final AllocatorVerticle allocator;
  private final List<Meter> meters = new ArrayList<>();
  private volatile boolean closed;
  private static final Duration[] LAG_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
      .map(Duration::ofMillis).toArray(Duration[]::new);
  private static final Duration[] WORK_BUCKETS = Stream.of(1, 2, 5, 10, 20, 50, 100, 250, 1000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  private AllocatorMetrics(MeterRegistry registry, AllocatorVerticle allocator) {
    this.registry = registry;
    this.allocator = allocator;
    Tags tags = Tags.of("member", allocator.member());
    AllocatorStats s = allocator.stats();

    gauge("allocator.items", "Items in this member's view", tags, m -> m.h().items());
    gauge("allocator.members", "Members in this member's view", tags, m -> m.h().members());
    gauge("allocator.masters", "Items this member masters", tags, m -> m.h().masters());
    gauge("allocator.replicas", "Items this member is a replica of", tags, m -> m.h().replicas());
    gauge("allocator.items.short.of.replicas", "Items with fewer than R+1 entries", tags,
        m -> m.h().itemsShortOfReplicas());
    gauge("allocator.items.without.master", "Items with no entry at all", tags, m -> m.h().itemsWithoutMaster());
    gauge("allocator.unattainable.slots", "Slots the fleet wants that the members' item limits leave no room for",
        tags, m -> m.h().unattainableSlots());
    gauge("allocator.revision", "etcd revision of this member's view", tags, m -> m.h().revision());
    gauge("allocator.healthy", "1 while the member key is held and the watch is live", tags,
        m -> m.h().healthy() ? 1 : 0);
    gauge("allocator.watch.live", "1 while the etcd watch is established", tags, m -> m.h().watchLive() ? 1 : 0);
    meters.add(Gauge.builder("allocator.lease.remaining", this, m -> m.h().leaseRemainingMillis() / 1000.0)
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
    counter("allocator.watch.events", "Watch events received", tags, this, m -> m.h().watchEvents());
    counter("allocator.watch.snapshots", "Snapshots read (first one, compaction, errors)", tags, this,
        m -> m.h().watchSnapshots());
    counter("allocator.watch.reconnects", "Watch stream re-establishments", tags, this, m -> m.h().watchReconnects());
    counter("allocator.lease.keepalives", "Lease keep-alives answered", tags, this, m -> m.h().keepAlives());
    counter("allocator.lease.keepalive.failures", "Lease keep-alive failures", tags, this,
        m -> m.h().keepAliveFailures());
    counter("allocator.lease.losses", "Times the lease (or member key) was lost", tags, s,
        AllocatorStats::leaseLosses);

    Timer allocatorLag = lagTimer(tags.and("loop", AllocatorVerticle.LOOP_ALLOCATOR));
    Timer keeperLag = lagTimer(tags.and("loop", AllocatorVerticle.LOOP_KEEPER));
    allocator.onEventLoopLag((loop, nanos) -> {
      if (!closed) {
        (AllocatorVerticle.LOOP_KEEPER.equals(loop) ? keeperLag : allocatorLag).record(nanos, TimeUnit.NANOSECONDS);
      }
    });
    lagPeak(tags.and("loop", AllocatorVerticle.LOOP_ALLOCATOR), m -> m.h().allocatorLoopLag().maxMillis());
    lagPeak(tags.and("loop", AllocatorVerticle.LOOP_KEEPER), m -> m.h().keeperLoopLag().maxMillis());

    // Our own share of the allocator loop's time, beside its lag: one timer per kind of work.
    Timer[] work = new Timer[3];
    String[] kinds = {AllocatorVerticle.WORK_SLICE, AllocatorVerticle.WORK_DECISION, AllocatorVerticle.WORK_ANSWER};
    for (int i = 0; i < kinds.length; i++) {
      work[i] = Timer.builder("allocator.loop.work")
          .description("Wall time of one piece of this library's work on the allocator's event loop "
              + "(kind=slice|decision|answer)")
          .serviceLevelObjectives(WORK_BUCKETS).tags(tags.and("kind", kinds[i])).register(registry);
      meters.add(work[i]);
    }
    allocator.onLoopWork((kind, nanos) -> {
      if (!closed) {
        int i = AllocatorVerticle.WORK_SLICE.equals(kind) ? 0 : AllocatorVerticle.WORK_DECISION.equals(kind) ? 1 : 2;
        work[i].record(nanos, TimeUnit.NANOSECONDS);
      }
    });
    meters.add(Gauge.builder("allocator.loop.work.peak", this, m -> m.h().loopWork().maxMillis() / 1000.0)
        .description("Longest piece of this library's work on the allocator's event loop since the member started "
            + "(wall time)").baseUnit("seconds").tags(tags).register(registry));
    meters.add(Gauge.builder("allocator.loop.work.cpu.peak", this, m -> m.h().loopWork().maxCpuMillis() / 1000.0)
        .description("Most CPU time one piece of this library's work on the allocator's event loop used")
        .baseUnit("seconds").tags(tags).register(registry));
  }

  /** Lateness of a 100 ms timer on one loop, every sample: the histogram and its recent max. */
  private Timer lagTimer(Tags tags) {
    Timer t = Timer.builder("allocator.event.loop.lag")
        .description("How late a 100 ms timer ran on the event loop (loop=allocator|keeper)")
        .serviceLevelObjectives(LAG_BUCKETS).tags(tags).register(registry);
    meters.add(t);
    return t;
  }

  private void lagPeak(Tags tags, ToDoubleFunction<AllocatorMetrics> millis) {
    meters.add(Gauge.builder("allocator.event.loop.lag.peak", this, m -> millis.applyAsDouble(m) / 1000.0)
        .description("Largest event-loop lag since the member started").baseUnit("seconds").tags(tags)
        .register(registry));
  }

  /**
   * Registers the meters of {@code allocator}; they read its {@link AllocatorVerticle#health()}
   * snapshot and {@link AllocatorVerticle#stats()} at scrape time.
   */
  public static AllocatorMetrics register(MeterRegistry registry, AllocatorVerticle allocator) {
    return new AllocatorMetrics(registry, allocator);
  }

  private AllocatorHealth h() {
    return allocator.health();
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
    closed = true;
    meters.forEach(registry::remove);
  }
}
