package io.consensus.watch;

import java.time.Duration;

/** Bounded exponential back-off; not thread-safe (owned by one context). */
final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private long next;

  Backoff(Duration min, Duration max) {
    this.minMillis = min.toMillis();
    this.maxMillis = max.toMillis();
    this.next = minMillis;
  }

  /** The delay to wait now; doubles the following one up to the bound. */
  long nextDelayMillis() {
    long d = next;
    next = Math.min(maxMillis, next * 2);
    return d;
  }

  void reset() {
    next = minMillis;
  }
}
