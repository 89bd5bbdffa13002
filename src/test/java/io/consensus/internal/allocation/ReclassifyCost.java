package io.consensus.internal.allocation;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * CPU per re-classified item in {@link Candidates}: moving an item only between the sets that
 * differ ({@link Candidates#reclassify}) against removing it by its old summary and adding it by
 * its new one ({@link Candidates#classify} twice, what every revision did before), over the
 * changes a converging or refilling member sees most: a replica's state turns ready, an entry
 * joins a short item, this member takes a short item. 100,000 or 1,000,000 items of 4 members, R=2.
 *
 * <pre>
 * mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.internal.allocation.ReclassifyCost [-Dexec.args=1000000]
 * </pre>
 */
public final class ReclassifyCost {
  private static final String[] MEMBERS = {"me", "m1", "m2", "m3"};
  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Random rnd = new Random(1);
    ItemSummary[] before = new ItemSummary[items];
    ItemSummary[] after = new ItemSummary[items];
    boolean[] loadingBefore = new boolean[items];
    for (int i = 0; i < items; i++) {
      String item = "item-" + i;
      int kind = rnd.nextInt(3);
      int first = rnd.nextInt(MEMBERS.length);
      List<RouteEntry> two = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        two.add(new RouteEntry(MEMBERS[(first + k) % 4], "ready", 10 + k, 10 + k, 1));
      }
      List<RouteEntry> three = new ArrayList<>(two);
      three.add(new RouteEntry(MEMBERS[(first + 2) % 4], "ready", 12, 12, 1));
      if (kind == 0) { // a replica's state turns ready: same members
        List<RouteEntry> loading = new ArrayList<>(two);
        loading.add(new RouteEntry(MEMBERS[(first + 2) % 4], "loading", 12, 12, 1));
        before[i] = summary(item, loading);
        after[i] = summary(item, three);
        loadingBefore[i] = before[i].mine() && before[i].myIndex() == 2;
      } else { // an entry joins a short item (this member's, when it is "me")
        before[i] = summary(item, two);
        after[i] = summary(item, three);
      }
    }
    for (int round = 0; round < 6; round++) {
      Candidates moved = new Candidates(2);
      Candidates removedAndAdded = new Candidates(2);
      for (int i = 0; i < items; i++) {
        moved.reclassify(null, false, before[i], false, loadingBefore[i], false);
        removedAndAdded.reclassify(null, false, before[i], false, loadingBefore[i], false);
      }
      long removeAdd = 0;
      long move = 0;
      for (int half = 0; half < 2; half++) { // each way first once: neither gets the warmer caches
        boolean movedFirst = (round + half) % 2 == 0;
        for (int pass = 0; pass < 2; pass++) {
          long t0 = THREADS.getCurrentThreadCpuTime();
          int from = half * items / 2;
          int to = (half + 1) * items / 2;
          if (movedFirst == (pass == 0)) {
            for (int i = from; i < to; i++) {
              moved.reclassify(before[i], loadingBefore[i], after[i], false, false, false);
            }
            move += THREADS.getCurrentThreadCpuTime() - t0;
          } else {
            for (int i = from; i < to; i++) {
              removedAndAdded.reclassify(before[i], loadingBefore[i], null, false, false, false);
              removedAndAdded.reclassify(null, false, after[i], false, false, false);
            }
            removeAdd += THREADS.getCurrentThreadCpuTime() - t0;
          }
        }
      }
      System.out.printf("%,d items: remove all + add all %6.1f ns CPU/item, only the sets that differ %6.1f ns CPU/item"
          + " (my masters %,d = %,d)%n", items, removeAdd / (double) items, move / (double) items,
          moved.myMasters().size(), removedAndAdded.myMasters().size());
    }
  }

  private static ItemSummary summary(String item, List<RouteEntry> entries) {
    Route r = new Route(item, entries);
    int me = r.index("me");
    return new ItemSummary(r, false, 1, me, me >= 0, me == 0 && r.size() == 3, false, 2, false);
  }
}
