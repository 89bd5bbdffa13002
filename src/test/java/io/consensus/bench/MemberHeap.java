package io.consensus.bench;

import io.consensus.chaos.ScaleRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One member's view of a large fleet in this JVM, no etcd ({@link DecisionCost}'s synthetic
 * keyspace: N items x R=2, 10 members): the live heap of its key tree and allocation index after
 * a full GC, and the cost of one watch event that touches one item, at each size, so that the
 * per-event cost can be compared across N. At the largest size it prints the top of a class
 * histogram ({@code jcmd PID GC.class_histogram}): where the bytes go.
 *
 * <p>{@code bench/scale memory [--sizes 10000,100000,1000000] [--out FILE]}. Run it alone (it
 * measures this JVM's heap).
 */
public final class MemberHeap {
  private MemberHeap() {
  }

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = List.of(10_000, 100_000, 1_000_000);
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).map(s -> Integer.parseInt(s.trim())).toList();
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    String md = run(sizes);
    System.out.println(md);
    if (out != null) {
      Files.writeString(out, md);
    }
    System.exit(0);
  }

  static String run(List<Integer> sizes) {
    StringBuilder md = new StringBuilder("# One member's heap and decision cost (in-JVM, synthetic fleet)\n\n");
    md.append("- date: ").append(Instant.now()).append("; load average ").append(ScaleRun.loadAverage())
        .append("; this JVM -Xmx").append(Runtime.getRuntime().maxMemory() >> 20).append("m\n");
    md.append("- keyspace: N item markers + N x 3 entries over 10 members (member keys with leases), seen by "
        + "member m00; heap = used after System.gc() (least of 4), tree = KeyTree.fromSnapshot, index = "
        + "AllocationIndex.rebuild, route table = PublishedRoutes.publish of every item as at a join (held-item states "
        + "hold only states an application reported: none here) + the live RoutingTable (its index) rebuilt from the tree, snapshot key-values + tree = the snapshot's "
        + "KeyValue list and the tree built from it, both held (a first snapshot's peak); one event = one entry deleted or re-created: tree patch + index update + "
        + "decide on the touched item (wall times per part; CPU = this thread's CPU time per event, without the "
        + "time the OS gave other processes or GC pauses). Events accumulate: deleted entries are re-created only "
        + "when drawn again (this member's takes are not applied), so the member falls far below its target and "
        + "each event's decision is a full TAKE_SHORT batch (actions/event; this member's entries below its "
        + "target at the end). Converged: "
        + "first, each deleted entry re-created by the next event, as a member sees one entry replaced\n\n");
    md.append("| items | keys | tree MB | index MB | tree + index MB | route table MB | member MB | bytes per item "
        + "(tree + index) | bytes per item (member) | tree us/event | index us/event | decide us/event "
        + "| total us/event | CPU us/event | actions/event | entries below target at end | converged: decide us/event "
        + "| converged: CPU us/event | converged: actions/event | state-check tick ms (all held items) "
        + "| snapshot key-values + tree MB |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<DecisionCost.Result> results = new ArrayList<>();
    String[] histogram = {null};
    int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
    for (int n : sizes) {
      System.err.printf(Locale.ROOT, "[memory] %,d items%n", n);
      DecisionCost.Result r = DecisionCost.run(n, 20_000, 200_000, 5_000, true, () -> {
        if (n == largest) {
          histogram[0] = classHistogram(15);
        }
      });
      results.add(r);
      double mb = r.treeMb() + r.indexMb();
      double member = mb + r.tableMb();
      md.append(String.format(Locale.ROOT, "| %,d | %,d | %.1f | %.1f | %.1f | %.1f | %.1f | %,.0f | %,.0f | %.2f "
          + "| %.2f | %.2f | %.2f | %.2f | %.1f | %,d | %.2f | %.2f | %.3f | %.1f | %.1f |%n", r.items(), r.keys(), r.treeMb(),
          r.indexMb(), mb, r.tableMb(), member, mb * 1e6 / r.items(), member * 1e6 / r.items(), r.treeUs(), r.indexUs(),
          r.decideUs(), r.totalUs(), r.cpuUs(), r.actionsPerEvent(), r.gapAtEnd(), r.quietDecideUs(), r.quietCpuUs(),
          r.quietActionsPerEvent(), r.fullCheckUs() / 1000, r.snapshotPeakMb()));
    }
    if (results.size() >= 2) {
      DecisionCost.Result small = results.get(0);
      DecisionCost.Result big = results.get(results.size() - 1);
      md.append(String.format(Locale.ROOT, "%nPer-event cost at %,d items / at %,d items: %.2f wall, %.2f CPU, "
          + "converged %.2f CPU (items ratio %.0f).%n", big.items(), small.items(), big.totalUs() / small.totalUs(),
          big.cpuUs() / small.cpuUs(), big.quietCpuUs() / small.quietCpuUs(), (double) big.items() / small.items()));
    }
    if (histogram[0] != null) {
      md.append(String.format(Locale.ROOT, "%nClass histogram at %,d items (tree, index and route table held; "
          + "`jcmd PID GC.class_histogram`, top 15):%n%n```%n%s```%n", largest, histogram[0]));
    }
    return md.toString();
  }

  /** The first {@code top} rows of this JVM's class histogram (a full GC first), or a note why not. */
  static String classHistogram(int top) {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    try {
      Process p = new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
          .redirectErrorStream(true).start();
      List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
      p.waitFor(120, TimeUnit.SECONDS);
      StringBuilder b = new StringBuilder();
      for (String line : lines) {
        if (line.contains("num ") || line.contains("----") || line.matches("\\s*\\d+:.*") && top-- > 0
            || line.startsWith("Total")) {
          b.append(line).append('\n');
        }
      }
      return b.toString();
    } catch (IOException e) {
      return "class histogram unavailable: " + e + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted\n";
    }
  }
}
