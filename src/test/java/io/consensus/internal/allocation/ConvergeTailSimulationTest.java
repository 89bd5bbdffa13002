package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The converge tail: with exact-fit targets (no spare slot anywhere) the last short items can
 * only be filled by a member already at its total taking one (TAKE_AFTER_BACKOFF), letting a
 * replica go to the member short of its total (SURPLUS_REPLICA), which then takes it
 * (TAKE_SHORT). Counts the transactions and rounds spent after 98 % of the slots are placed and
 * prints them (bench/results-2026-12-07-scale.md); asserts that the tail is filled in batches,
 * not item by item.
 */
class ConvergeTailSimulationTest {

  /** Rounds and transactions of one converge, and how many fell in the tail. */
  record Tail(int items, long rounds, int transactions, long tailRounds, int tailTransactions, int tailSlots,
      Map<Rule, Integer> tailActionsByRule, int placements, int keyWrites, int reorders) {
  }

  static Tail converge(long seed, int n, int members, int replicas, int batch) {
    SimulatedFleet fleet = new SimulatedFleet(seed, replicas, ProtocolSimulationTest.items(n), batch);
    IntStream.range(0, members).forEach(i -> fleet.join("m" + i));
    int slots = n * (replicas + 1);
    int tailFrom = (int) Math.ceil(slots * 0.98);
    long[] tailRound = {-1};
    int[] tailTxn = {0};
    Map<Rule, Integer> before = new EnumMap<>(Rule.class);
    assertThat(fleet.runToFixpoint(200 * n, () -> {
      if (tailRound[0] < 0 && fleet.placements - fleet.releases >= tailFrom) {
        tailRound[0] = fleet.rounds;
        tailTxn[0] = fleet.transactions;
        before.putAll(fleet.actionsByRule);
      }
    })).as("converges").isTrue();
    ProtocolSimulationTest.assertConverged(fleet, replicas);
    Map<Rule, Integer> tailActions = new EnumMap<>(Rule.class);
    fleet.actionsByRule.forEach((r, c) -> {
      int d = c - before.getOrDefault(r, 0);
      if (d > 0) {
        tailActions.put(r, d);
      }
    });
    return new Tail(n, fleet.rounds, fleet.transactions, fleet.rounds - tailRound[0],
        fleet.transactions - tailTxn[0], slots - tailFrom, tailActions, fleet.placements, fleet.keyWrites,
        fleet.actionsByRule.getOrDefault(Rule.NEXT_IN_LINE, 0));
  }

  @ParameterizedTest(name = "seed {0}: {1} items x R={3} x {2} members, batch {4}")
  @CsvSource({"71,10000,4,2,64", "72,10000,4,2,64", "73,20000,4,2,64"})
  void theTailOfAnExactFitConvergeIsFilledInBatches(long seed, int n, int members, int replicas, int batch) {
    Tail t = converge(seed, n, members, replicas, batch);
    System.out.printf("converge tail: %d items x R=%d x %d, batch %d: %d rounds, %d transactions, %d placements,"
        + " %.3f writes/slot (%d reorders, %.3f without); tail (last %d slots): %d rounds (%.0f %%), %d transactions"
        + " (%.0f %%), actions %s%n",
        n, replicas, members, batch, t.rounds(), t.transactions(), t.placements(),
        t.keyWrites() / (double) (n * (replicas + 1)), t.reorders(),
        (t.keyWrites() - 2 * t.reorders()) / (double) (n * (replicas + 1)), t.tailSlots(), t.tailRounds(),
        100.0 * t.tailRounds() / t.rounds(), t.tailTransactions(), 100.0 * t.tailTransactions() / t.transactions(),
        t.tailActionsByRule());
    // One item per back-off take, release and take again cost 155-497 tail transactions for
    // 600-1,200 tail slots before TAKE_AFTER_BACKOFF took batches; batched, a few dozen.
    assertThat(t.tailTransactions()).as("tail transactions for %d tail slots", t.tailSlots())
        .isLessThan(t.tailSlots() / 8);
    // NEXT_IN_LINE then evens out who stands first behind each master, two key writes per move
    // (delete and put): 361-656 moves here, the converge itself leaving them 8-15 % uneven.
    assertThat(t.keyWrites() - 2 * t.reorders()).as("key writes but reorders").isLessThan(n * (replicas + 1) * 102 / 100);
    assertThat(t.reorders()).as("reorders").isLessThan(n / 20);
  }
}
