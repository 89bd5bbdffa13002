package io.consensus.internal.route;

import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.route.RoutingTable;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.consensus.tree.Node;
import io.consensus.tree.TouchedNodes;
import io.consensus.tree.WatchUpdate;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The apply path after the patch, per touched item, the two ways in one JVM on the same trees:
 * the routing table's update and the index's begin / reclassify / end given the touched items'
 * names (they search the items node of both trees) or the patch's {@link TouchedNodes} (they
 * read the nodes it found). N items x 3 entries over 4 members; each update moves 32 items' third
 * entry from one member to another (64 events, two per item: a delete and a put), as a
 * transaction of replacements does. Prints thread CPU per touched item, each way alternating
 * first per update; and the patch alone (whose remove is now one descent per level).
 *
 * <pre>
 * mvn -B -o -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.internal.route.TouchedNodesBench -Dexec.args="100000 2000"
 * </pre>
 */
public final class TouchedNodesBench {
  private static final String ROOT = "/b";
  private static final String[] MEMBERS = {"m0", "m1", "m2", "m3"};

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int updates = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Random rnd = new Random(1);
    List<KeyValue> kvs = new ArrayList<>();
    long rev = 1;
    for (String m : MEMBERS) {
      kvs.add(KeyValue.of(ROOT + "/members/" + m, "{}", rev, rev));
      rev++;
    }
    String[] third = new String[n];
    for (int i = 0; i < n; i++) {
      String item = String.format("item-%07d", i);
      for (int e = 0; e < 3; e++) {
        String m = MEMBERS[(i + e) % MEMBERS.length];
        kvs.add(KeyValue.of(ROOT + "/items/" + item + "/" + m, "{}", rev, rev));
        if (e == 2) {
          third[i] = m;
        }
      }
      rev++;
    }
    KeyTree tree = KeyTree.fromSnapshot(ROOT, rev, kvs);
    RoutingTable names = RoutingTable.empty(ROOT, List.of(), 2, Map.of());
    RoutingTable.Update r = names.rebuild(tree, Map.of());
    while (!r.step(Integer.MAX_VALUE >> 1)) {
      // at once
    }
    names = r.table();
    RoutingTable nodes = names;
    AllocationIndex ixNames = new AllocationIndex("m0", 0, 2, List.of(), (i, s) -> true);
    AllocationIndex ixNodes = new AllocationIndex("m0", 0, 2, List.of(), (i, s) -> true);
    ixNames.rebuild(tree);
    ixNodes.rebuild(tree);
    long patchCpu = 0;
    long[] namesCpu = new long[2]; // table, index
    long[] nodesCpu = new long[2];
    long touched = 0;
    int warmup = updates / 4;
    for (int u = 0; u < updates + warmup; u++) {
      rev++;
      List<KeyEvent> events = new ArrayList<>();
      for (int k = 0; k < 32; k++) {
        int i = rnd.nextInt(n);
        String item = String.format("item-%07d", i);
        String from = third[i];
        String to = MEMBERS[(i + 3) % MEMBERS.length].equals(from) ? MEMBERS[i % MEMBERS.length]
            : MEMBERS[(i + 3) % MEMBERS.length];
        if (tree.child("items", item, to) != null || events.stream().anyMatch(e -> e.kv().key().contains(item))) {
          continue;
        }
        events.add(KeyEvent.delete(ROOT + "/items/" + item + "/" + from, rev));
        events.add(KeyEvent.put(KeyValue.of(ROOT + "/items/" + item + "/" + to, "{}", rev, rev)));
        third[i] = to;
      }
      long t0 = cpu.getCurrentThreadCpuTime();
      TreePatch patch = new TreePatch(tree, new WatchUpdate.Changes(rev, events));
      patch.step(Integer.MAX_VALUE >> 1);
      KeyTree next = patch.tree();
      TouchedNodes tn = patch.touched();
      long t1 = cpu.getCurrentThreadCpuTime();
      boolean measure = u >= warmup;
      if (measure) {
        patchCpu += t1 - t0;
        touched += tn.names().size();
      }
      Run a;
      Run b;
      if (u % 2 == 0) {
        a = run(cpu, names, ixNames, next, new LinkedHashSet<>(tn.names()), null);
        b = run(cpu, nodes, ixNodes, next, null, tn);
      } else {
        b = run(cpu, nodes, ixNodes, next, null, tn);
        a = run(cpu, names, ixNames, next, new LinkedHashSet<>(tn.names()), null);
      }
      names = a.table();
      nodes = b.table();
      if (measure) {
        namesCpu[0] += a.tableNs();
        namesCpu[1] += a.indexNs();
        nodesCpu[0] += b.tableNs();
        nodesCpu[1] += b.indexNs();
      }
      tree = next;
    }
    if (!names.routes().equals(nodes.routes()) || !names.counters().equals(nodes.counters())) {
      throw new AssertionError("the two ways made different tables");
    }
    Node items = tree.child("items");
    System.out.printf("%,d items x 3 entries, %,d updates (after %,d to warm up), %,d touched items (%,d children of"
        + " the items node)%n", n, updates, warmup, touched, items.childCount());
    System.out.printf("patch (TreePatch, with TouchedNodes): %.2f us per touched item%n", patchCpu / 1e3 / touched);
    System.out.printf("by names  (search both trees): table %.2f + index %.2f = %.2f us per touched item%n",
        namesCpu[0] / 1e3 / touched, namesCpu[1] / 1e3 / touched, (namesCpu[0] + namesCpu[1]) / 1e3 / touched);
    System.out.printf("by nodes  (the patch's):       table %.2f + index %.2f = %.2f us per touched item%n",
        nodesCpu[0] / 1e3 / touched, nodesCpu[1] / 1e3 / touched, (nodesCpu[0] + nodesCpu[1]) / 1e3 / touched);
  }

  /** One way's new table and the thread CPU its table and index updates took. */
  private record Run(RoutingTable table, long tableNs, long indexNs) {
  }

  /** The table's update, then the index's, one way. */
  private static Run run(ThreadMXBean cpu, RoutingTable table, AllocationIndex ix, KeyTree next,
      LinkedHashSet<String> byName, TouchedNodes byNode) {
    long t0 = cpu.getCurrentThreadCpuTime();
    RoutingTable.Update u = byNode != null ? table.update(next, table.members(), byNode)
        : table.update(next, table.members(), byName);
    u.step(Integer.MAX_VALUE >> 1);
    long t1 = cpu.getCurrentThreadCpuTime();
    List<String> work = new ArrayList<>();
    (byNode != null ? ix.begin(next, byNode) : ix.begin(next, byName)).forEachRemaining(work::add);
    ix.reclassify(work);
    ix.end();
    long t2 = cpu.getCurrentThreadCpuTime();
    return new Run(u.table(), t1 - t0, t2 - t1);
  }
}
