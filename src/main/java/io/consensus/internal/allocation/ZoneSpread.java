package io.consensus.internal.allocation;

import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Zone rules: an item's entries go to distinct zones whenever a zone the route lacks has a member
 * with room to take one (as many distinct zones as possible otherwise). Members without a zone
 * are unconstrained. Two rules use this: a take skips items whose route already has an entry in
 * this member's zone while a missing zone has room ({@link Rule#TAKE_SHORT},
 * {@link Rule#TAKE_AFTER_BACKOFF}), and {@link Rule#ZONE_SPREAD} lets a replica that shares its
 * zone with an earlier entry of a fully staffed item go (guarded as {@link Rule#SURPLUS_REPLICA}) when
 * a missing zone has room, so that a member there takes it.
 */
final class ZoneSpread {
  private ZoneSpread() {
  }

  /** Whether any present member declares a zone. */
  static boolean inUse(AllocationIndex idx) {
    return idx.placement().zoned();
  }

  static String zoneOf(AllocationIndex idx, String member) {
    MemberSpec s = idx.specOf(member);
    return s == null ? null : s.zone();
  }

  /** Free slots per zone: what its active members may still take towards their total targets. */
  static Map<String, Integer> roomByZone(AllocationIndex idx) {
    Map<String, Integer> out = new HashMap<>();
    for (String m : idx.presentMembers()) {
      String z = zoneOf(idx, m);
      int free = PlacementConstraints.freeSlots(idx, m);
      if (z != null && free > 0 && !m.equals(idx.member())) {
        out.merge(z, free, Integer::sum);
      }
    }
    return out;
  }

  /** The zones of a route's entries. */
  static Set<String> zonesOf(AllocationIndex idx, List<RouteEntry> entries) {
    return zones(idx, entries, entries.size());
  }

  /**
   * Whether the take rule keeps {@code member} off an item whose entries are in
   * {@code routeZones}: its zone is among them while a zone they lack has room.
   */
  static boolean keepsOff(AllocationIndex idx, String member, Set<String> routeZones, Map<String, Integer> room) {
    String z = zoneOf(idx, member);
    return z != null && routeZones.contains(z) && missingZoneHasRoom(routeZones, room);
  }

  private static Set<String> zones(AllocationIndex idx, List<RouteEntry> entries, int upTo) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < upTo && i < entries.size(); i++) {
      String z = zoneOf(idx, entries.get(i).member());
      if (z != null) {
        out.add(z);
      }
    }
    return out;
  }

  private static boolean missingZoneHasRoom(Set<String> routeZones, Map<String, Integer> room) {
    for (Map.Entry<String, Integer> e : room.entrySet()) {
      if (e.getValue() > 0 && !routeZones.contains(e.getKey())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Up to {@code k} short-staffed items this member may take under the zone rule, fewest entries
   * first when {@code fewestFirst}, else random.
   */
  static List<String> pickShort(AllocationIndex idx, int k, Random rnd, boolean fewestFirst) {
    String mine = zoneOf(idx, idx.member());
    if (mine == null) {
      return fewestFirst ? PlacementConstraints.fewestEntriesFirst(idx, k, rnd) : idx.candidates().shortStaffed().sample(k, rnd);
    }
    Map<String, Integer> room = roomByZone(idx);
    int size = idx.candidates().shortStaffed().size();
    // A random sample first (cheap: most short items fit); the full list only when it falls short.
    List<String> out = fewestFirst || size <= 4 * k ? List.of() : fitting(idx, idx.candidates().shortStaffed().sample(4 * k, rnd),
        mine, room, k);
    if (out.size() >= k) {
      return out;
    }
    List<String> all = fewestFirst ? PlacementConstraints.fewestEntriesFirst(idx, Integer.MAX_VALUE, rnd)
        : new ArrayList<>(idx.candidates().shortStaffed().all());
    if (!fewestFirst) {
      Collections.shuffle(all, rnd);
    }
    return fitting(idx, all, mine, room, k);
  }

  private static List<String> fitting(AllocationIndex idx, List<String> candidates, String mine,
      Map<String, Integer> room, int k) {
    List<String> out = new ArrayList<>();
    for (String item : candidates) {
      if (out.size() >= k) {
        break;
      }
      List<RouteEntry> entries = idx.summary(item).route().entries();
      Set<String> zs = zones(idx, entries, entries.size());
      if (!zs.contains(mine) || !missingZoneHasRoom(zs, room)) {
        out.add(item);
      }
    }
    return out;
  }

  /**
   * Up to {@code k} replicas this member holds of fully staffed items where an earlier entry has
   * its zone and a zone the route lacks has room; no more than those zones can take.
   */
  static List<String> misplacedReplicas(AllocationIndex idx, int k) {
    if (idx.candidates().myDoubled().isEmpty()) {
      return List.of();
    }
    Map<String, Integer> room = roomByZone(idx);
    if (room.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    // Kept by the index as items change (and recomputed when members do): no scan of every replica.
    for (String item : idx.candidates().myDoubled().all()) {
      if (out.size() >= k) {
        break;
      }
      ItemSummary s = idx.summary(item);
      List<RouteEntry> entries = s.route().entries();
      Set<String> zs = zones(idx, entries, entries.size());
      for (Map.Entry<String, Integer> e : room.entrySet()) {
        if (e.getValue() > 0 && !zs.contains(e.getKey())) {
          e.setValue(e.getValue() - 1);
          out.add(item);
          break;
        }
      }
    }
    return out;
  }
}
