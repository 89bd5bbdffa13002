package io.consensus.route;

import io.consensus.bench.LeastCpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A member's sorted item set ({@link ItemSet}) as a {@link RouteIndex.Editor} changes it: a set
 * of N names (built in one pass, as a snapshot's rebuild does); each revision's {@link
 * ItemSet.Edit} adds 32 names at random places, the next one removes them again. Prints this
 * thread's CPU ns per name added or removed (the revision's copy of the chunk array included)
 * and per {@code contains}, the least over three rounds of five passes each, at 75,000 and
 * 750,000 names (a member's holdings at 100,000 and 1,000,000 items x R=2 over 4 members).
 *
 * <pre>mvn -B -o -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.route.ItemSetBench -Dexec.args="75000,750000"</pre>
 */
public final class ItemSetBench {
  private ItemSetBench() {
  }

  private static final LeastCpu TIMES = new LeastCpu();

  public static void main(String[] args) {
    String sizes = args.length > 0 ? args[0] : "75000,750000";
    System.out.println("| names | operation | CPU ns/op (best of 3 x 5 passes) |");
    System.out.println("|---:|---|---:|");
    // Three rounds over the sizes (the first also warms the JIT up); each figure the least seen.
    for (int round = 0; round < 3; round++) {
      for (String s : sizes.split(",")) {
        run(Integer.parseInt(s.trim()));
      }
    }
    TIMES.print();
  }

  private static void run(int n) {
    ItemSet.Builder b = new ItemSet.Builder();
    String[] absent = new String[n];
    String[] present = new String[n];
    for (int i = 0; i < n; i++) {
      present[i] = String.format("item-%07d", 2 * i);
      absent[i] = String.format("item-%07d", 2 * i + 1);
      b.add(present[i]);
    }
    ItemSet[] set = {b.build()};
    int revisions = 2_000;
    int perRevision = 32;
    Random rnd = new Random(1);
    // Spread the built set's half-full chunks first, as a converging member's are.
    churn(set, absent, rnd, revisions, perRevision);
    report(n, "Edit add + remove (32 a revision)", best(() -> churn(set, absent, rnd, revisions, perRevision),
        2L * revisions * perRevision));
    String[] probes = new String[200_000];
    for (int i = 0; i < probes.length; i++) {
      probes[i] = new String(present[rnd.nextInt(n)].toCharArray());
    }
    report(n, "contains (equal copy)", best(() -> {
      long s = 0;
      for (String p : probes) {
        s += set[0].contains(p) ? 1 : 0;
      }
      return s;
    }, probes.length));
  }

  private static long churn(ItemSet[] set, String[] absent, Random rnd, int revisions, int perRevision) {
    List<String> added = new ArrayList<>(perRevision);
    long s = 0;
    for (int r = 0; r < revisions; r++) {
      added.clear();
      ItemSet.Edit e = set[0].edit();
      for (int k = 0; k < perRevision; k++) {
        String name = absent[rnd.nextInt(absent.length)];
        e.add(name);
        added.add(name);
      }
      set[0] = e.done();
      ItemSet.Edit back = set[0].edit();
      for (String name : added) {
        back.remove(name);
      }
      set[0] = back.done();
      s += set[0].size();
    }
    return s;
  }

  private static void report(int n, String op, double ns) {
    TIMES.report(String.format("| %,d | %s |", n, op), ns);
  }

  private static double best(java.util.function.LongSupplier pass, long ops) {
    return TIMES.best(pass, ops);
  }
}
