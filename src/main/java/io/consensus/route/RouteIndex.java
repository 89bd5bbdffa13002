package io.consensus.route;

import java.util.HashMap;
import java.util.Map;

/**
 * What a {@link RoutingTable} answers without walking every item: the items each member
 * masters and holds, and the fleet's counters (per-item R). Immutable; a revision makes the
 * next one with an {@link Editor}, which pays per item it is told about plus one copy of the
 * member maps (members, not items).
 */
final class RouteIndex {
  static final RouteIndex EMPTY = new RouteIndex(Map.of(), Map.of(), 0, 0, 0);

  private final Map<String, ItemSet> masters;
  private final Map<String, ItemSet> holders;
  final int items;
  final int withoutMaster;
  final int shortOfReplicas;

  private RouteIndex(Map<String, ItemSet> masters, Map<String, ItemSet> holders, int items, int withoutMaster,
      int shortOfReplicas) {
    this.masters = masters;
    this.holders = holders;
    this.items = items;
    this.withoutMaster = withoutMaster;
    this.shortOfReplicas = shortOfReplicas;
  }

  /** Items {@code member} masters. */
  ItemSet mastersOf(String member) {
    return masters.getOrDefault(member, ItemSet.EMPTY);
  }

  /** Items in whose route {@code member} has an entry. */
  ItemSet itemsOf(String member) {
    return holders.getOrDefault(member, ItemSet.EMPTY);
  }

  /** Members that hold at least one entry. */
  java.util.Set<String> holders() {
    return holders.keySet();
  }

  Editor edit() {
    return new Editor(this);
  }

  /** Builds an index from nothing, fed every item's route in name order (one pass, no copying per item). */
  static final class Builder {
    private final Map<String, ItemSet.Builder> masters = new HashMap<>();
    private final Map<String, ItemSet.Builder> holders = new HashMap<>();
    private int items;
    private int withoutMaster;
    private int shortOfReplicas;

    /** Counts {@code route} (null: the item does not exist) whose R is {@code r}; items in name order. */
    Builder add(Route route, int r) {
      if (route == null) {
        return this;
      }
      items++;
      if (route.isEmpty()) {
        withoutMaster++;
      }
      if (route.size() < r + 1) {
        shortOfReplicas++;
      }
      for (int i = 0; i < route.size(); i++) {
        String m = route.memberAt(i);
        if (i == 0) {
          masters.computeIfAbsent(m, k -> new ItemSet.Builder()).add(route.item());
        }
        holders.computeIfAbsent(m, k -> new ItemSet.Builder()).add(route.item());
      }
      return this;
    }

    RouteIndex done() {
      return new RouteIndex(built(masters), built(holders), items, withoutMaster, shortOfReplicas);
    }

    private static Map<String, ItemSet> built(Map<String, ItemSet.Builder> builders) {
      Map<String, ItemSet> out = new HashMap<>();
      builders.forEach((m, b) -> out.put(m, b.build()));
      return Map.copyOf(out);
    }
  }

  /**
   * Builds the next index: {@link #replace} an item's old route with its new one. Only the
   * members whose role changed are edited: a revision that adds one replica to an item edits
   * one member's set, not every member of the route twice.
   */
  static final class Editor {
    private final Map<String, ItemSet> masters;
    private final Map<String, ItemSet> holders;
    private int items;
    private int withoutMaster;
    private int shortOfReplicas;

    // The sets this revision changes, each edited in place until done (one copy of its chunk array).
    private final Map<String, ItemSet.Edit> masterEdits = new HashMap<>();
    private final Map<String, ItemSet.Edit> holderEdits = new HashMap<>();

    private Editor(RouteIndex from) {
      masters = from.masters;
      holders = from.holders;
      items = from.items;
      withoutMaster = from.withoutMaster;
      shortOfReplicas = from.shortOfReplicas;
    }

    /**
     * Replaces {@code before} (null: the item did not exist), whose R was {@code rBefore}, with
     * {@code after} (null: the item does not exist any more), whose R is {@code rAfter}.
     */
    Editor replace(Route before, int rBefore, Route after, int rAfter) {
      counters(before, rBefore, -1);
      counters(after, rAfter, 1);
      String item = before != null ? before.item() : after != null ? after.item() : null;
      if (item == null) {
        return this;
      }
      int nb = before == null ? 0 : before.size();
      int na = after == null ? 0 : after.size();
      String masterBefore = nb == 0 ? null : before.memberAt(0);
      String masterAfter = na == 0 ? null : after.memberAt(0);
      if (!java.util.Objects.equals(masterBefore, masterAfter)) {
        if (masterBefore != null) {
          update(masters, masterEdits, masterBefore, item, -1);
        }
        if (masterAfter != null) {
          update(masters, masterEdits, masterAfter, item, 1);
        }
      }
      // A route holds a handful of entries (R+1, a few more after a lost race): compare them pairwise.
      for (int i = 0; i < nb; i++) {
        String m = before.memberAt(i);
        if (!holds(after, na, m) && firstAt(before, i, m)) {
          update(holders, holderEdits, m, item, -1);
        }
      }
      for (int i = 0; i < na; i++) {
        String m = after.memberAt(i);
        if (!holds(before, nb, m) && firstAt(after, i, m)) {
          update(holders, holderEdits, m, item, 1);
        }
      }
      return this;
    }

    private static boolean holds(Route route, int size, String member) {
      for (int i = 0; i < size; i++) {
        if (route.memberAt(i).equals(member)) {
          return true;
        }
      }
      return false;
    }

    /** True when {@code member} has no entry before position {@code at} (a member is counted once). */
    private static boolean firstAt(Route route, int at, String member) {
      for (int i = 0; i < at; i++) {
        if (route.memberAt(i).equals(member)) {
          return false;
        }
      }
      return true;
    }

    private void counters(Route route, int r, int sign) {
      if (route == null) {
        return;
      }
      items += sign;
      if (route.isEmpty()) {
        withoutMaster += sign;
      }
      if (route.size() < r + 1) {
        shortOfReplicas += sign;
      }
    }

    private static void update(Map<String, ItemSet> sets, Map<String, ItemSet.Edit> edits, String member,
        String item, int sign) {
      ItemSet.Edit e = edits.computeIfAbsent(member, m -> sets.getOrDefault(m, ItemSet.EMPTY).edit());
      if (sign > 0) {
        e.add(item);
      } else {
        e.remove(item);
      }
    }

    RouteIndex done() {
      return new RouteIndex(applied(masters, masterEdits), applied(holders, holderEdits), items, withoutMaster,
          shortOfReplicas);
    }

    /** {@code sets} with the edited ones replaced (members left with none dropped). */
    private static Map<String, ItemSet> applied(Map<String, ItemSet> sets, Map<String, ItemSet.Edit> edits) {
      if (edits.isEmpty()) {
        return sets;
      }
      Map<String, ItemSet> out = new HashMap<>(sets);
      edits.forEach((member, e) -> {
        ItemSet s = e.done();
        if (s.isEmpty()) {
          out.remove(member);
        } else {
          out.put(member, s);
        }
      });
      return Map.copyOf(out);
    }
  }
}
