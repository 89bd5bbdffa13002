package io.consensus.chaos;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU of the harness's own watcher ({@link ChaosWatcher#onUpdate}) on a synthetic stream as
 * {@code bench/scale} makes it, without etcd: N items x R=2 over 4 members, a snapshot of the
 * member keys and item markers, the converge as revisions of 64 entry creates, one member's
 * revoke (its key and its 3N/4 entries in one revision), and the refill in revisions of 64.
 * Prints thread CPU per revision and per event per phase, least of several rounds.
 *
 * <p>{@code WatcherCost [items] [rounds]} (defaults 100000, 3).
 */
public final class WatcherCost {
  private static final String ROOT = "/bench";
  private static final int MEMBERS = 4;
  private static final int REPLICAS = 2;
  private static final int PER_REVISION = 64;

  private WatcherCost() {
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<String> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(String.format("item-%06d", i));
    }
    long rev = 1000;
    List<KeyValue> snapshot = new ArrayList<>();
    for (int m = 0; m < MEMBERS; m++) {
      snapshot.add(new KeyValue(ROOT + "/members/m" + m, "{}", 10 + m, 10 + m, 1, m + 1));
    }
    for (int i = 0; i < n; i++) {
      snapshot.add(KeyValue.of(ROOT + "/items/" + items.get(i), "", 100, 100));
    }
    WatchUpdate.Snapshot snap = new WatchUpdate.Snapshot(rev, snapshot);
    // Converge: item i on members i, i+1, i+2 (mod 4), in creates of 64 per revision.
    List<WatchUpdate> converge = new ArrayList<>();
    List<KeyEvent> batch = new ArrayList<>();
    for (int k = 0; k <= REPLICAS; k++) {
      for (int i = 0; i < n; i++) {
        int m = (i + k) % MEMBERS;
        if (batch.isEmpty()) {
          rev++;
        }
        batch.add(KeyEvent.put(new KeyValue(ROOT + "/items/" + items.get(i) + "/m" + m, "ready", rev, rev, 1, m + 1)));
        if (batch.size() == PER_REVISION) {
          converge.add(new WatchUpdate.Changes(rev, batch));
          batch = new ArrayList<>();
        }
      }
    }
    if (!batch.isEmpty()) {
      converge.add(new WatchUpdate.Changes(rev, batch));
      batch = new ArrayList<>();
    }
    // The revoke of m0: its key and every entry in one revision.
    rev++;
    List<KeyEvent> revokeEvents = new ArrayList<>();
    revokeEvents.add(KeyEvent.delete(ROOT + "/members/m0", rev));
    for (int i = 0; i < n; i++) {
      if ((i % MEMBERS) != 1) { // m0 holds item i unless i, i+1, i+2 all miss 0 mod 4
        revokeEvents.add(KeyEvent.delete(ROOT + "/items/" + items.get(i) + "/m0", rev));
      }
    }
    WatchUpdate revoke = new WatchUpdate.Changes(rev, revokeEvents);
    // Refill: the fourth member takes m0's place, 64 per revision.
    List<WatchUpdate> refill = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if ((i % MEMBERS) == 1) {
        continue;
      }
      int m = (i + 3) % MEMBERS;
      if (batch.isEmpty()) {
        rev++;
      }
      batch.add(KeyEvent.put(new KeyValue(ROOT + "/items/" + items.get(i) + "/m" + m, "ready", rev, rev, 1, m + 1)));
      if (batch.size() == PER_REVISION) {
        refill.add(new WatchUpdate.Changes(rev, batch));
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      refill.add(new WatchUpdate.Changes(rev, batch));
    }
    int convergeEvents = converge.stream().mapToInt(u -> ((WatchUpdate.Changes) u).events().size()).sum();
    int refillEvents = refill.stream().mapToInt(u -> ((WatchUpdate.Changes) u).events().size()).sum();
    System.out.printf("items %d x R=%d x %d members: converge %d revisions / %d events, revoke 1 / %d events,"
        + " refill %d / %d%n", n, REPLICAS, MEMBERS, converge.size(), convergeEvents, revokeEvents.size(),
        refill.size(), refillEvents);

    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long[] best = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    Vertx vertx = Vertx.vertx();
    try {
      for (int round = 0; round < rounds; round++) {
        ChaosReport report = new ChaosReport();
        ChaosWatcher w = ChaosWatcher.offline(vertx, ROOT, REPLICAS, report, items);
        long[] cpu = w.call(() -> {
          long[] out = new long[4];
          long t = mx.getCurrentThreadCpuTime();
          w.onUpdate(snap);
          long t1 = mx.getCurrentThreadCpuTime();
          out[0] = t1 - t;
          for (WatchUpdate u : converge) {
            w.onUpdate(u);
          }
          long t2 = mx.getCurrentThreadCpuTime();
          out[1] = t2 - t1;
          return out;
        });
        if (!w.staffed() || !report.violations().isEmpty()) {
          throw new IllegalStateException("converge not staffed or violations: " + report.violations());
        }
        w.expectFailover("m0");
        long[] cpu2 = w.call(() -> {
          long[] out = new long[2];
          long t = mx.getCurrentThreadCpuTime();
          w.onUpdate(revoke);
          long t1 = mx.getCurrentThreadCpuTime();
          for (WatchUpdate u : refill) {
            w.onUpdate(u);
          }
          out[0] = t1 - t;
          out[1] = mx.getCurrentThreadCpuTime() - t1;
          return out;
        });
        if (!w.staffed() || w.failoverDoneNanos < 0 || !report.violations().isEmpty()) {
          throw new IllegalStateException("refill not staffed or violations: " + report.violations());
        }
        MovementTally.Counts mv = w.movement();
        long[] all = {cpu[0], cpu[1], cpu2[0], cpu2[1]};
        for (int i = 0; i < 4; i++) {
          best[i] = Math.min(best[i], all[i]);
        }
        System.out.printf("round %d: snapshot %.1f ms, converge %.1f ms, revoke %.1f ms, refill %.1f ms CPU;"
            + " movement %s%n", round + 1, all[0] / 1e6, all[1] / 1e6, all[2] / 1e6, all[3] / 1e6, mv);
        w.close();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    System.out.printf("least of %d rounds (thread CPU):%n", rounds);
    System.out.printf("  snapshot  %8.1f ms%n", best[0] / 1e6);
    System.out.printf("  converge  %8.1f ms  %6.1f us/revision  %5.2f us/event%n", best[1] / 1e6,
        best[1] / 1e3 / converge.size(), best[1] / 1e3 / convergeEvents);
    System.out.printf("  revoke    %8.1f ms  %5.2f us/event%n", best[2] / 1e6, best[2] / 1e3 / revokeEvents.size());
    System.out.printf("  refill    %8.1f ms  %6.1f us/revision  %5.2f us/event%n", best[3] / 1e6,
        best[3] / 1e3 / refill.size(), best[3] / 1e3 / refillEvents);
  }
}
