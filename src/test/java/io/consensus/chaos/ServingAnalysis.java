package io.consensus.chaos;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fencing where applications act: from every member's serving log (start/stop lines with
 * fencing tokens) and the life times and pauses of its processes, finds every moment at which
 * an application still served an item after another member's application had started serving
 * it with a greater token. A process that was SIGKILLed stops serving at the kill; time spent
 * SIGSTOPped does not count (a paused application does nothing).
 */
final class ServingAnalysis {
  record Interval(String member, String item, long token, long from, long to) {
  }

  record Overlap(String item, Interval older, Interval newer, long micros) {
  }

  final List<Interval> intervals = new ArrayList<>();
  final List<Overlap> overlaps = new ArrayList<>();
  int unparsable;

  static ServingAnalysis of(Collection<MemberProcess> members, long endMicros) throws IOException {
    ServingAnalysis a = new ServingAnalysis();
    for (MemberProcess m : members) {
      a.read(m, endMicros);
    }
    a.compare(members);
    return a;
  }

  private void read(MemberProcess m, long endMicros) throws IOException {
    if (!Files.exists(m.servingLog)) {
      return;
    }
    Map<String, long[]> open = new HashMap<>(); // item -> [token, from]
    for (String line : Files.readAllLines(m.servingLog)) {
      JsonObject j;
      try {
        j = new JsonObject(line);
      } catch (RuntimeException e) {
        unparsable++; // a line cut by SIGKILL
        continue;
      }
      String item = j.getString("item");
      long mono = j.getLong("mono");
      long token = j.getLong("token");
      long[] o = open.get(item);
      if (o != null && (j.getString("event").equals("stop") || incarnationEnd(m, o[1], endMicros) < mono)) {
        intervals.add(new Interval(m.name, item, o[0], o[1], Math.min(mono, incarnationEnd(m, o[1], endMicros))));
        open.remove(item);
      }
      if (j.getString("event").equals("start")) {
        open.put(item, new long[] {token, mono});
      }
    }
    open.forEach((item, o) -> intervals.add(new Interval(m.name, item, o[0], o[1], incarnationEnd(m, o[1], endMicros))));
  }

  /** When the process that wrote a line at {@code at} ended (killed or exited), or {@code endMicros}. */
  private static long incarnationEnd(MemberProcess m, long at, long endMicros) {
    MemberProcess.Incarnation best = null;
    for (MemberProcess.Incarnation inc : m.incarnations) {
      if (inc.startMicros <= at) {
        best = inc;
      }
    }
    return best == null || best.endMicros < 0 ? endMicros : best.endMicros;
  }

  private void compare(Collection<MemberProcess> members) {
    Map<String, MemberProcess> byName = new HashMap<>();
    members.forEach(m -> byName.put(m.name, m));
    Map<String, List<Interval>> byItem = new HashMap<>();
    intervals.forEach(i -> byItem.computeIfAbsent(i.item(), k -> new ArrayList<>()).add(i));
    for (List<Interval> list : byItem.values()) {
      list.sort(Comparator.comparingLong(Interval::from));
      for (Interval older : list) {
        for (Interval newer : list) {
          if (newer.token() <= older.token() || newer.member().equals(older.member())) {
            continue;
          }
          long from = Math.max(older.from(), newer.from());
          long span = older.to() - from - paused(byName.get(older.member()), from, older.to());
          if (span > 0) {
            overlaps.add(new Overlap(older.item(), older, newer, span));
          }
        }
      }
    }
  }

  private static long paused(MemberProcess m, long from, long to) {
    long sum = 0;
    if (m == null) {
      return 0;
    }
    for (long[] p : m.pauses) {
      long a = Math.max(from, p[0]);
      long b = Math.min(to, p[1]);
      if (b > a) {
        sum += b - a;
      }
    }
    return sum;
  }

  /** Same token served by two members of one item: impossible unless entries were confused. */
  List<String> sharedTokens() {
    List<String> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (Interval i : intervals) {
      String k = i.item() + "@" + i.token();
      String other = seen.putIfAbsent(k, i.member());
      if (other != null && !other.equals(i.member())) {
        out.add("item " + i.item() + " token " + i.token() + " served by " + other + " and " + i.member());
      }
    }
    return out;
  }

  long maxOverlapMicros() {
    return overlaps.stream().mapToLong(Overlap::micros).max().orElse(0);
  }
}
