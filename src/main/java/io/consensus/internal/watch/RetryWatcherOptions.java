package io.consensus.internal.watch;

import io.consensus.config.ConfigException;
import io.consensus.internal.config.ConfigSchema;
import io.vertx.core.json.JsonObject;

/**
 * Settings of a {@link RetryWatcher}, in the Vert.x options style (fluent setters, copy
 * constructor, strict JSON constructor, {@link #toJson()}); {@link RetryWatcher#start} takes a
 * copy. JSON keys are the property names below.
 *
 * <ul>
 *   <li>{@code prefix}: key prefix to watch, e.g. {@code /consensus/demo/} (required)</li>
 *   <li>{@code refreshIntervalMillis}: period of a full re-snapshot; 0 (default) disables it</li>
 *   <li>{@code minBackoffMillis}: bound of the first delay before retrying after a failure (jittered, see {@code Backoff}; default 100)</li>
 *   <li>{@code maxBackoffMillis}: bound of the exponential back-off (default 3000)</li>
 *   <li>{@code pageSize}: keys per Range page of a snapshot (default 5,000)</li>
 *   <li>{@code resnapshotOnReconnect}: whether a broken stream is recovered with a new snapshot
 *       (true) or by resuming the watch after the last delivered revision (false, default; a
 *       compacted resume re-snapshots)</li>
 *   <li>{@code prevKv}: whether watch events carry the previous key-value (default true). etcd
 *       reads it from its store for every event and every watcher, which for a lease revocation
 *       deleting thousands of keys delays the event by seconds on a busy etcd: off when not
 *       needed</li>
 *   <li>{@code fragments}: whether etcd splits a revision larger than its request limit (1.5 MiB
 *       by default) into several responses (default false). etcd 3.4 cuts the fragments by
 *       re-measuring the whole fragment after every event it adds, quadratic in the events per
 *       fragment: a revision deleting 75,000 entries cost etcd ~12 s of CPU per fragmenting
 *       watcher and reached it ~35 s after the revoke, against 0.4 s of CPU and 0.8 s whole
 *       ({@code LeaseRevokeBench}). Whole, such a revision is one message (3 MB for 75,000
 *       deletions, decoded in 4-32 ms on a loaded 2-core machine)</li>
 * </ul>
 */
public final class RetryWatcherOptions {
  public static final long DEFAULT_REFRESH_INTERVAL_MILLIS = 0;
  public static final long DEFAULT_MIN_BACKOFF_MILLIS = 100;
  public static final long DEFAULT_MAX_BACKOFF_MILLIS = 3000;
  public static final int DEFAULT_PAGE_SIZE = 5_000;
  public static final boolean DEFAULT_RESNAPSHOT_ON_RECONNECT = false;
  public static final boolean DEFAULT_PREV_KV = true;
  public static final boolean DEFAULT_FRAGMENTS = false;

  private static final ConfigSchema<RetryWatcherOptions> SCHEMA = new ConfigSchema<RetryWatcherOptions>()
      .string("prefix", RetryWatcherOptions::getPrefix, RetryWatcherOptions::setPrefix)
      .longInteger("refreshIntervalMillis", RetryWatcherOptions::getRefreshIntervalMillis,
          RetryWatcherOptions::setRefreshIntervalMillis)
      .longInteger("minBackoffMillis", RetryWatcherOptions::getMinBackoffMillis, RetryWatcherOptions::setMinBackoffMillis)
      .longInteger("maxBackoffMillis", RetryWatcherOptions::getMaxBackoffMillis, RetryWatcherOptions::setMaxBackoffMillis)
      .integer("pageSize", RetryWatcherOptions::getPageSize, RetryWatcherOptions::setPageSize)
      .bool("resnapshotOnReconnect", RetryWatcherOptions::isResnapshotOnReconnect,
          RetryWatcherOptions::setResnapshotOnReconnect)
      .bool("prevKv", RetryWatcherOptions::isPrevKv, RetryWatcherOptions::setPrevKv)
      .bool("fragments", RetryWatcherOptions::isFragments, RetryWatcherOptions::setFragments);

