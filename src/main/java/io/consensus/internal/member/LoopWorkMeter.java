package io.consensus.internal.member;

import io.consensus.verticle.LoopWork;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times the pieces of a member's own work on its event loop (wall time and the thread's CPU
 * time), keeps the longest and counts those over {@link #SLOW_NANOS}; {@link #figures()} is an
 * immutable snapshot readable from any thread, renewed only when the longest or the count
 * changes. Used on one context only.
 */
public final class LoopWorkMeter {
  private static final Logger LOG = LoggerFactory.getLogger(LoopWorkMeter.class);
  /** Work that holds the loop this long or longer is counted (the loop's goal: no stall over 50 ms). */
  public static final long SLOW_NANOS = 50_000_000L;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported()
      && THREADS.isThreadCpuTimeEnabled();

  private final String owner;
  private final ObjLongConsumer<String> onWork;
  private long maxNanos;
  private long maxCpuNanos = CPU_TIME ? 0 : -1;
  private long slow;
  private String longest = "";
  private volatile LoopWork figures = LoopWork.NONE;

  /**
   * @param owner  whose work it is, for the log line of a slow piece ("member m1")
   * @param onWork told every piece's kind and wall time in nanoseconds (e.g. to feed a histogram)
   */
  public LoopWorkMeter(String owner, ObjLongConsumer<String> onWork) {
    this.owner = owner;
    this.onWork = onWork;
  }

  /** The current thread's CPU time in nanoseconds, -1 when the JVM cannot tell. */
  public static long cpuNow() {
    return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : -1;
  }

  /** Runs {@code work} and records it as one piece of kind {@code kind}. */
  public void time(String kind, Runnable work) {
    long start = System.nanoTime();
    long cpu = cpuNow();
    try {
      work.run();
    } finally {
      record(kind, System.nanoTime() - start, cpu < 0 ? -1 : cpuNow() - cpu);
    }
  }

  /** Records one piece of work of {@code wallNanos} ({@code cpuNanos} of CPU, -1 unknown). */
  public void record(String kind, long wallNanos, long cpuNanos) {
    boolean changed = false;
    if (wallNanos > maxNanos) {
      maxNanos = wallNanos;
      longest = kind;
      changed = true;
    }
    if (cpuNanos > maxCpuNanos) {
      maxCpuNanos = cpuNanos;
      changed = true;
    }
    if (wallNanos >= SLOW_NANOS) {
      slow++;
      changed = true;
      LOG.info("{}: a {} held the event loop for {} ms ({} ms of CPU)", owner, kind, wallNanos / 1_000_000,
          cpuNanos < 0 ? "?" : Long.toString(cpuNanos / 1_000_000));
    }
    if (changed) {
      figures = new LoopWork(maxNanos / 1e6, maxCpuNanos < 0 ? -1 : maxCpuNanos / 1e6, longest, slow);
    }
    try {
      onWork.accept(kind, wallNanos);
    } catch (RuntimeException e) {
      LOG.warn("loop work listener failed", e);
    }
  }

  /** The figures as of the last change. */
  public LoopWork figures() {
    return figures;
  }
}
