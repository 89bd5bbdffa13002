package io.consensus.verticle;

import io.vertx.core.json.JsonObject;

/**
 * The longest piece of this library's own work on the allocator's event loop: one slice of
 * update work (a watch update, a snapshot page, route publication, a state sweep), one decision
 * round or the handling of one transaction answer. Beside {@link EventLoopLag} it tells which
 * part of a lag was ours: a lag far above {@code maxMillis} came from elsewhere (GC pauses,
 * JIT and class loading at start, other processes on the same cores). Immutable.
 *
 * @param maxMillis the longest wall time of one piece of work since the start
 * @param maxCpuMillis the most CPU time of the loop's thread one piece of work used (-1 when the
 *     JVM cannot tell); below {@code maxMillis} when the thread waited for a core or a GC
 * @param longest what the longest piece was ({@code slice}, {@code decision} or {@code answer})
 * @param slowCount pieces of work that held the loop for 50 ms or more (the goal is none)
 */
public record LoopWork(double maxMillis, double maxCpuMillis, String longest, long slowCount) {
  /** Nothing measured (yet). */
  public static final LoopWork NONE = new LoopWork(0, 0, "", 0);

  /** {@code {"maxMillis": x.y, "maxCpuMillis": x.y, "longest": "slice", "slowCount": n}}. */
  public JsonObject toJson() {
    return new JsonObject().put("maxMillis", tenth(maxMillis)).put("maxCpuMillis", tenth(maxCpuMillis))
        .put("longest", longest).put("slowCount", slowCount);
  }

  private static double tenth(double d) {
    return Math.round(d * 10) / 10.0;
  }
}
