package io.consensus.internal.etcd;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * The project's one retry schedule: exponential back-off with full jitter, capped. Attempt
 * {@code n} waits a delay drawn uniformly from {@code [1, ceiling(n)]} ms, where
 * {@code ceiling(n) = min(cap, base * 2^(n-1))}; {@link #reset()} after a success starts
 * again from attempt 1. {@link Retries} runs the timers (and cancels them on stop).
 *
 * <p>Why full jitter rather than decorrelated jitter: every delay stays at or below the
 * un-jittered exponential schedule, so no retry waits longer than it did before jitter (the
 * lease keeper's reconnects in particular: the lease-lost deadline leaves no room for a
 * longer wait), and it spreads a fleet's retries over the whole window, so that members
 * retrying after an etcd restart do not arrive in lockstep. Decorrelated jitter
 * ({@code min(cap, random(base, 3 * previous))}) can exceed that schedule at any attempt.
 *
 * <p>Not thread-safe: owned by one context.
 */
public final class Backoff {
  private final long baseMillis;
  private final long capMillis;
  private final Random random;
  private int attempt;

  /**
   * A schedule drawing its jitter from a fresh {@link Random}.
   *
   * @throws IllegalArgumentException unless {@code 0 < base <= cap}
   */
  public Backoff(Duration base, Duration cap) {
    this(base, cap, new Random());
  }

  /**
   * A schedule drawing its jitter from {@code random} (a seeded one makes it deterministic).
   *
   * @throws IllegalArgumentException unless {@code 0 < base <= cap}
   */
  public Backoff(Duration base, Duration cap, Random random) {
    this.baseMillis = base.toMillis();
    this.capMillis = cap.toMillis();
    this.random = Objects.requireNonNull(random, "random");
    if (baseMillis <= 0 || capMillis < baseMillis) {
      throw new IllegalArgumentException("need 0 < base <= cap, was " + base + ", " + cap);
    }
  }

  /** The longest delay of attempt {@code attempt} (1-based): {@code min(cap, base * 2^(attempt-1))}. */
  public static long ceilingMillis(long baseMillis, long capMillis, int attempt) {
    long d = baseMillis;
    for (int i = 1; i < attempt && d < capMillis; i++) {
      d *= 2;
    }
    return Math.min(capMillis, d);
  }

  /** The delay to wait before the next attempt: uniform in {@code [1, ceiling(attempt)]} ms. */
  public long nextDelayMillis() {
    attempt = Math.min(attempt + 1, 63);
    return 1 + (long) (random.nextDouble() * ceilingMillis(baseMillis, capMillis, attempt));
  }

  /** Attempts counted since the last {@link #reset()}. */
  public int attempts() {
    return attempt;
  }

  /** After a success: the next delay is drawn from the first window again. */
  public void reset() {
    attempt = 0;
  }
}
