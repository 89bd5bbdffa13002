package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Safety and convergence of the rules over random interleavings of members acting on stale
 * views, against an in-memory keyspace with etcd's compare semantics.
 */
class ProtocolSimulationTest {

  static List<String> items(int n) {
    return IntStream.range(0, n).mapToObj(i -> String.format("item-%03d", i)).toList();
  }

  @ParameterizedTest(name = "seed {0}, batch {1}")
  @CsvSource({"1,1", "2,1", "3,1", "4,16", "5,16", "6,16", "7,16", "8,128", "9,128", "10,128"})
  void convergesAndHandsOffWithoutDroppingBelowR(long seed, int batch) {
    int replicas = 2;
    SimulatedFleet fleet = new SimulatedFleet(seed, replicas, items(40), batch);
    fleet.join("m1");
    fleet.join("m2");
    fleet.join("m3");
    fleet.join("m4");
    assertThat(fleet.runToFixpoint(200_000, () -> { })).as("converges").isTrue();
    assertConverged(fleet, replicas);

    // Graceful leave of one member at a time (then it rejoins): items that reached R+1
    // entries never drop below R, and never lack a master.
    Map<String, Integer> minSize = new HashMap<>();
    Runnable check = () -> fleet.routes().forEach((item, route) -> {
      minSize.merge(item, route.size(), Math::min);
      assertThat(route.size()).as("%s at rev %d", item, fleet.revision).isGreaterThanOrEqualTo(replicas);
    });
    for (String m : List.of("m1", "m2", "m3", "m4")) {
      fleet.cancel(m);
      assertThat(fleet.runToFixpoint(200_000, check)).isTrue();
      assertThat(fleet.members.get(m).done).as("%s completed", m).isTrue();
      fleet.members.remove(m);
      fleet.join(m);
      assertThat(fleet.runToFixpoint(200_000, check)).isTrue();
      assertConverged(fleet, replicas);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"51", "52", "53", "54", "55", "56"})
  void aRollingRestartOfTenMembersNeverDropsAnItemBelowR(long seed) {
    int replicas = 2;
    SimulatedFleet fleet = new SimulatedFleet(seed, replicas, items(200), 64);
    fleet.syncPercent = 20; // members act on quite stale views: races and extras are common
    List<String> names = IntStream.range(0, 10).mapToObj(i -> "m" + i).toList();
    names.forEach(fleet::join);
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).isTrue();
    Runnable check = () -> fleet.routes().forEach((item, route) ->
        assertThat(route.size()).as("%s at rev %d", route, fleet.revision).isGreaterThanOrEqualTo(replicas));
    for (String m : names) {
      fleet.cancel(m);
      assertThat(fleet.runToFixpoint(2_000_000, check)).isTrue();
      fleet.members.remove(m);
      fleet.join(m);
      assertThat(fleet.runToFixpoint(2_000_000, check)).isTrue();
    }
    assertConverged(fleet, replicas);
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"11", "12", "13"})
  void crashedMembersAreReplaced(long seed) {
    SimulatedFleet fleet = new SimulatedFleet(seed, 1, items(12), 16);
    fleet.join("a");
    fleet.join("b");
    fleet.join("c");
    assertThat(fleet.runToFixpoint(100_000, () -> { })).isTrue();
    fleet.crash("b");
    assertThat(fleet.runToFixpoint(100_000, () -> { })).isTrue();
    assertConverged(fleet, 1);
    assertThat(fleet.mastersPerMember()).containsOnlyKeys("a", "c");
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"21", "22", "23"})
  void extendedDeadlockScenarioStaysUnderTheActionBudget(long seed) {
    // DESIGN.md: R=2, 240 items, four members converge, then a rolling restart of one
    // member; all items end with 3 entries in fewer than 2,500 actions (one action per round, maxBatch 1).
    SimulatedFleet fleet = new SimulatedFleet(seed, 2, items(240), 1);
    for (String m : List.of("m1", "m2", "m3", "m4")) {
      fleet.join(m);
    }
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).isTrue();
    fleet.cancel("m1");
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).isTrue();
    fleet.members.remove("m1");
    fleet.join("m1");
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).isTrue();
    assertConverged(fleet, 2);
    assertThat(fleet.actions).as("actions by rule %s", fleet.actionsByRule).isLessThan(2_500);
  }

  @ParameterizedTest(name = "seed {0}: {1} items, {2} members, R={3}")
  @CsvSource({"31,41,4,1", "32,100,3,2", "33,7,3,1", "34,100,3,2", "35,50,7,2", "36,100,6,1"})
  void itemsThatDoNotDivideEvenlyStillConvergeWithinOneMaster(long seed, int n, int m, int replicas) {
    SimulatedFleet fleet = new SimulatedFleet(seed, replicas, items(n), 16);
    IntStream.range(0, m).forEach(i -> fleet.join("m" + i));
    assertThat(fleet.runToFixpoint(500_000, () -> { })).as("converges").isTrue();
    assertConverged(fleet, replicas);
  }

  @ParameterizedTest(name = "seed {0}, batch {1}")
  @CsvSource({"41,64", "42,64", "43,128", "44,128"}) // the default and the most etcd takes
  void aCrashAtScaleIsFullyRestaffed(long seed, int batch) {
    SimulatedFleet fleet = new SimulatedFleet(seed, 2, items(1000), batch);
    IntStream.range(0, 10).forEach(i -> fleet.join(String.format("m%02d", i)));
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).isTrue();
    assertConverged(fleet, 2);
    fleet.crash("m05");
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).as("converges after the crash").isTrue();
    assertConverged(fleet, 2);
  }

  static LongStream seeds() {
    return LongStream.range(100, 160);
  }

  /** Random fleet sizes, item counts, R and modes; a graceful leave, then a crash. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomFleetsConvergeThroughALeaveAndACrash(long seed) {
    java.util.Random r = new java.util.Random(seed);
    int n = 1 + r.nextInt(120);
    int m = 1 + r.nextInt(7);
    int replicas = r.nextInt(3);
    int batch = r.nextBoolean() ? 1 : 32;
    SimulatedFleet fleet = new SimulatedFleet(seed, replicas, items(n), batch);
    IntStream.range(0, m).forEach(i -> fleet.join("m" + i));
    String what = n + " items, " + m + " members, R=" + replicas + ", batch " + batch;
    assertThat(fleet.runToFixpoint(400_000, () -> { })).as("fixpoint: %s", what).isTrue();
    if (m >= replicas + 1) {
      assertConverged(fleet, replicas);
    }
    if (m >= 3) {
      fleet.cancel("m0");
      assertThat(fleet.runToFixpoint(400_000, () -> { })).as("fixpoint after a leave: %s", what).isTrue();
      assertThat(fleet.members.get("m0").done).isTrue();
      fleet.members.remove("m0");
      fleet.crash("m1");
      assertThat(fleet.runToFixpoint(400_000, () -> { })).as("fixpoint after a crash: %s", what).isTrue();
      if (m - 2 >= replicas + 1) {
        assertConverged(fleet, replicas);
      }
    }
  }

  static LongStream movementSeeds() {
    return LongStream.range(300, 340);
  }

  /**
   * Checks at every revision (members act on stale views): every item that reached R+1 entries
   * keeps at least R and a master.
   */
  static Runnable safety(SimulatedFleet fleet, int replicas, String what) {
    return () -> fleet.routes().forEach((item, route) -> {
      assertThat(route.isEmpty()).as("%s masterless at rev %d: %s", item, fleet.revision, what).isFalse();
      assertThat(route.size()).as("%s at rev %d: %s", route, fleet.revision, what).isGreaterThanOrEqualTo(replicas);
    });
  }

  /** A random fleet at its fixpoint, and a description of it. */
  static SimulatedFleet randomFleet(long seed, StringBuilder what) {
    java.util.Random r = new java.util.Random(seed);
    int replicas = 1 + r.nextInt(2);
    int m = replicas + 2 + r.nextInt(5);
    // At least 40 items: with a handful of entries per member, single Go-style releases of a master
    // (FORCED_HANDOFF) dominate any ratio.
    int n = 40 + r.nextInt(120);
    int batch = r.nextBoolean() ? 1 : 32;
    SimulatedFleet fleet = new SimulatedFleet(seed, replicas, items(n), batch);
    fleet.syncPercent = 20 + r.nextInt(60);
    IntStream.range(0, m).forEach(i -> fleet.join("m" + i));
    what.append(n).append(" items, ").append(m).append(" members, R=").append(replicas).append(", batch ")
        .append(batch).append(", sync ").append(fleet.syncPercent).append('%');
    assertThat(fleet.runToFixpoint(1_000_000, () -> { })).as("fixpoint: %s", what).isTrue();
    assertConverged(fleet, replicas);
    return fleet;
  }

  /**
   * A leave and a rejoin place little more than twice the entries the member held (its copies go
   * to others and come back), and stay safe. Measured on fresh views: on stale ones, members
   * racing for the same short item place extras that lose (RELEASE_EXTRA), which says more about the
   * staleness than the rules. The bound is 2.5, not the 2.2 of the 240-item benchmark: in
   * fleets whose total targets leave much slack (e.g. 49 items over 8 members) nobody is over
   * its total when the member returns, so copies reach it only through FORCED_HANDOFF's Go-style
   * releases, each of which also moves a mastership (worst seen: 2.32).
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("movementSeeds")
  void aLeaveAndRejoinPlacesLittleMoreThanTheCopiesTheMemberHeld(long seed) {
    StringBuilder what = new StringBuilder();
    SimulatedFleet fleet = randomFleet(seed, what);
    fleet.syncPercent = 100;
    int replicas = fleet.replicas;
    int held = fleet.entriesOf("m1");
    int placed = fleet.placements;
    fleet.cancel("m1");
    assertThat(fleet.runToFixpoint(1_000_000, safety(fleet, replicas, what.toString()))).as("leave: %s", what)
        .isTrue();
    fleet.members.remove("m1");
    fleet.join("m1");
    assertThat(fleet.runToFixpoint(1_000_000, safety(fleet, replicas, what.toString()))).as("rejoin: %s", what)
        .isTrue();
    assertConverged(fleet, replicas);
    assertThat(fleet.placements - placed).as("placements for %d held: %s, rules %s", held, what,
        fleet.actionsByRule).isLessThanOrEqualTo((int) Math.ceil(2.5 * held));
  }

  /**
   * A restart within the grace: the member hands its masters off in place, keeps its replicas,
   * its next incarnation adopts them. On fresh views at most 5 % of the entries it held are
   * placed anew, or 4 in small fleets: when the member is back and no member is over its total,
   * a master that cannot reach it in place lets go as the Go package did (FORCED_HANDOFF), which moves a copy
   * (seen: 4 placements for 23 held; none in most fleets).
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("movementSeeds")
  void aRestartWithinTheGracePlacesAlmostNothing(long seed) {
    int[] moved = restartWithinTheGrace(seed, 100);
    assertThat(moved[1]).as("placements for %d held", moved[0])
        .isLessThanOrEqualTo(Math.max(4, (int) Math.floor(0.05 * moved[0])));
  }

  /**
   * The same on stale views (members act on old views, race and lose): never masterless or below
   * R ready entries on the way, and the member is back with its share.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("movementSeeds")
  void aRestartWithinTheGraceIsSafeOnStaleViews(long seed) {
    restartWithinTheGrace(seed, -1);
  }

  /** Runs a restart within the grace; returns {entries held, placements}. */
  static int[] restartWithinTheGrace(long seed, int syncPercent) {
    StringBuilder what = new StringBuilder();
    SimulatedFleet fleet = randomFleet(seed, what);
    if (syncPercent > 0) {
      fleet.syncPercent = syncPercent;
    }
    int replicas = fleet.replicas;
    int held = fleet.entriesOf("m1");
    int placed = fleet.placements;
    fleet.startRestart("m1");
    assertThat(fleet.runToFixpoint(1_000_000, safety(fleet, replicas, what.toString()))).as("hand-off: %s", what)
        .isTrue();
    assertThat(fleet.members.get("m1").done).as("m1 handed its masters off: %s", what).isTrue();
    assertThat(fleet.mastersPerMember().get("m1")).isZero();
    fleet.finishRestart("m1");
    fleet.join("m1");
    assertThat(fleet.runToFixpoint(1_000_000, safety(fleet, replicas, what.toString()))).as("back: %s", what)
        .isTrue();
    assertConverged(fleet, replicas);
    assertThat(fleet.entriesOf("m1")).as("m1 holds its share again: %s", what).isGreaterThan(0);
    // Nothing is left on the grace lease, and the declaration is gone.
    assertThat(fleet.store.keySet()).noneMatch(k -> k.startsWith(SimulatedFleet.ROOT + "/restarts/"));
    return new int[] {held, fleet.placements - placed};
  }

  /** A restart that does not come back: its entries expire, the fleet re-places them. */
  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"401", "402", "403", "404"})
  void aRestartThatDoesNotComeBackIsReplacedAsAfterACrash(long seed) {
    StringBuilder what = new StringBuilder();
    SimulatedFleet fleet = randomFleet(seed, what);
    int replicas = fleet.replicas;
    fleet.startRestart("m1");
    assertThat(fleet.runToFixpoint(1_000_000, safety(fleet, replicas, what.toString()))).isTrue();
    long grace = fleet.finishRestart("m1");
    fleet.expire(grace);
    assertThat(fleet.runToFixpoint(1_000_000, () -> { })).as("restaffed: %s", what).isTrue();
    assertConverged(fleet, replicas);
    assertThat(fleet.entriesOf("m1")).isZero();
  }

  /** The Go package's extended deadlock scenario, counting what moves (not asserted beyond budgets). */
  @ParameterizedTest(name = "seed {0}, batch {1}")
  @CsvSource({"61,1", "62,1", "63,64", "64,64"})
  void aRestartOfOneOf4MembersAt240ItemsStaysNearThePhysicalMinimum(long seed, int batch) {
    SimulatedFleet fleet = new SimulatedFleet(seed, 2, items(240), batch);
    for (String m : List.of("m1", "m2", "m3", "m4")) {
      fleet.join(m);
    }
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).isTrue();
    int held = fleet.entriesOf("m1");
    int masters = fleet.mastersPerMember().get("m1");
    int placed = fleet.placements;
    int changes = fleet.masterChanges;
    fleet.cancel("m1");
    assertThat(fleet.runToFixpoint(2_000_000, safety(fleet, 2, "leave"))).isTrue();
    fleet.members.remove("m1");
    fleet.join("m1");
    assertThat(fleet.runToFixpoint(2_000_000, safety(fleet, 2, "rejoin"))).isTrue();
    assertConverged(fleet, 2);
    // It held 180 entries (60 masters): they leave and come back (360 placements at least);
    // mastership moves twice per master (120 at least).
    assertThat(fleet.placements - placed).as("placements").isLessThanOrEqualTo(400);
    assertThat(fleet.masterChanges - changes).as("mastership changes").isBetween(2 * masters, 180);
    assertThat(held).isEqualTo(180);
  }

  /**
   * Issue 20 item 4: the same restart as member processes do it. The fleet settles at three
   * members while the process starts again, and the new process's key is present for seconds
   * before it acts (a cold JVM reading its first snapshot). The others make room for it
   * (SURPLUS_REPLICA) and must then wait: releasing masters meanwhile (FORCED_HANDOFF) hands them
   * to other members over their share and places copies for nothing (seen: 394-562 placements,
   * 168-307 mastership changes). Within 1.1 x the placements and 1.2 x the mastership changes of
   * the physical minimum, safe on stale views.
   */
  @ParameterizedTest(name = "seed {0}, batch {1}, asleep {2} rounds")
  @CsvSource({"71,1,3000", "72,1,300", "73,64,3000", "74,64,300", "75,64,30000", "76,16,3000"})
  void aRestartedMemberSlowToActDoesNotMakeTheOthersChurn(long seed, int batch, int asleep) {
    SimulatedFleet fleet = new SimulatedFleet(seed, 2, items(240), batch);
    for (String m : List.of("m1", "m2", "m3", "m4")) {
      fleet.join(m);
    }
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).isTrue();
    int held = fleet.entriesOf("m1");
    int masters = fleet.mastersPerMember().get("m1");
    int placed = fleet.placements;
    int changes = fleet.masterChanges;
    fleet.cancel("m1");
    assertThat(fleet.runToFixpoint(2_000_000, safety(fleet, 2, "leave"))).isTrue();
    fleet.members.remove("m1");
    fleet.join("m1").asleepUntil = fleet.rounds + asleep;
    assertThat(fleet.runToFixpoint(2_000_000, safety(fleet, 2, "rejoin"))).isTrue();
    assertConverged(fleet, 2);
    assertThat(fleet.placements - placed).as("placements for %d held, rules %s", held, fleet.actionsByRule)
        .isLessThanOrEqualTo((int) (1.1 * 2 * held));
    assertThat(fleet.masterChanges - changes).as("mastership changes for %d mastered, rules %s", masters,
        fleet.actionsByRule).isLessThanOrEqualTo((int) (1.2 * 2 * masters));
  }

  /**
   * Issue 20: items deleted in two requests (marker, then prefix, some rounds apart) while
   * members crash and the others restaff on stale views: no deleted item gets an entry again.
   */
  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"61", "62", "63", "64", "65", "66"})
  void itemsDeletedInTwoStepsWhileMembersCrashStayDeleted(long seed) {
    int replicas = 2;
    SimulatedFleet fleet = new SimulatedFleet(seed, replicas, List.of(), 16);
    fleet.syncPercent = 20;
    List<String> all = items(60);
    all.forEach(fleet::addItem);
    List.of("m1", "m2", "m3", "m4", "m5").forEach(fleet::join);
    assertThat(fleet.runToFixpoint(2_000_000, () -> { })).isTrue();
    java.util.Set<String> deleted = new java.util.HashSet<>();
    Runnable check = () -> {
      for (String item : deleted) {
        assertThat(fleet.store.subMap(fleet.keys.itemEntriesPrefix(item),
            fleet.keys.itemEntriesPrefix(item) + Character.MAX_VALUE)).as("%s at rev %d", item, fleet.revision)
            .isEmpty();
      }
    };
    java.util.Random rnd = new java.util.Random(seed);
    for (int i = 0; i < 30; i++) {
      // A member crashes (a fresh one joins): its items are short of a replica, and the others
      // restaff them while one of them is deleted.
      // The victim holds an entry (a member that joined a few rounds ago may hold none yet).
      List<String> holders = new ArrayList<>(fleet.members.keySet());
      holders.removeIf(m -> fleet.routes().values().stream().noneMatch(r -> r.index(m) >= 0));
      String victim = holders.get(rnd.nextInt(holders.size()));
      String item = fleet.routes().entrySet().stream().filter(e -> e.getValue().index(victim) >= 0)
          .map(Map.Entry::getKey).findFirst().orElseThrow();
      fleet.crash(victim);
      fleet.join(victim + "-" + i);
      fleet.runToFixpoint(rnd.nextInt(8), check);
      fleet.delete(List.of(fleet.keys.item(item)));
      fleet.runToFixpoint(rnd.nextInt(40), check); // members act on views between the two deletes
      fleet.deletePrefix(fleet.keys.itemEntriesPrefix(item));
      deleted.add(item);
      fleet.runToFixpoint(rnd.nextInt(40), check);
    }
    assertThat(fleet.runToFixpoint(2_000_000, check)).isTrue();
    assertThat(fleet.routes().keySet()).doesNotContainAnyElementsOf(deleted).hasSize(30);
    assertConverged(fleet, replicas);
  }

  static void assertConverged(SimulatedFleet fleet, int replicas) {
    for (Route r : fleet.routes().values()) {
      assertThat(r.size()).as("entries of %s", r).isEqualTo(replicas + 1);
    }
    Map<String, Integer> masters = fleet.mastersPerMember();
    int max = masters.values().stream().max(Integer::compare).orElse(0);
    int min = masters.values().stream().min(Integer::compare).orElse(0);
    assertThat(max - min).as("masters per member %s", masters).isLessThanOrEqualTo(1);
  }
}
