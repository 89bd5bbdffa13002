package io.consensus.internal.allocation;

import io.consensus.internal.member.HeldItemStates;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * The decision rounds of a pure-logic bench, each timed in the thread's CPU and tallied by rule
 * (rounds that act on nothing under "idle"), as the verticle decides: the held states it checked
 * and found none stale of are marked checked.
 */
final class RoundCosts {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Rule, long[]> byRule = new EnumMap<>(Rule.class); // rounds, cpu ns, max ns
  private final long[] idle = new long[3];
  private int rounds;
  private long totalCpu;
  private long maxCpu;
  private long lastCpu;

  /** One decision round of {@code m}, timed. */
  Decision decide(SimulatedFleet.Member m, HeldItemStates held, Random rnd) {
    long c0 = threads.getCurrentThreadCpuTime();
    Decision d = m.decider.decide(m.index, held::stateOf, rnd, held.toCheck());
    lastCpu = threads.getCurrentThreadCpuTime() - c0;
    if (!d.updatesState()) {
      held.checked();
    }
    rounds++;
    totalCpu += lastCpu;
    maxCpu = Math.max(maxCpu, lastCpu);
    long[] acc = d.rule() == null ? idle : byRule.computeIfAbsent(d.rule(), r -> new long[3]);
    acc[0]++;
    acc[1] += lastCpu;
    acc[2] = Math.max(acc[2], lastCpu);
    return d;
  }

  int rounds() {
    return rounds;
  }

  /** CPU of the last round, ns. */
  long lastCpu() {
    return lastCpu;
  }

  /** "CPU max X ms, mean Y ms, total Z ms" over the rounds so far. */
  String summary() {
    return String.format("CPU max %.1f ms, mean %.2f ms, total %.0f ms", maxCpu / 1e6,
        totalCpu / 1e6 / Math.max(1, rounds), totalCpu / 1e6);
  }

  /** Prints a line per rule, then the rounds that acted on nothing as {@code idleLabel}. */
  void printByRule(String idleLabel) {
    byRule.forEach((r, a) -> System.out.printf("  %-26s rounds %5d  CPU mean %6.2f ms  max %6.1f ms%n", r, a[0],
        a[1] / 1e6 / a[0], a[2] / 1e6));
    System.out.printf("  %-26s rounds %5d  CPU mean %6.2f ms  max %6.1f ms%n", idleLabel, idle[0],
        idle[1] / 1e6 / Math.max(1, idle[0]), idle[2] / 1e6);
  }
}