  private String prefix;
  private long refreshIntervalMillis = DEFAULT_REFRESH_INTERVAL_MILLIS;
  private long minBackoffMillis = DEFAULT_MIN_BACKOFF_MILLIS;
  private long maxBackoffMillis = DEFAULT_MAX_BACKOFF_MILLIS;
  private int pageSize = DEFAULT_PAGE_SIZE;
  private boolean resnapshotOnReconnect = DEFAULT_RESNAPSHOT_ON_RECONNECT;
  private boolean prevKv = DEFAULT_PREV_KV;
  private boolean fragments = DEFAULT_FRAGMENTS;

  /** Defaults; the prefix must still be set. */
  public RetryWatcherOptions() {
  }

  /** A copy of {@code other}. */
  public RetryWatcherOptions(RetryWatcherOptions other) {
    SCHEMA.copy(other, this);
  }

  /**
   * Reads {@code json} strictly.
   *
   * @throws ConfigException naming the first unknown key, wrong type or bad value
   */
  public RetryWatcherOptions(JsonObject json) {
    SCHEMA.read(json, this);
    validate();
  }

  /** The settings as JSON, in the shape {@link #RetryWatcherOptions(JsonObject)} reads. */
  public JsonObject toJson() {
    return SCHEMA.write(this);
  }

  /**
   * Checks the settings together.
   *
   * @throws ConfigException when the prefix is missing or {@code minBackoffMillis > maxBackoffMillis}
   */
  public RetryWatcherOptions validate() {
    if (prefix == null) {
      throw new ConfigException("prefix", "required");
    }
    if (maxBackoffMillis < minBackoffMillis) {
      throw new ConfigException("maxBackoffMillis", "must be >= minBackoffMillis (" + minBackoffMillis + "), was "
          + maxBackoffMillis);
    }
    return this;
  }

  public String getPrefix() {
    return prefix;
  }

  public RetryWatcherOptions setPrefix(String prefix) {
    this.prefix = prefix;
    return this;
  }

  public long getRefreshIntervalMillis() {
    return refreshIntervalMillis;
  }

  /** Period of a full re-snapshot; 0 disables it. */
  public RetryWatcherOptions setRefreshIntervalMillis(long millis) {
    if (millis < 0) {
      throw new ConfigException("refreshIntervalMillis", "must be >= 0, was " + millis);
    }
    this.refreshIntervalMillis = millis;
    return this;
  }

  public long getMinBackoffMillis() {
    return minBackoffMillis;
  }

  public RetryWatcherOptions setMinBackoffMillis(long millis) {
    if (millis < 1) {
      throw new ConfigException("minBackoffMillis", "must be >= 1, was " + millis);
    }
    this.minBackoffMillis = millis;
    return this;
  }

  public long getMaxBackoffMillis() {
    return maxBackoffMillis;
  }

  public RetryWatcherOptions setMaxBackoffMillis(long millis) {
    if (millis < 1) {
      throw new ConfigException("maxBackoffMillis", "must be >= 1, was " + millis);
    }
    this.maxBackoffMillis = millis;
    return this;
  }

  public int getPageSize() {
    return pageSize;
  }

  public RetryWatcherOptions setPageSize(int pageSize) {
    if (pageSize < 1) {
      throw new ConfigException("pageSize", "must be >= 1, was " + pageSize);
    }
    this.pageSize = pageSize;
    return this;
  }

  public boolean isResnapshotOnReconnect() {
    return resnapshotOnReconnect;
  }

  public RetryWatcherOptions setResnapshotOnReconnect(boolean on) {
    this.resnapshotOnReconnect = on;
    return this;
  }

  /** Whether watch events carry the previous key-value (see the class doc). */
  public boolean isPrevKv() {
    return prevKv;
  }

  public RetryWatcherOptions setPrevKv(boolean on) {
    this.prevKv = on;
    return this;
  }

  /** Whether etcd is asked to split large revisions into fragments (see the class doc). */
  public boolean isFragments() {
    return fragments;
  }

  public RetryWatcherOptions setFragments(boolean on) {
    this.fragments = on;
    return this;
  }

  @Override
  public String toString() {
    return "RetryWatcherOptions" + toJson().encode();
  }
}
