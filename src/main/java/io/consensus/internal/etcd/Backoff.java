package io.consensus.internal.etcd;

import java.time.Duration;

/**
 * The project's one retry back-off: exponential from a minimum, doubling up to a bound. Used
 * by the watcher, the lease keeper's stream reconnects and the member's rejoin. Not
 * thread-safe (owned by one context).
 */
public final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private int attempt;

  /**
   * @throws IllegalArgumentException unless {@code 0 < min <= max}
   */
  public Backoff(Duration min, Duration max) {
    this.minMillis = min.toMillis();
    this.maxMillis = max.toMillis();
    if (minMillis <= 0 || maxMillis < minMillis) {
      throw new IllegalArgumentException("need 0 < min <= max, was " + min + ", " + max);
    }
  }

  /** The delay before attempt {@code attempt} (1-based): {@code min(max, min * 2^(attempt-1))}. */
  public static long delayMillis(long minMillis, long maxMillis, int attempt) {
    long d = minMillis;
    for (int i = 1; i < attempt && d < maxMillis; i++) {
      d *= 2;
    }
    return Math.min(maxMillis, d);
  }

  /** The delay to wait now; the following one doubles, up to the bound. */
  public long nextDelayMillis() {
    attempt = Math.min(attempt + 1, 63);
    return delayMillis(minMillis, maxMillis, attempt);
  }

  /** After a success: the next delay is the minimum again. */
  public void reset() {
    attempt = 0;
  }
}
