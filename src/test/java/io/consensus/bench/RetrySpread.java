package io.consensus.bench;

import io.consensus.internal.etcd.Backoff;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;

/**
 * How a fleet's retries spread after a failure they all saw at once (an etcd restart): the
 * retry schedules of {@code members} members, each with its own jitter, against the
 * un-jittered schedule every member followed before. A computation of the schedules
 * ({@link Backoff}), not a run against etcd. Prints a markdown table.
 *
 * <pre>
 * mvn -B -o -q -DskipTests test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.bench.RetrySpread -Dexec.args="100 5"
 * </pre>
 */
public final class RetrySpread {
  private RetrySpread() {
  }

  public static void main(String[] args) {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int attempts = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    System.out.println("| retry | base .. cap | schedule | most members in one 10 ms window | mean delay of attempt 1 / "
        + attempts + " (ms) | last member's attempt " + attempts + " at (ms) |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    row("keep-alive reconnect", 50, 1000, members, attempts, a -> Backoff.ceilingMillis(50, 1000, a));
    row("rejoin", 250, 5000, members, attempts, a -> Backoff.ceilingMillis(250, 5000, a));
    row("join at start", 250, 2000, members, attempts, a -> Math.min(2000, 250L * a)); // was linear
    row("watch reconnect", 100, 3000, members, attempts, a -> Backoff.ceilingMillis(100, 3000, a));
  }

  private static void row(String what, long base, long cap, int members, int attempts, IntToLongFunction before) {
    for (boolean jitter : new boolean[] {false, true}) {
      Random seeds = new Random(42);
      TreeMap<Long, Integer> windows = new TreeMap<>();
      double[] sum = new double[attempts];
      long last = 0;
      for (int m = 0; m < members; m++) {
        Backoff b = new Backoff(Duration.ofMillis(base), Duration.ofMillis(cap), new Random(seeds.nextLong()));
        long at = 0;
        for (int a = 1; a <= attempts; a++) {
          long d = jitter ? b.nextDelayMillis() : before.applyAsLong(a);
          sum[a - 1] += d;
          at += d;
          windows.merge(at / 10, 1, Integer::sum);
        }
        last = Math.max(last, at);
      }
      int crowd = windows.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      System.out.printf("| %s | %d .. %d ms | %s | %d of %d | %.0f / %.0f | %d |%n", what, base, cap,
          jitter ? "full jitter" : "no jitter (before)", crowd, members, sum[0] / members, sum[attempts - 1] / members,
          last);
    }
  }
}
