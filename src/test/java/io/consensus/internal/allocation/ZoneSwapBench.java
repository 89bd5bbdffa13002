package io.consensus.internal.allocation;

import io.consensus.route.Route;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Zone swap repair in the simulation (stale views, guarded writes, no etcd): N items x R = 2 over
 * M members in 3 zones (member {@code mZ-i} in zone Z), joined one at a time; then zone 0 is lost
 * (its members crash at once) and comes back (fresh members). Prints, per phase, the items with a
 * zone doubled among their copies, the movement (placements, releases, mastership changes) and
 * the actions of the swap rules, and the CPU time of the run.
 *
 * <pre>mvn -B -o -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.internal.allocation.ZoneSwapBench -Dexec.args="10000 12 1"</pre>
 */
public final class ZoneSwapBench {
  private ZoneSwapBench() {
  }

  public static void main(String[] args) {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int members = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    SimulatedFleet f = new SimulatedFleet(seed, 2, ProtocolSimulationTest.items(items), 64);
    f.syncPercent = 40;
    long cpu0 = cpu();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      names.add("m" + (i % 3) + "-" + i / 3);
    }
    int[] mark = snapshot(f);
    for (String m : names) {
      f.join(m, "{\"zone\": \"z" + m.charAt(1) + "\"}");
      run(f);
    }
    report(f, "members joined one at a time", mark);
    mark = snapshot(f);
    List<String> lost = names.stream().filter(m -> m.charAt(1) == '0').toList();
    lost.forEach(f::crash);
    run(f);
    report(f, "zone z0 lost (" + lost.size() + " members crashed)", mark);
    mark = snapshot(f);
    for (String m : lost) {
      f.join(m + "b", "{\"zone\": \"z0\"}");
      run(f);
    }
    report(f, "zone z0 back (fresh members, one at a time)", mark);
    System.out.printf("CPU %.1f s, heap used %d MB%n", (cpu() - cpu0) / 1e9,
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
  }

  private static void run(SimulatedFleet f) {
    if (!f.runToFixpoint(50_000_000, () -> { })) {
      throw new IllegalStateException("no fixpoint");
    }
  }

  private static int[] snapshot(SimulatedFleet f) {
    return new int[] {f.placements, f.releases, f.masterChanges, f.actionsByRule.getOrDefault(Rule.ZONE_SWAP_OFFER, 0),
        f.actionsByRule.getOrDefault(Rule.ZONE_SWAP_TRADE, 0), f.actionsByRule.getOrDefault(Rule.ZONE_SWAP_SETTLE, 0),
        f.actionsByRule.getOrDefault(Rule.ZONE_SPREAD, 0), f.transactions};
  }

  private static void report(SimulatedFleet f, String phase, int[] before) {
    Map<String, Route> routes = f.routes();
    long doubled = routes.values().stream().filter(r -> {
      Set<Character> zs = new HashSet<>();
      r.entries().forEach(e -> zs.add(e.member().charAt(1)));
      return zs.size() < r.size();
    }).count();
    long zones = f.members.keySet().stream().map(m -> m.charAt(1)).distinct().count();
    long full = routes.values().stream().filter(r -> r.size() == 3).count();
    int[] now = snapshot(f);
    System.out.printf("%s: %d items, %d fully staffed, %d doubled in a zone (%d zones present); placements %d, "
        + "releases %d, mastership changes %d, transactions %d; swap offers %d, trades %d, settles %d; "
        + "zone-spread releases %d%n", phase, routes.size(), full, doubled, zones, now[0] - before[0],
        now[1] - before[1], now[2] - before[2], now[7] - before[7], now[3] - before[3], now[4] - before[4],
        now[5] - before[5], now[6] - before[6]);
  }

  private static long cpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }
}
