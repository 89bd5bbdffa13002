package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The health snapshot a member publishes, against real etcd. */
class AllocatorHealthTest extends FleetTest {
  static final List<String> ITEMS = List.of("a", "b", "c");

  @Test
  void theSnapshotFollowsTheMemberFromItsViewToItsExit() {
    AllocatorVerticle m = fleet.deploy("m1", 0, ITEMS);
    fleet.awaitRoutes(ITEMS, "m1 masters all", r -> r.values().stream()
        .allMatch(x -> x.size() == 1 && x.master().member().equals("m1")));
    fleet.awaitQuiet();
    TestFleet.awaitCondition("the snapshot shows the view", () -> m.health().masters() == ITEMS.size(),
        () -> m.health().toString());
    AllocatorHealth h = m.health();
    assertThat(h.healthy()).isTrue();
    assertThat(h.reason()).isEqualTo("ok");
    assertThat(h.phase()).isEqualTo("RUNNING");
    assertThat(h.drained()).isFalse();
    assertThat(h.items()).isEqualTo(ITEMS.size());
    assertThat(h.members()).isEqualTo(1);
    assertThat(h.replicas()).isZero();
    assertThat(h.itemsWithoutMaster()).isZero();
    assertThat(h.revision()).isPositive();
    assertThat(h.leaseId()).isEqualTo(m.leaseId()).isNotZero();
    assertThat(h.leaseRemainingMillis()).isPositive().isLessThanOrEqualTo(4000);
    assertThat(h.watchLive()).isTrue();
    assertThat(h.watchSnapshots()).isPositive();
    assertThat(m.isHealthy()).isTrue();
    assertThat(m.healthReason()).isEqualTo("ok");

    // Keep-alives change nothing in the view, yet the snapshot counts them.
    long keepAlives = h.keepAlives();
    TestFleet.awaitCondition("a keep-alive counted", () -> m.health().keepAlives() > keepAlives,
        () -> m.health().toString());

    await(fleet.cancel("m1"));
    AllocatorHealth after = m.health();
    assertThat(after.healthy()).isFalse();
    assertThat(after.phase()).isEqualTo("EXITED");
    assertThat(after.reason()).isEqualTo("phase exited");
    assertThat(m.isHealthy()).isFalse();
    assertThat(h.phase()).as("a snapshot handed out never changes").isEqualTo("RUNNING");
  }
}
