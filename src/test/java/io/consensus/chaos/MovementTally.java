package io.consensus.chaos;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
    Set<String> was = members(before);
    Set<String> is = members(after);
    StringBuilder line = journaling ? new StringBuilder() : null;
    for (String m : is) {
      if (!was.contains(m)) {
        placements++;
        if (line != null) {
          line.append(" +").append(m).append('@').append(after.index(m));
        }
      }
    }
    for (String m : was) {
      if (!is.contains(m)) {
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

  private static Set<String> members(Route r) {
    Set<String> out = new HashSet<>();
    for (RouteEntry e : r.entries()) {
      out.add(e.member());
    }
    return out;
  }

  private static String order(Route r) {
    return r.entries().stream().map(RouteEntry::member).toList().toString();
  }
}
