package io.consensus.internal.allocation;

import java.util.stream.IntStream;

/**
 * Movement when one member starts before the others, pure logic in one JVM: N items x R = 2;
 * the first member joins alone and writes {@code lone} transactions (as a member whose JVM
 * started first would), then the other M - 1 join and the fleet runs to its fixpoint. Prints
 * writes per slot, placements, releases and mastership changes for each batch size: a member
 * alone takes a batch per transaction, so the bigger the batch, the more masters it holds beyond
 * its share when the others arrive, and hands off.
 *
 * <pre>mvn -B -o -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.internal.allocation.StaggeredJoinBench -Dexec.args="10000 4 40"</pre>
 *
 * <p>Arguments: items, members, lone transactions of the first member (40), then the batch sizes
 * to compare (64 128). {@code -Dseeds=N} runs each over fleet seeds 1..N (stale views differ by
 * seed) and prints the means too.
 */
public final class StaggeredJoinBench {
  private StaggeredJoinBench() {
  }

  public static void main(String[] args) {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int members = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int lone = args.length > 2 ? Integer.parseInt(args[2]) : 40;
    int[] batches = args.length > 3
        ? IntStream.range(3, args.length).map(i -> Integer.parseInt(args[i])).toArray() : new int[] {64, 128};
    int seeds = Integer.getInteger("seeds", 1);
    for (int batch : batches) {
      long[] sum = new long[5];
      for (long seed = 1; seed <= seeds; seed++) {
        SimulatedFleet f = run(seed, items, members, lone, batch);
        long[] row = {f.keyWrites, f.placements, f.releases, f.masterChanges, f.transactions};
        for (int i = 0; i < row.length; i++) {
          sum[i] += row[i];
        }
      }
      if (seeds > 1) {
        System.out.printf("mean over seeds 1..%d, batch %d: key writes %.1f (%.3f per slot), placements %.1f, "
            + "releases %.1f, mastership changes %.1f, transactions %.1f%n", seeds, batch, (double) sum[0] / seeds,
            (double) sum[0] / seeds / (items * 3), (double) sum[1] / seeds, (double) sum[2] / seeds,
            (double) sum[3] / seeds, (double) sum[4] / seeds);
      }
    }
  }

  private static SimulatedFleet run(long seed, int items, int members, int lone, int batch) {
    SimulatedFleet f = new SimulatedFleet(seed, 2, ProtocolSimulationTest.items(items), batch);
    SimulatedFleet.Member first = f.join("m0");
    int wrote = 0;
    for (int t = 0; t < lone * 4 && wrote < lone; t++) {
      first.sync();
      if (first.step(true)) {
        wrote++;
      }
    }
    int held = f.entriesOf("m0");
    for (int m = 1; m < members; m++) {
      f.join("m" + m);
    }
    boolean done = f.runToFixpoint(5_000_000, () -> { });
    int slots = items * 3;
    System.out.printf("%,d items x R=2 x %d members, batch %d, seed %d: m0 alone wrote %d transactions, held %,d "
        + "entries (share %,d masters); %s; key writes %,d (%.3f per slot), placements %,d, releases %,d, mastership "
        + "changes %,d, transactions %,d%n", items, members, batch, seed, wrote, held, items / members,
        done ? "converged" : "NOT converged", f.keyWrites, (double) f.keyWrites / slots, f.placements, f.releases,
        f.masterChanges, f.transactions);
    return f;
  }
}
