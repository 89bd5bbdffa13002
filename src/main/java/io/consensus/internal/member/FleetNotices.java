package io.consensus.internal.member;

import io.consensus.verticle.AllocatorVerticle;
import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.route.Keys;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the placement looks like from one member's view: whether it is drained, maintenance
 * mode, the fleet's capacity shortfall (into {@link AllocatorStats#unattainableSlots()}) and
 * member keys without a lease, each logged once per change. Used on the allocator's context.
 */
public final class FleetNotices {
  // The allocator's own log: these lines describe its view.
  private static final Logger LOG = LoggerFactory.getLogger(AllocatorVerticle.class);

  private final String member;
  private final Keys keys;
  private final LongConsumer unattainableSink;
  private long unattainableSlots;
  private final Set<String> warnedLeaseless = new HashSet<>();
  private boolean drained;
  private boolean maintenance;

  public FleetNotices(String member, Keys keys, LongConsumer unattainableSink) {
    this.member = member;
    this.keys = keys;
    this.unattainableSink = unattainableSink;
  }

  /** Whether this member is drained, as its view last showed while its member key was present. */
  public boolean drained() {
    return drained;
  }

  /** Notes what {@code index} shows after an update. */
  public void observe(AllocationIndex index) {
    observePlacement(index);
    warnLeaselessMembers(index);
  }

  /** Notes (and logs once per change) drain, maintenance and the fleet's capacity shortfall. */
  private void observePlacement(AllocationIndex index) {
    if (!index.memberPresent()) {
      return;
    }
    boolean nowDrained = index.drained();
    if (nowDrained != drained) {
      drained = nowDrained;
      LOG.info("member {}: {}", member, nowDrained ? "drained: taking nothing, handing off "
          + index.entriesHeld() + " entries" : "no longer drained: taking its share again");
    }
    boolean nowMaintenance = index.maintenance();
    if (nowMaintenance != maintenance) {
      maintenance = nowMaintenance;
      LOG.info("member {}: maintenance mode {}", member, nowMaintenance ? "on (" + keys.maintenance()
          + " present): no balancing moves" : "off: balancing resumes");
    }
    long unattainable = index.unattainableSlots();
    if (unattainable != unattainableSlots) {
      long before = unattainableSlots;
      unattainableSlots = unattainable;
      unattainableSink.accept(unattainable);
      if (unattainable > 0) {
        LOG.warn("member {}: {} of the fleet's slots are unattainable: the members' item limits leave no room "
            + "for them (masters are placed first, then first replicas)", member, unattainable);
      } else if (before > 0) {
        LOG.info("member {}: every slot is attainable again", member);
      }
    }
  }

  private void warnLeaselessMembers(AllocationIndex index) {
    for (String name : index.leaselessMembers()) {
      if (warnedLeaseless.add(name)) {
        LOG.warn("member {}: key {} has no lease; it is not a member and is ignored (delete it)", member,
            keys.member(name));
      }
    }
  }
}
