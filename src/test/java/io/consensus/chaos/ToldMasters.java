package io.consensus.chaos;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * When the survivors' applications were told they master the items a killed member's
 * application served, from the serving logs ({@code start} and {@code stop} lines, stamped with the
 * machine's monotonic clock, as this JVM's {@link System#nanoTime()}): what applications see after
 * a crash, beside when etcd held the new routes (the independent watcher's figure). A member tells
 * its application while it applies the dead member's revision, slice by slice.
 */
record ToldMasters(int items, int told, double firstSeconds, double lastSeconds) {

  /**
   * The items {@code victim}'s application served when it was killed at {@code killNanos}
   * (System.nanoTime), and when a survivor's application was first told it masters each, timed
   * from the kill.
   */
  static ToldMasters after(MemberProcess victim, List<MemberProcess> survivors, long killNanos) {
    long kill = killNanos / 1000;
    Set<String> served = new HashSet<>();
    for (JsonObject j : lines(victim)) {
      if (j.getLong("mono", 0L) < kill) {
        if ("start".equals(j.getString("event"))) {
          served.add(j.getString("item"));
        } else {
          served.remove(j.getString("item"));
        }
      }
    }
    Map<String, Long> firstTold = new HashMap<>();
    for (MemberProcess m : survivors) {
      for (JsonObject j : lines(m)) {
        long mono = j.getLong("mono", 0L);
        String item = j.getString("item");
        if (mono >= kill && "start".equals(j.getString("event")) && served.contains(item)) {
          firstTold.merge(item, mono, Math::min);
        }
      }
    }
    if (firstTold.isEmpty()) {
      return new ToldMasters(served.size(), 0, Double.NaN, Double.NaN);
    }
    long first = firstTold.values().stream().mapToLong(Long::longValue).min().orElseThrow();
    long last = firstTold.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    return new ToldMasters(served.size(), firstTold.size(), (first - kill) / 1e6, (last - kill) / 1e6);
  }

  private static List<JsonObject> lines(MemberProcess m) {
    try {
      if (!Files.exists(m.servingLog)) {
        return List.of();
      }
      return Files.readAllLines(m.servingLog).stream().<JsonObject>mapMulti((line, out) -> {
        try {
          out.accept(new JsonObject(line));
        } catch (RuntimeException e) {
          // a line cut short by the kill
        }
      }).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** One sentence for the failover paragraph. */
  String sentence() {
    return told == 0 ? String.format(Locale.ROOT, "no survivor's serving log shows a new master for the %,d items "
        + "the victim's application served", items)
        : String.format(Locale.ROOT, "the survivors' applications were told they master %,d of the %,d items the "
            + "victim's application served (serving logs): the first after %.2f s, the last after **%.2f s**", told,
            items, firstSeconds, lastSeconds);
  }
}
