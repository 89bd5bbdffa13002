package io.consensus.bench;

import io.consensus.internal.allocation.AllocationDecider;
import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.member.PublishedRoutes;
import io.consensus.route.RoutingTable;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import io.consensus.verticle.ItemHandler;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The pure decision logic on a synthetic keyspace, no etcd: N items with R+1 = 3 entries each
 * over 10 members, seen by member m00. One watch event = one {@link WatchUpdate.Changes}
 * touching one item (a replica entry deleted or re-created): patch the {@link KeyTree},
 * update the {@link AllocationIndex}, run {@link AllocationDecider#decide}.
 */
final class DecisionCost {
  static final String ROOT = "/bench/decide";
  static final int MEMBERS = 10;
  static final int REPLICAS = 2;

  record Result(int items, int keys, double treeMb, double indexMb, double snapshotMs, double rebuildMs,
                long events, double treeUs, double indexUs, double decideUs, double fullCheckUs, double tableMb,
                double snapshotPeakMb, double cpuUs, double actionsPerEvent, int gapAtEnd, double quietCpuUs,
                double quietActionsPerEvent, double quietDecideUs) {
    double totalUs() {
      return treeUs + indexUs + decideUs;
    }
  }

  private static String member(int m) {
    return String.format("m%02d", m);
  }

  private static String item(int i) {
    return String.format("item-%06d", i);
  }

  /**
   * The member of item {@code i}'s entry {@code j} (0 its master): masters in turn, the first
   * replica behind each master spread evenly over the other members (else NEXT_IN_LINE would move
   * 64 of them on every event that left the view quiet), the second replica the next member after it.
   */
  static int entryMember(int i, int j) {
    int master = i % MEMBERS;
    int first = (master + 1 + (i / MEMBERS) % (MEMBERS - 1)) % MEMBERS;
    int second = (first + 1) % MEMBERS == master ? (first + 2) % MEMBERS : (first + 1) % MEMBERS;
    return j == 0 ? master : j == 1 ? first : second;
  }

  static List<KeyValue> keyspace(int items) {
    List<KeyValue> kvs = new ArrayList<>(items * (REPLICAS + 2) + MEMBERS);
    long rev = 1;
    for (int m = 0; m < MEMBERS; m++) {
      kvs.add(new KeyValue(ROOT + "/members/" + member(m), "{}", rev, rev, 1, 100 + m));
      rev++;
    }
    for (int i = 0; i < items; i++) {
      String itemKey = ROOT + "/items/" + item(i);
      kvs.add(new KeyValue(itemKey, "", rev, rev, 1, 0));
      rev++;
      for (int j = 0; j <= REPLICAS; j++) {
        int m = entryMember(i, j);
        kvs.add(new KeyValue(itemKey + "/" + member(m), "ready", rev, rev, 1, 100 + m));
        rev++;
      }
    }
    return kvs;
  }

  static long usedHeapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      BenchFleet.sleep(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  static Result run(int items, int warmup, int events, long maxMeasureMillis) {
    return run(items, warmup, events, maxMeasureMillis, () -> { });
  }

  /** As {@link #run(int, int, int, long)}, calling {@code whileHeld} when the tree and the index are built. */
  static Result run(int items, int warmup, int events, long maxMeasureMillis, Runnable whileHeld) {
    return run(items, warmup, events, maxMeasureMillis, false, whileHeld);
  }

  /**
   * As {@link #run(int, int, int, long, Runnable)}; with {@code routeTable} the member's route
   * table too, as a member holds it after its first snapshot (every item's route recorded, those
   * with a role told to a default handler), measured on its own and held through the events.
   */
  static Result run(int items, int warmup, int events, long maxMeasureMillis, boolean routeTable,
      Runnable whileHeld) {
    long before = usedHeapAfterGc();
    long t0 = System.nanoTime();
    List<KeyValue> kvs = keyspace(items);
    int keys = kvs.size();
    long revision = kvs.get(kvs.size() - 1).modRevision();
    long t1 = System.nanoTime();
    KeyTree tree = KeyTree.fromSnapshot(ROOT, revision, kvs);
    double snapshotMs = (System.nanoTime() - t1) / 1e6;
    // A member applying its first snapshot holds the snapshot's key-values and the new tree at once.
    long atSnapshot = routeTable ? usedHeapAfterGc() : before;
    if (kvs.size() != keys) { // keeps the list reachable through the measurement above
      throw new AssertionError();
    }
    kvs = null;
    long withTree = usedHeapAfterGc();
    AllocationIndex index = new AllocationIndex(member(0), 100, REPLICAS, List.of(), (i, s) -> "ready".equals(s));
    long t2 = System.nanoTime();
    index.rebuild(tree);
    double rebuildMs = (System.nanoTime() - t2) / 1e6;
    long withIndex = usedHeapAfterGc();
    Vertx vertx = null;
    PublishedRoutes table = null;
    RoutingTable routingTable = null;
    long withTable = withIndex;
    if (routeTable) {
      vertx = Vertx.vertx();
      // As the verticle does: the directory follows the tree, so routes carry their members' metadata.
      MemberDirectory members = new MemberDirectory();
      members.update(tree);
      table = new PublishedRoutes(member(0), "bench.routes", ItemHandler.DEFAULT, vertx, members, () -> { });
      List<String> names = new ArrayList<>(index.itemCount());
      for (io.consensus.internal.allocation.ItemSummary s : index.summaries()) {
        names.add(s.item());
      }
      for (int from = 0; from < names.size(); from += 4096) {
        table.publish(index, names.subList(from, Math.min(names.size(), from + 4096)), revision, true, true);
      }
      names = null;
      // The fleet's routing table a member keeps beside them (its index: who masters and holds what).
      RoutingTable.Update live = RoutingTable.empty(ROOT, List.of(), REPLICAS, java.util.Map.of())
          .rebuild(tree, members.members());
      while (!live.step(4096)) {
        // all at once: a benchmark
      }
      routingTable = live.table();
      BenchFleet.sleep(500); // the event bus drops the published copies (no consumer)
      withTable = usedHeapAfterGc();
    }
    whileHeld.run();
    AllocationDecider decider = new AllocationDecider(64);
    // First a converged member's events (each deleted entry re-created by the next event: the
    // view is converged again every second event, as when an entry is replaced), then the
    // original measure, whose deleted entries accumulate (never re-created by a decision's take).
    Phase quiet = measure(tree, index, decider, new Random(43), items, warmup, events, maxMeasureMillis, true,
        revision + 1);
    tree = quiet.tree();
    Random rnd = new Random(42);
    Phase busy = measure(tree, index, decider, rnd, items, warmup, events, maxMeasureMillis, false, quiet.revision());
    tree = busy.tree();
    long measured = busy.events();
    long[] nanos = busy.nanos();
    double cpuUs = busy.cpuUs();
    // The state-check tick (once per stateCheckMillis): the state rules over every held item;
    // 20 rounds, or fewer once they took 5 s (1M items).
    long full = 0;
    int fullRounds = 0;
    while (fullRounds < 20 && (fullRounds == 0 || full < 5_000_000_000L)) {
      long a = System.nanoTime();
      decider.decide(index, it -> "ready", rnd, null);
      full += System.nanoTime() - a;
      fullRounds++;
    }
    Result r = new Result(items, keys, (withTree - before) / 1e6, (withIndex - withTree) / 1e6, snapshotMs,
        rebuildMs, measured, nanos[0] / 1e3 / measured, nanos[1] / 1e3 / measured, nanos[2] / 1e3 / measured,
        full / 1e3 / fullRounds, (withTable - withIndex) / 1e6, (atSnapshot - before) / 1e6, cpuUs,
        busy.actionsPerEvent(), index.totalTargetOf(index.member()) - index.entriesOf(index.member()), quiet.cpuUs(),
        quiet.actionsPerEvent(), quiet.nanos()[2] / 1e3 / quiet.events());
    // keep tree, index and table reachable until here
    if (tree.revision() < 0 || index.itemCount() < 0 || table != null && table.heldCount() < 0
        || routingTable != null && routingTable.revision() < 0) {
      throw new AssertionError();
    }
    if (vertx != null) {
      vertx.close();
    }
    return r;
  }

  /** One measured run of events: the tree after them, the next revision, and what they cost. */
  private record Phase(KeyTree tree, long revision, long events, long[] nanos, double cpuUs, double actionsPerEvent) {
  }

  /**
   * {@code warmup} then up to {@code events} events (or {@code maxMeasureMillis}), each deleting or
   * re-creating the last replica entry of an item: a random item's each time, or with
   * {@code paired} a random item's deletion and then its re-creation.
   */
  private static Phase measure(KeyTree tree, AllocationIndex index, AllocationDecider decider, Random rnd, int items,
      int warmup, int events, long maxMeasureMillis, boolean paired, long firstRevision) {
    boolean[] removed = new boolean[items];
    long[] nanos = new long[3];
    long rev = firstRevision;
    long measured = 0;
    long actions = 0;
    long deadline = Long.MAX_VALUE;
    // CPU time of this thread over the measured events: unlike the wall times above it holds
    // neither the time the OS gave other processes nor GC pauses (a loaded machine inflates both).
    var threads = ManagementFactory.getThreadMXBean();
    long cpu0 = 0;
    int last = -1;
    for (int n = 0; n < warmup + events; n++) {
      if (n == warmup) {
        nanos = new long[3];
        actions = 0;
        deadline = System.nanoTime() + maxMeasureMillis * 1_000_000;
        cpu0 = threads.getCurrentThreadCpuTime();
      }
      int i = paired && last >= 0 && removed[last] ? last : rnd.nextInt(items);
      last = i;
      int m = entryMember(i, REPLICAS); // the last replica of item i
      String key = ROOT + "/items/" + item(i) + "/" + member(m);
      KeyEvent e = removed[i] ? KeyEvent.put(new KeyValue(key, "ready", rev, rev, 1, 100 + m))
          : KeyEvent.delete(key, rev);
      removed[i] = !removed[i];
      WatchUpdate.Changes c = new WatchUpdate.Changes(rev++, List.of(e));
      long a = System.nanoTime();
      tree = tree.apply(c);
      long b = System.nanoTime();
      // As the verticle does: the state rules look at the items the event changed.
      java.util.Set<String> changed = index.apply(tree, c);
      long d = System.nanoTime();
      actions += decider.decide(index, it -> "ready", rnd, changed).actions().size();
      long f = System.nanoTime();
      nanos[0] += b - a;
      nanos[1] += d - b;
      nanos[2] += f - d;
      if (n >= warmup) {
        measured++;
        if (f > deadline && (!paired || !removed[i])) {
          break;
        }
      }
    }
    double cpuUs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / Math.max(1, measured);
    return new Phase(tree, rev, measured, nanos, cpuUs, (double) actions / Math.max(1, measured));
  }
}
