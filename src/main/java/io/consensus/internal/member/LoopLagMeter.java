package io.consensus.internal.member;

import io.consensus.verticle.EventLoopLag;
import io.vertx.core.Context;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how late a timer fires on one context's event loop: every {@link #PERIOD_MILLIS} a
 * one-shot timer is set, and when it runs its lateness (actual - due time) is one sample. Keeps
 * the maximum since the start, the maximum of the last {@value #RECENT_SECONDS} seconds and a
 * histogram for the 99th percentile, and, once {@link #markRunning()} was called, the maximum
 * since then; {@link #figures()} is an immutable snapshot, refreshed at each sample and readable
 * from any thread. A lag of {@link #LOGGED_MILLIS} or more is logged (with the time it ended, to
 * match against a GC log).
 */
public final class LoopLagMeter {
  private static final Logger LOG = LoggerFactory.getLogger(LoopLagMeter.class);
  /** Time between samples. */
  public static final long PERIOD_MILLIS = 100;
  static final int RECENT_SECONDS = 10;
  static final int EXACT = 128; // one bucket per millisecond below this
  private static final int BUCKETS = EXACT + 64;

  /** Lags logged at INFO: twice the loop's goal of no stall over 50 ms. */
  public static final long LOGGED_MILLIS = 100;

  private final Context context;
  private final String loop;
  private final LongConsumer onSample;
  private volatile boolean running;
  // Confined to the context.
  private final long[] buckets = new long[BUCKETS];
  private final long[] secondMax = new long[RECENT_SECONDS];
  private final long[] secondOf = new long[RECENT_SECONDS];
  private long samples;
  private long maxNanos;
  private long runningMaxNanos;
  private long timer = -1;
  private boolean stopped;

  private volatile EventLoopLag figures = EventLoopLag.NONE;

  private LoopLagMeter(Context context, String loop, LongConsumer onSample) {
    this.context = context;
    this.loop = loop;
    this.onSample = onSample;
  }

  /**
   * Starts measuring {@code context}'s loop.
   *
   * @param loop the loop's name in the log
   * @param onSample called on {@code context} with each lag in nanoseconds (e.g. to feed a
   *     histogram meter)
   */
  public static LoopLagMeter start(Context context, String loop, LongConsumer onSample) {
    LoopLagMeter m = new LoopLagMeter(context, loop, onSample);
    context.runOnContext(v -> m.schedule());
    return m;
  }

  /** The figures as of the last sample. */
  public EventLoopLag figures() {
    return figures;
  }

  /** From now on (from any thread), lags also count for {@link EventLoopLag#runningMaxMillis()}. */
  public void markRunning() {
    running = true;
  }

  /** Stops measuring (from any thread); the figures stay. */
  public void stop() {
    context.runOnContext(v -> {
      stopped = true;
      if (timer != -1) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
    });
  }

  private void schedule() {
    if (stopped) {
      return;
    }
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);
    timer = context.owner().setTimer(PERIOD_MILLIS, t -> {
      timer = -1;
      record(Math.max(0, System.nanoTime() - due));
      schedule();
    });
  }

  private void record(long lagNanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(lagNanos);
    samples++;
    buckets[bucket(ms)]++;
    maxNanos = Math.max(maxNanos, lagNanos);
    if (running) {
      runningMaxNanos = Math.max(runningMaxNanos, lagNanos);
    }
    if (ms >= LOGGED_MILLIS) {
      LOG.info("{} event loop: a timer ran {} ms late", loop, ms);
    }
    long second = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
    int slot = (int) Math.floorMod(second, (long) RECENT_SECONDS);
    if (secondOf[slot] != second) {
      secondOf[slot] = second;
      secondMax[slot] = 0;
    }
    secondMax[slot] = Math.max(secondMax[slot], ms);
    long recent = 0;
    for (int i = 0; i < RECENT_SECONDS; i++) {
      if (second - secondOf[i] < RECENT_SECONDS) {
        recent = Math.max(recent, secondMax[i]);
      }
    }
    long max = TimeUnit.NANOSECONDS.toMillis(maxNanos);
    figures = new EventLoopLag(max, Math.min(max, percentile(0.99)), recent, samples,
        TimeUnit.NANOSECONDS.toMillis(runningMaxNanos));
    try {
      onSample.accept(lagNanos);
    } catch (RuntimeException e) {
      LOG.warn("lag sample listener failed", e);
    }
  }

  static int bucket(long ms) {
    if (ms < EXACT) {
      return (int) ms;
    }
    return EXACT + (63 - Long.numberOfLeadingZeros(ms)) - 7; // [128, 256) -> EXACT, ...
  }

  /** The largest lag a bucket holds, in milliseconds. */
  static long upperBound(int bucket) {
    if (bucket < EXACT) {
      return bucket;
    }
    int bits = bucket - EXACT + 8;
    return bits >= 63 ? Long.MAX_VALUE : (1L << bits) - 1;
  }

  private long percentile(double q) {
    long rank = (long) Math.ceil(q * samples);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += buckets[i];
      if (seen >= rank) {
        return upperBound(i);
      }
    }
    return 0;
  }
}
