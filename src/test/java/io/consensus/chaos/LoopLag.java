package io.consensus.chaos;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * One event loop's lag as a member reports it in {@code /health}:
 * {@code "eventLoopLag": {"allocator": {"maxMillis", "p99Millis", "recentMaxMillis"}, "keeper": {...}}}.
 */
record LoopLag(double maxMillis, double p99Millis, double recentMaxMillis, double runningMaxMillis) {

  /** The {@code eventLoopLag} object of a {@code /health} body, or null (no body, or a member without it). */
  static JsonObject healthLag(String health) {
    if (health == null) {
      return null;
    }
    try {
      return new JsonObject(health).getJsonObject("eventLoopLag");
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** The figures of {@code loop}, or null when absent. */
  static LoopLag of(JsonObject lag, String loop) {
    JsonObject l = lag == null ? null : lag.getJsonObject(loop);
    if (l == null) {
      return null;
    }
    return new LoopLag(number(l, "maxMillis"), number(l, "p99Millis"), number(l, "recentMaxMillis"),
        number(l, "runningMaxMillis"));
  }

  private static double number(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
