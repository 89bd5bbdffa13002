package io.consensus.lease;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link LeaseKeeper}. Unset durations derive from the TTL:
 * <ul>
 *   <li>{@code ttlSeconds}: 10 s. etcd may raise very short TTLs to its minimum (about 2 s
 *       with default election settings); the keeper then uses the TTL etcd granted.</li>
 *   <li>{@code keepAliveInterval}: TTL / 3, as jetcd does.</li>
 *   <li>{@code safetyMargin}: max(1 s, TTL / 5). The keeper declares the lease lost this long
 *       before the earliest moment etcd could expire it, to absorb timer lateness and the
 *       time the application needs to step down.</li>
 *   <li>{@code maxReconnectBackoff}: min(1 s, keepAliveInterval). Reopening the keep-alive
 *       stream starts at 50 ms and doubles up to this.</li>
 * </ul>
 * A renewal sent on time must be able to land before the loss deadline, so
 * {@code keepAliveInterval < TTL - safetyMargin} is required.
 *
 * <p>Mutable, not thread-safe; {@link LeaseKeeper#grant} takes a copy.
 */
public final class LeaseOptions {
  /** Default TTL in seconds. */
  public static final long DEFAULT_TTL_SECONDS = 10;
  static final Duration MIN_RECONNECT_BACKOFF = Duration.ofMillis(50);

  private long ttlSeconds = DEFAULT_TTL_SECONDS;
  private Duration keepAliveInterval;
  private Duration safetyMargin;
  private Duration maxReconnectBackoff;

  /** Defaults: TTL 10 s, everything else derived. */
  public LeaseOptions() {
  }

  /** A copy of {@code other}. */
  public LeaseOptions(LeaseOptions other) {
    this.ttlSeconds = other.ttlSeconds;
    this.keepAliveInterval = other.keepAliveInterval;
    this.safetyMargin = other.safetyMargin;
    this.maxReconnectBackoff = other.maxReconnectBackoff;
  }

  /** The TTL to request, in seconds (at least 1). */
  public long ttlSeconds() {
    return ttlSeconds;
  }

  /** Sets the TTL to request, in seconds (at least 1). */
  public LeaseOptions ttlSeconds(long ttlSeconds) {
    if (ttlSeconds < 1) {
      throw new IllegalArgumentException("ttlSeconds must be at least 1: " + ttlSeconds);
    }
    this.ttlSeconds = ttlSeconds;
    return this;
  }

  /** Time between keep-alive requests; default TTL / 3. */
  public Duration keepAliveInterval() {
    return keepAliveInterval != null ? keepAliveInterval : Duration.ofMillis(ttlSeconds * 1000 / 3);
  }

  /** Sets the time between keep-alive requests; {@code null} restores the default. */
  public LeaseOptions keepAliveInterval(Duration interval) {
    this.keepAliveInterval = positiveOrNull(interval, "keepAliveInterval");
    return this;
  }

  /** How long before the earliest possible expiry the lease counts as lost; default max(1 s, TTL / 5). */
  public Duration safetyMargin() {
    return safetyMargin != null ? safetyMargin : Duration.ofMillis(Math.max(1000, ttlSeconds * 1000 / 5));
  }

  /** Sets the safety margin; {@code null} restores the default. */
  public LeaseOptions safetyMargin(Duration margin) {
    this.safetyMargin = positiveOrNull(margin, "safetyMargin");
    return this;
  }

  /** Upper bound of the delay between attempts to reopen the keep-alive stream; default min(1 s, interval). */
  public Duration maxReconnectBackoff() {
    if (maxReconnectBackoff != null) {
      return maxReconnectBackoff;
    }
    Duration interval = keepAliveInterval();
    return interval.compareTo(Duration.ofSeconds(1)) < 0 ? interval : Duration.ofSeconds(1);
  }

  /** Sets the reconnect backoff bound; {@code null} restores the default. */
  public LeaseOptions maxReconnectBackoff(Duration max) {
    this.maxReconnectBackoff = positiveOrNull(max, "maxReconnectBackoff");
    return this;
  }

  /**
   * Checks that the settings can work for a lease of {@code ttlSeconds}.
   *
   * @throws IllegalArgumentException when the margin is not below the TTL, or a renewal sent
   *     on time could not be acknowledged before the loss deadline
   */
  void validate(long effectiveTtlSeconds) {
    long ttlMs = effectiveTtlSeconds * 1000;
    long marginMs = safetyMargin().toMillis();
    long intervalMs = keepAliveInterval().toMillis();
    if (marginMs >= ttlMs) {
      throw new IllegalArgumentException("safetyMargin " + marginMs + " ms must be below the TTL of "
          + effectiveTtlSeconds + " s");
    }
    if (intervalMs <= 0 || intervalMs >= ttlMs - marginMs) {
      throw new IllegalArgumentException("keepAliveInterval " + intervalMs + " ms must be positive and below TTL - "
          + "safetyMargin (" + (ttlMs - marginMs) + " ms)");
    }
  }

  private static Duration positiveOrNull(Duration d, String name) {
    if (d != null && (d.isNegative() || d.isZero())) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }

  @Override
  public String toString() {
    return "LeaseOptions[ttl=" + ttlSeconds + "s, interval=" + keepAliveInterval().toMillis()
        + "ms, margin=" + safetyMargin().toMillis() + "ms, maxBackoff=" + maxReconnectBackoff().toMillis() + "ms]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeaseOptions other && ttlSeconds == other.ttlSeconds
        && Objects.equals(keepAliveInterval, other.keepAliveInterval)
        && Objects.equals(safetyMargin, other.safetyMargin)
        && Objects.equals(maxReconnectBackoff, other.maxReconnectBackoff);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ttlSeconds, keepAliveInterval, safetyMargin, maxReconnectBackoff);
  }
}
