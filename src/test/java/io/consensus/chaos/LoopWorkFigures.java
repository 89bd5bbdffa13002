package io.consensus.chaos;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The longest piece of our own work on a member's allocator loop, as its {@code /health} reports it:
 * {@code "loopWork": {"maxMillis", "maxCpuMillis", "longest", "slowCount"}}.
 */
record LoopWorkFigures(double maxMillis, double maxCpuMillis, String longest, double slowCount) {

  /** From a {@code /health} body, or null (no body, or a member without it). */
  static LoopWorkFigures of(String health) {
    if (health == null) {
      return null;
    }
    try {
      JsonObject w = new JsonObject(health).getJsonObject("loopWork");
      if (w == null) {
        return null;
      }
      return new LoopWorkFigures(number(w, "maxMillis"), number(w, "maxCpuMillis"), w.getString("longest", "?"),
          number(w, "slowCount"));
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static double number(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
