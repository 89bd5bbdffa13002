package io.consensus.watch;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link RetryWatcher}; immutable, change with the {@code with...} methods.
 *
 * @param prefix                 key prefix to watch, e.g. {@code /consensus/demo/}
 * @param refreshInterval        period of a full re-snapshot (Go's refresh ticker);
 *                               {@link Duration#ZERO} (default) disables it
 * @param minBackoff             first delay before retrying after a failure (default 100 ms)
 * @param maxBackoff             bound of the exponential back-off (default 3 s)
 * @param pageSize               keys per Range page of a snapshot (default 5,000)
 * @param resnapshotOnReconnect  whether a broken stream is recovered with a new snapshot
 *                               (true) or by resuming the watch after the last delivered
 *                               revision (false, default; a compacted resume re-snapshots)
 * @param prevKv                 whether watch events carry the previous key-value (default true).
 *                               etcd reads it from its store for every event and every watcher,
 *                               which for a lease revocation deleting thousands of keys delays
 *                               the event by seconds on a busy etcd: off when not needed
 */
public record RetryWatcherOptions(String prefix, Duration refreshInterval, Duration minBackoff,
                                  Duration maxBackoff, int pageSize, boolean resnapshotOnReconnect, boolean prevKv) {

  /** Options with previous key-values on. */
  public RetryWatcherOptions(String prefix, Duration refreshInterval, Duration minBackoff, Duration maxBackoff,
                             int pageSize, boolean resnapshotOnReconnect) {
    this(prefix, refreshInterval, minBackoff, maxBackoff, pageSize, resnapshotOnReconnect, true);
  }

  public RetryWatcherOptions {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    Objects.requireNonNull(minBackoff, "minBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (refreshInterval.isNegative()) {
      throw new IllegalArgumentException("refreshInterval must not be negative");
    }
    if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("need 0 < minBackoff <= maxBackoff");
    }
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be positive: " + pageSize);
    }
  }

  /** Defaults for watching {@code prefix}. */
  public static RetryWatcherOptions forPrefix(String prefix) {
    return new RetryWatcherOptions(prefix, Duration.ZERO, Duration.ofMillis(100), Duration.ofSeconds(3), 5_000, false, true);
  }

  public RetryWatcherOptions withRefreshInterval(Duration d) {
    return new RetryWatcherOptions(prefix, d, minBackoff, maxBackoff, pageSize, resnapshotOnReconnect, prevKv);
  }

  public RetryWatcherOptions withBackoff(Duration min, Duration max) {
    return new RetryWatcherOptions(prefix, refreshInterval, min, max, pageSize, resnapshotOnReconnect, prevKv);
  }

  public RetryWatcherOptions withPageSize(int size) {
    return new RetryWatcherOptions(prefix, refreshInterval, minBackoff, maxBackoff, size, resnapshotOnReconnect, prevKv);
  }

  public RetryWatcherOptions withResnapshotOnReconnect(boolean on) {
    return new RetryWatcherOptions(prefix, refreshInterval, minBackoff, maxBackoff, pageSize, on, prevKv);
  }

  /** Whether events carry the previous key-value (see {@link #prevKv()}). */
  public RetryWatcherOptions withPrevKv(boolean on) {
    return new RetryWatcherOptions(prefix, refreshInterval, minBackoff, maxBackoff, pageSize, resnapshotOnReconnect, on);
  }
}
