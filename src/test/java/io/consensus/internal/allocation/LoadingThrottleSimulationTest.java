package io.consensus.internal.allocation;

import static io.consensus.internal.allocation.ProtocolSimulationTest.assertConverged;
import static io.consensus.internal.allocation.ProtocolSimulationTest.items;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The loading throttle ({@code maxLoadingEntries}) with an application that takes rounds to
 * load each entry, members acting on stale views: a member that joins, and the members that
 * restaff a crashed one, never hold more entries not yet ready than the throttle allows (no
 * item lacks a master, so no take is exempt), and the fleet still converges once loads finish.
 */
class LoadingThrottleSimulationTest {
  static final int MAX_LOADING = 5;

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"1", "2", "3", "4", "5", "6"})
  void aJoinAndACrashNeverLoadMoreThanTheThrottleAndStillConverge(long seed) {
    Map<String, Integer> peak = joinAndCrash(seed, MAX_LOADING);
    peak.values().forEach(p -> assertThat(p).isLessThanOrEqualTo(MAX_LOADING));
    // Without the throttle the same scenario loads far more at once on the newcomer.
    Map<String, Integer> unthrottled = joinAndCrash(seed, null);
    assertThat(unthrottled.get("m5")).isGreaterThan(MAX_LOADING);
  }

  /** Peak entries not yet ready per member, over a join of m5 and a crash of m1. */
  static Map<String, Integer> joinAndCrash(long seed, Integer maxLoading) {
    int replicas = 2;
    SimulatedFleet fleet = new SimulatedFleet(seed, replicas, items(120), 16);
    fleet.syncPercent = 50;
    fleet.loadRounds = 3;
    fleet.maxLoadingEntries = maxLoading;
    for (String m : new String[] {"m1", "m2", "m3", "m4"}) {
      fleet.join(m);
    }
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).as("initial convergence").isTrue();
    assertConverged(fleet, replicas);
    Map<String, Integer> peak = new HashMap<>();
    Runnable check = () -> {
      for (String m : fleet.members.keySet()) {
        peak.merge(m, fleet.loadingOf(m), Math::max);
      }
      fleet.routes().forEach((item, route) ->
          assertThat(route.size()).as("%s at rev %d", route, fleet.revision).isGreaterThanOrEqualTo(replicas));
    };
    fleet.join("m5");
    assertThat(fleet.runToFixpoint(2_000_000, check)).as("converges after the join").isTrue();
    assertConverged(fleet, replicas);
    fleet.crash("m1");
    assertThat(fleet.runToFixpoint(2_000_000, check)).as("converges after the crash").isTrue();
    assertConverged(fleet, replicas);
    return peak;
  }
}
