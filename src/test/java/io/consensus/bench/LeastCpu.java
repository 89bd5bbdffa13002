package io.consensus.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The micro-benchmarks' timing: the thread's CPU per operation of a pass, the least of five
 * passes, and per table row the least over the rounds a bench runs (its first round warms the
 * JIT up). Rows print in the order first reported.
 */
public final class LeastCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final Map<String, Double> least = new LinkedHashMap<>();
  private long sink;

  /** CPU ns per operation of {@code pass} ({@code ops} operations), the least of five passes. */
  public double best(LongSupplier pass, long ops) {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = THREADS.getCurrentThreadCpuTime();
      sink += pass.getAsLong(); // kept, so that the pass's work is not optimised away
      long t1 = THREADS.getCurrentThreadCpuTime();
      best = Math.min(best, (t1 - t0) / (double) ops);
    }
    return best;
  }

  /** Keeps {@code ns} for the table row {@code row} (a markdown row without its last cell) if least. */
  public void report(String row, double ns) {
    least.merge(row, ns, Math::min);
  }

  /** Prints every row with its least figure, then the sink. */
  public void print() {
    least.forEach((row, ns) -> System.out.printf("%s %.1f |%n", row, ns));
    System.out.println("(sink " + sink + ")");
  }
}
