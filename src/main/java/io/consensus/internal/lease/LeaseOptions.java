package io.consensus.internal.lease;

import io.consensus.config.ConfigException;
import io.consensus.internal.config.ConfigSchema;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link LeaseKeeper}, in the Vert.x options style (fluent setters, copy
 * constructor, strict JSON constructor, {@link #toJson()}). Durations left at 0 derive from the
 * TTL:
 * <ul>
 *   <li>{@code ttlSeconds}: 10 s. etcd may raise very short TTLs to its minimum (about 2 s
 *       with default election settings); the keeper then uses the TTL etcd granted.</li>
 *   <li>{@code keepAliveIntervalMillis}: TTL / 3, as jetcd does.</li>
 *   <li>{@code safetyMarginMillis}: max(1 s, TTL / 5). The keeper declares the lease lost this
 *       long before the earliest moment etcd could expire it, to absorb timer lateness and the
 *       time the application needs to step down.</li>
 *   <li>{@code maxReconnectBackoffMillis}: min(1 s, keep-alive interval). Reopening the
 *       keep-alive stream waits a jittered delay of at most 50 ms, the bound doubling up to
 *       this (see {@code Backoff}).</li>
 * </ul>
 * A renewal sent on time must be able to land before the loss deadline, so
 * {@code keepAliveInterval < TTL - safetyMargin} is required.
 *
 * <p>Mutable, not thread-safe; {@link LeaseKeeper#grant} takes a copy.
 */
public final class LeaseOptions {
  /** Default TTL in seconds. */
  public static final long DEFAULT_TTL_SECONDS = 10;
  /** 0: the keep-alive interval derives from the TTL. */
  public static final long DEFAULT_KEEP_ALIVE_INTERVAL_MILLIS = 0;
  /** 0: the safety margin derives from the TTL. */
  public static final long DEFAULT_SAFETY_MARGIN_MILLIS = 0;
  /** 0: the reconnect back-off bound derives from the keep-alive interval. */
  public static final long DEFAULT_MAX_RECONNECT_BACKOFF_MILLIS = 0;
  static final Duration MIN_RECONNECT_BACKOFF = Duration.ofMillis(50);

  private static final ConfigSchema<LeaseOptions> SCHEMA = new ConfigSchema<LeaseOptions>()
      .longInteger("ttlSeconds", LeaseOptions::getTtlSeconds, LeaseOptions::setTtlSeconds)
      .longInteger("keepAliveIntervalMillis", LeaseOptions::getKeepAliveIntervalMillis,
          LeaseOptions::setKeepAliveIntervalMillis)
      .longInteger("safetyMarginMillis", LeaseOptions::getSafetyMarginMillis, LeaseOptions::setSafetyMarginMillis)
      .longInteger("maxReconnectBackoffMillis", LeaseOptions::getMaxReconnectBackoffMillis,
          LeaseOptions::setMaxReconnectBackoffMillis);

  private long ttlSeconds = DEFAULT_TTL_SECONDS;
  private long keepAliveIntervalMillis = DEFAULT_KEEP_ALIVE_INTERVAL_MILLIS;
  private long safetyMarginMillis = DEFAULT_SAFETY_MARGIN_MILLIS;
  private long maxReconnectBackoffMillis = DEFAULT_MAX_RECONNECT_BACKOFF_MILLIS;

  /** Defaults: TTL 10 s, everything else derived. */
  public LeaseOptions() {
  }

  /** A copy of {@code other}. */
  public LeaseOptions(LeaseOptions other) {
    SCHEMA.copy(other, this);
  }

  /**
   * Reads the keys {@code ttlSeconds}, {@code keepAliveIntervalMillis}, {@code safetyMarginMillis},
   * {@code maxReconnectBackoffMillis} strictly.
   *
   * @throws ConfigException naming the first unknown key, wrong type or bad value
   */
  public LeaseOptions(JsonObject json) {
    SCHEMA.read(json, this);
  }

  /** The settings as JSON, in the shape {@link #LeaseOptions(JsonObject)} reads. */
  public JsonObject toJson() {
    return SCHEMA.write(this);
  }

  /** The TTL to request, in seconds. */
  public long getTtlSeconds() {
    return ttlSeconds;
  }

  /** Sets the TTL to request, in seconds (at least 1). */
  public LeaseOptions setTtlSeconds(long ttlSeconds) {
    if (ttlSeconds < 1) {
      throw new ConfigException("ttlSeconds", "must be >= 1, was " + ttlSeconds);
    }
    this.ttlSeconds = ttlSeconds;
    return this;
  }

  /** The configured keep-alive interval, 0 = derived (see {@link #keepAliveInterval()}). */
  public long getKeepAliveIntervalMillis() {
    return keepAliveIntervalMillis;
  }

  /** Sets the time between keep-alive requests; 0 restores the default, TTL / 3. */
  public LeaseOptions setKeepAliveIntervalMillis(long millis) {
    this.keepAliveIntervalMillis = nonNegative("keepAliveIntervalMillis", millis);
    return this;
  }

  /** The configured safety margin, 0 = derived (see {@link #safetyMargin()}). */
  public long getSafetyMarginMillis() {
    return safetyMarginMillis;
  }

  /** Sets the safety margin; 0 restores the default, max(1 s, TTL / 5). */
  public LeaseOptions setSafetyMarginMillis(long millis) {
    this.safetyMarginMillis = nonNegative("safetyMarginMillis", millis);
    return this;
  }

  /** The configured reconnect back-off bound, 0 = derived (see {@link #maxReconnectBackoff()}). */
  public long getMaxReconnectBackoffMillis() {
    return maxReconnectBackoffMillis;
  }

  /** Sets the reconnect back-off bound; 0 restores the default, min(1 s, keep-alive interval). */
  public LeaseOptions setMaxReconnectBackoffMillis(long millis) {
    this.maxReconnectBackoffMillis = nonNegative("maxReconnectBackoffMillis", millis);
    return this;
  }

  /** The effective time between keep-alive requests. */
  public Duration keepAliveInterval() {
    return Duration.ofMillis(keepAliveIntervalMillis > 0 ? keepAliveIntervalMillis : ttlSeconds * 1000 / 3);
  }

  /** The effective safety margin: how long before the earliest possible expiry the lease counts as lost. */
  public Duration safetyMargin() {
    return Duration.ofMillis(safetyMarginMillis > 0 ? safetyMarginMillis : Math.max(1000, ttlSeconds * 1000 / 5));
  }

  /** The effective upper bound of the delay between attempts to reopen the keep-alive stream. */
  public Duration maxReconnectBackoff() {
    if (maxReconnectBackoffMillis > 0) {
      return Duration.ofMillis(maxReconnectBackoffMillis);
    }
    Duration interval = keepAliveInterval();
    return interval.compareTo(Duration.ofSeconds(1)) < 0 ? interval : Duration.ofSeconds(1);
  }

  /**
   * Checks that the settings can work for a lease of {@code effectiveTtlSeconds}.
   *
   * @throws ConfigException when the margin is not below the TTL, or a renewal sent on time
   *     could not be acknowledged before the loss deadline
   */
  void validate(long effectiveTtlSeconds) {
    long ttlMs = effectiveTtlSeconds * 1000;
    long marginMs = safetyMargin().toMillis();
    long intervalMs = keepAliveInterval().toMillis();
    if (marginMs >= ttlMs) {
      throw new ConfigException("safetyMarginMillis", marginMs + " ms must be below the TTL of "
          + effectiveTtlSeconds + " s");
    }
    if (intervalMs <= 0 || intervalMs >= ttlMs - marginMs) {
      throw new ConfigException("keepAliveIntervalMillis", intervalMs + " ms must be positive and below TTL - "
          + "safetyMargin (" + (ttlMs - marginMs) + " ms)");
    }
  }

  private static long nonNegative(String key, long v) {
    if (v < 0) {
      throw new ConfigException(key, "must be >= 0 (0 = derived from the TTL), was " + v);
    }
    return v;
  }

  @Override
  public String toString() {
    return "LeaseOptions[ttl=" + ttlSeconds + "s, interval=" + keepAliveInterval().toMillis()
        + "ms, margin=" + safetyMargin().toMillis() + "ms, maxBackoff=" + maxReconnectBackoff().toMillis() + "ms]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeaseOptions other && ttlSeconds == other.ttlSeconds
        && keepAliveIntervalMillis == other.keepAliveIntervalMillis
        && safetyMarginMillis == other.safetyMarginMillis
        && maxReconnectBackoffMillis == other.maxReconnectBackoffMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(ttlSeconds, keepAliveIntervalMillis, safetyMarginMillis, maxReconnectBackoffMillis);
  }
}
