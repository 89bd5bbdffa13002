package io.consensus.internal.allocation;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * TAKE_SHORT's cost per decision, pure logic in one JVM: N items x R = 2 over M members, converged
 * as in {@link CrashDecisionBench}, then the last member crashes; the first survivor decides again
 * and again on that one view (nothing applied, a new seed each time), as it does at the start of
 * the refill. Prints the thread CPU per decision (mean, max) over three passes of {@code reps}
 * decisions, the picks per decision and the short items.
 *
 * <pre>mvn -B -o -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.internal.allocation.TakeShortBench -Dexec.args="100000 10 4000"</pre>
 *
 * <p>Arguments: items (100,000), members (10), decisions per pass (4,000).
 */
public final class TakeShortBench {
  private TakeShortBench() {
  }

  public static void main(String[] args) {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int members = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 4_000;
    SimulatedFleet f = CrashDecisionBench.converged(items, members, 64);
    List<String> names = new ArrayList<>(f.members.keySet());
    f.crash(names.get(members - 1));
    SimulatedFleet.Member m = f.members.get(names.get(0));
    CrashDecisionBench.sync(f, m);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int pass = 0; pass < 3; pass++) {
      long total = 0;
      long max = 0;
      long picks = 0;
      for (int s = 0; s < reps; s++) {
        Random rnd = new Random(s);
        long c0 = threads.getCurrentThreadCpuTime();
        Decision d = m.decider.decide(m.index, x -> "ready", rnd, List.of());
        long cpu = threads.getCurrentThreadCpuTime() - c0;
        if (d.rule() != Rule.TAKE_SHORT) {
          throw new IllegalStateException("expected TAKE_SHORT, decided " + d.rule());
        }
        total += cpu;
        max = Math.max(max, cpu);
        picks += d.actions().size();
      }
      System.out.printf("pass %d: %,d decisions, CPU per decision mean %.3f ms, max %.2f ms; %.1f picks per decision; "
          + "%,d short items%n", pass, reps, total / 1e6 / reps, max / 1e6, (double) picks / reps,
          m.index.candidates().shortStaffed().size());
    }
  }
}
