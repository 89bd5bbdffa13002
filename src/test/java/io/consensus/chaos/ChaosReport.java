package io.consensus.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Faults injected, their recovery times, and every violation found; rendered as Markdown. */
final class ChaosReport {
  /** The violation of the recovery bound: a timing property, counted by bench runs, not by CI's short run. */
  static final String SLOW_RECOVERY = "slow recovery";

  /**
   * One injected fault: class, when it started, how long it lasted, how long etcd took to serve
   * again after it (etcd-wide faults, else 0), how long from then until fully staffed again
   * (-1: never), and from the injection until fully staffed.
   */
  record Fault(String kind, long startMillis, long durationMillis, long etcdBackMillis, long recoveryMillis,
               long fromStartMillis, String note) {
  }

  record Violation(String kind, String detail) {
  }

  private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
  private final List<Violation> violations = Collections.synchronizedList(new ArrayList<>());
  private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

  void fault(Fault f) {
    faults.add(f);
  }

  void violation(String kind, String detail) {
    violations.add(new Violation(kind, detail));
    System.out.println("VIOLATION " + kind + ": " + detail);
  }

  void note(String line) {
    notes.add(line);
    System.out.println("NOTE " + line);
  }

  List<Violation> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  List<Fault> faults() {
    synchronized (faults) {
      return List.copyOf(faults);
    }
  }

  String markdown(String header, long recoveryBoundMillis) {
    StringBuilder sb = new StringBuilder(header);
    Map<String, List<Fault>> byKind = new TreeMap<>();
    for (Fault f : faults()) {
      byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f);
    }
    sb.append("\n## Recovery per fault class\n\n");
    sb.append("Recovery = from the end of the fault (restart, SIGCONT, reconnect, relaunch; for etcd-wide faults "
        + "from when etcd serves a linearizable read again, if later: \"etcd back\") until every item has R+1 "
        + "entries of members whose keys are present, as the independent watcher saw it. Bound: TTL + 2 s = "
        + recoveryBoundMillis + " ms; a recovery over the bound or never is a violation. \"Staffed from fault "
        + "start\" counts from the injection (a crash's failover time for SIGKILL; the fault's own duration "
        + "included for pauses and cut-offs).\n\n");
    sb.append("| fault | count | etcd back max ms | recovery median ms | p95 ms | max ms | over bound | never recovered "
        + "| staffed from fault start: median ms | max ms |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int total = 0;
    for (Map.Entry<String, List<Fault>> e : byKind.entrySet()) {
      List<Long> rec = new ArrayList<>();
      List<Long> fromStart = new ArrayList<>();
      int never = 0;
      int over = 0;
      long etcdBack = 0;
      for (Fault f : e.getValue()) {
        etcdBack = Math.max(etcdBack, f.etcdBackMillis());
        if (f.recoveryMillis() < 0) {
          never++;
        } else {
          rec.add(f.recoveryMillis());
          fromStart.add(f.fromStartMillis());
          if (f.recoveryMillis() > recoveryBoundMillis) {
            over++;
          }
        }
      }
      Collections.sort(rec);
      Collections.sort(fromStart);
      total += e.getValue().size();
      sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %d | %d | %s | %s |%n", e.getKey(),
          e.getValue().size(), etcdBack == 0 ? "-" : Long.toString(etcdBack), pct(rec, 50), pct(rec, 95), rec.isEmpty() ? "-" : Long.toString(rec.get(rec.size() - 1)),
          over, never, pct(fromStart, 50), pct(fromStart, 100)));
    }
    sb.append(String.format(Locale.ROOT, "| **all** | %d | | | | | | | | |%n", total));
    List<Violation> vs = violations();
    sb.append("\n## Violations (").append(vs.size()).append(")\n\n");
    if (vs.isEmpty()) {
      sb.append("None.\n");
    } else {
      Map<String, Integer> counts = new TreeMap<>();
      vs.forEach(v -> counts.merge(v.kind(), 1, Integer::sum));
      counts.forEach((k, n) -> sb.append("- ").append(k).append(": ").append(n).append("\n"));
      sb.append("\n");
      int shown = 0;
      for (Violation v : vs) {
        if (shown++ >= 200) {
          sb.append("- ... ").append(vs.size() - 200).append(" more\n");
          break;
        }
        sb.append("- **").append(v.kind()).append("** ").append(v.detail()).append("\n");
      }
    }
    List<String> ns;
    synchronized (notes) {
      ns = List.copyOf(notes);
    }
    if (!ns.isEmpty()) {
      sb.append("\n## Notes\n\n");
      ns.forEach(n -> sb.append("- ").append(n).append("\n"));
    }
    return sb.toString();
  }

  private static String pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return "-";
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return Long.toString(sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))));
  }
}
