package io.consensus.verticle;

import io.vertx.core.json.JsonObject;

/**
 * How late one event loop ran a 100 ms timer: the lateness of a timer is the time the loop was
 * busy with something else when it was due, so these are the longest stretches the loop could
 * not react (to a keep-alive answer, a watch event, a health probe). Immutable.
 *
 * @param maxMillis the largest lag since the measurement started
 * @param p99Millis the 99th percentile of all lags since the start (exact below 128 ms, the
 *     upper bound of a power-of-two bucket above, never above {@code maxMillis})
 * @param recentMaxMillis the largest lag of the last 10 seconds
 * @param samples timer firings measured
 * @param runningMaxMillis the largest lag since the member first ran (joined, its first snapshot
 *     applied): the same as {@code maxMillis} without the JVM's start (class loading, JIT
 *     compilation) and the first snapshot; 0 before
 */
public record EventLoopLag(long maxMillis, long p99Millis, long recentMaxMillis, long samples,
    long runningMaxMillis) {
  /** Nothing measured (yet). */
  public static final EventLoopLag NONE = new EventLoopLag(0, 0, 0, 0, 0);

  /** {@code {"maxMillis": n, "p99Millis": n, "recentMaxMillis": n, "runningMaxMillis": n}}. */
  public JsonObject toJson() {
    return new JsonObject().put("maxMillis", maxMillis).put("p99Millis", p99Millis)
        .put("recentMaxMillis", recentMaxMillis).put("runningMaxMillis", runningMaxMillis);
  }
}
