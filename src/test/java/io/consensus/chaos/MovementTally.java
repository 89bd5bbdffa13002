package io.consensus.chaos;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Movement counted from etcd's own history, item by item, each revision against the one before
 * (as the in-JVM benchmark's {@code TreeWatcher} counts it): a placement is an (item, member)
 * pair going from no entry to an entry, a release the reverse, a mastership change an item whose
 * first entry changes member. Optionally keeps a journal of every movement for evidence. Used on
 * the watcher's context only; {@link #snapshot()} is read there too.
 */
final class MovementTally {
  /** Counters at one moment; {@link #minus} gives a phase's movement. */
  record Counts(long placements, long releases, long masterChanges, long keyWrites) {
    Counts minus(Counts o) {
      return new Counts(placements - o.placements, releases - o.releases, masterChanges - o.masterChanges,
          keyWrites - o.keyWrites);
    }
  }

  private long placements;
  private long releases;
  private long masterChanges;
  private long keyWrites;
  private final List<String> journal = new ArrayList<>();
  private boolean journaling;

  /** One item's route before and after revision {@code rev}. */
  void count(long rev, Route before, Route after) {
    StringBuilder line = journaling ? new StringBuilder() : null;
    // A route holds a handful of entries: compare them pairwise, no set per route.
    for (int i = 0; i < after.size(); i++) {
      String m = after.memberAt(i);
      if (firstAt(after, i, m) && !holds(before, m)) {
        placements++;
        if (line != null) {
          line.append(" +").append(m).append('@').append(after.index(m));
        }
      }
    }
    for (int i = 0; i < before.size(); i++) {
      String m = before.memberAt(i);
      if (firstAt(before, i, m) && !holds(after, m)) {
        releases++;
        if (line != null) {
          line.append(" -").append(m).append('@').append(before.index(m));
        }
      }
    }
    if (!before.isEmpty() && !after.isEmpty() && !before.master().member().equals(after.master().member())) {
      masterChanges++;
      if (line != null) {
        line.append(" master ").append(before.master().member()).append("->").append(after.master().member());
      }
    }
    if (line != null && line.length() > 0) {
      journal.add(rev + " " + after.item() + line + "  " + order(after));
    }
  }

  private static boolean holds(Route r, String member) {
    for (int i = 0; i < r.size(); i++) {
      if (r.memberAt(i).equals(member)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code member} has no entry in {@code r} before position {@code at} (counted once). */
  private static boolean firstAt(Route r, int at, String member) {
    for (int i = 0; i < at; i++) {
      if (r.memberAt(i).equals(member)) {
        return false;
      }
    }
    return true;
  }

  void keyWrites(int n) {
    keyWrites += n;
  }

  Counts snapshot() {
    return new Counts(placements, releases, masterChanges, keyWrites);
  }

  /** Starts (or stops) keeping one journal line per item a revision moved. */
  void journal(boolean on) {
    journaling = on;
  }

  /** The journal so far, cleared. */
  List<String> drainJournal() {
    List<String> out = List.copyOf(journal);
    journal.clear();
    return out;
  }

  private static String order(Route r) {
    return r.entries().stream().map(RouteEntry::member).toList().toString();
  }
}
