package io.consensus.internal.allocation;

import io.consensus.route.RouteEntry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Zone swap repair: when an item X has two copies in zone Z1 and lacks zone Z2, but every member
 * of Z2 is at its target (so {@link Rule#ZONE_SPREAD} finds no room), a member m2 of Z2 and the
 * member m1 holding X's second Z1 copy exchange a copy each: X's goes m1 -> m2, and that of an
 * item Y goes m2 -> m1, where Y is no worse for the exchange. Every move is
 * make-before-break through an extra entry, so no item drops below R+1 entries and no master
 * moves:
 * <ol>
 * <li>{@link Rule#ZONE_SWAP_OFFER}: m2, at its targets, takes an extra entry of X;</li>
 * <li>{@link Rule#ZONE_SWAP_TRADE}: once m2's extra is ready, m1 releases its copy of X (the
 *     extra behind becomes the replica) and, in the same transaction, takes an extra entry of Y;</li>
 * <li>{@link Rule#ZONE_SWAP_SETTLE}: m2, now one over its total, releases its copy of Y once
 *     m1's extra behind it is ready.</li>
 * </ol>
 * Each extra is kept ({@link #keepsExtra}, an exemption from {@link Rule#RELEASE_EXTRA}) only while
 * its pair can still complete, re-checked on every view; when it cannot, the extra goes as any
 * other. Every completed swap adds a zone to X and takes none from Y, so swaps end.
 *
 * <p>Cost: the zone-doubled items ({@link Candidates#zoneDoubled()}, a handful once the fleet
 * settles), this member's crowded replicas and, for an offerer, its replicas; only the member an
 * offer stands behind looks through every item for the exchange (once per offer).
 */
final class ZoneSwap {
  private ZoneSwap() {
  }

  /** A trade of {@link Rule#ZONE_SWAP_TRADE}: release {@code give}, take an extra of {@code take}. */
  record Trade(String give, String take) {
  }

  /** An offer: take an extra entry of {@code item}; at once when this member is its designated offerer. */
  record Offer(String item, boolean designated) {
  }

  /**
   * An item X this member (zone Z2, at its targets, with room under its item limit, holding no
   * extra) should offer to take an extra entry of, or null. Only once the fleet is settled in this
   * view (no item short, no member over a target): a swap while members still move would be
   * movement for nothing. Of the members in the zones X lacks, one (by a hash of item and member)
   * is designated to offer at once; the others offer after a back-off, so that they rarely collide.
   */
  static Offer offer(AllocationIndex idx, Targets want, int total) {
    String mine = idx.zoneOf(idx.member());
    Candidates c = idx.candidates();
    if (mine == null || c.zoneDoubled().isEmpty() || total != want.total() || !c.myExtras().isEmpty()
        || idx.room() <= 0 || idx.itemsShortOfReplicas() > 0) {
      return null;
    }
    List<String> present = idx.presentMembers();
    for (String m : present) {
      int t = idx.totalTargetOf(m);
      if (idx.entriesOf(m) > t || idx.mastersOf(m) > idx.masterTargetOf(m)) {
        return null;
      }
    }
    java.util.Map<String, Integer> room = ZoneSpread.roomByZone(idx);
    for (String x : c.zoneDoubled().all()) {
      ItemSummary s = idx.summary(x);
      List<RouteEntry> entries = s.route().entries();
      if (s.size() != s.replicas() + 1 || s.myIndex() >= 0) {
        continue;
      }
      Set<String> zs = zones(idx, entries, s.replicas() + 1);
      if (zs.contains(mine) || missingZoneHasRoom(zs, room.keySet())) {
        continue; // ZONE_SPREAD repairs it without a swap
      }
      String m1 = secondInZone(idx, entries, s.replicas());
      if (m1 != null && exchangeFor(idx, m1, idx.member(), x) != null) {
        return new Offer(x, idx.member().equals(designatedOfferer(idx, present, x, zs)));
      }
    }
    return null;
  }

  /** The member of a zone the item lacks with the highest hash of item and member. */
  private static String designatedOfferer(AllocationIndex idx, List<String> present, String item, Set<String> zs) {
    String best = null;
    int bestHash = 0;
    for (String m : present) {
      String z = idx.zoneOf(m);
      int h = AllocationDecider.mix(item.hashCode() * 31 + m.hashCode());
      if (z != null && !zs.contains(z) && (best == null || h > bestHash)) {
        best = m;
        bestHash = h;
      }
    }
    return best;
  }

  /** The trade this member (m1) makes for an offer standing behind its zone-doubled copy, or null. */
  static Trade trade(AllocationIndex idx) {
    String mine = idx.zoneOf(idx.member());
    if (mine == null || idx.drained()) {
      return null;
    }
    for (String x : idx.candidates().myCrowded().all()) {
      ItemSummary s = idx.summary(x);
      List<RouteEntry> entries = s.route().entries();
      int r = s.replicas();
      if (!idx.member().equals(secondInZone(idx, entries, r))) {
        continue;
      }
      String offerer = entries.get(r + 1).member();
      String z = idx.zoneOf(offerer);
      // The offer's copy must be loaded before ours goes (make-before-break), as SETTLE waits too.
      if (z == null || zones(idx, entries, r + 1).contains(z) || idx.totalTargetOf(offerer) < 0
          || !idx.ready(x, entries.get(r + 1).state())) {
        continue;
      }
      String y = exchangeFor(idx, idx.member(), offerer, x);
      if (y != null) {
        return new Trade(x, y);
      }
    }
    return null;
  }

  /**
   * A replica this member (m2, over its total target) may release because a ready extra stands
   * behind it whose member takes its place no worse for the item's zones, or null.
   */
  static String settle(AllocationIndex idx) {
    for (String y : idx.candidates().myCrowded().all()) {
      ItemSummary s = idx.summary(y);
      List<RouteEntry> entries = s.route().entries();
      RouteEntry extra = entries.get(s.replicas() + 1);
      if (idx.totalTargetOf(extra.member()) >= 0 && idx.ready(y, extra.state())
          && noWorse(idx, entries, s.replicas(), idx.member(), extra.member())) {
        return y;
      }
    }
    return null;
  }

  /**
   * Whether this member keeps its extra entry of {@code item} (an exemption from
   * {@link Rule#RELEASE_EXTRA}): it stands first behind the R+1 and its swap can still complete,
   * as an offer (its zone missing, a second copy in a zone and an exchange for it) or as a
   * trade's take (it wants one more entry, and a replica of a member over its total may go for it).
   */
  static boolean keepsExtra(AllocationIndex idx, String item, Targets want, int total) {
    ItemSummary s = idx.summary(item);
    int r = s.replicas();
    String mine = idx.zoneOf(idx.member());
    if (mine == null || s.myIndex() != r + 1 || r == 0) {
      return false;
    }
    List<RouteEntry> entries = s.route().entries();
    if (!zones(idx, entries, r + 1).contains(mine)) {
      String m1 = secondInZone(idx, entries, r);
      if (m1 != null && exchangeFor(idx, m1, idx.member(), item) != null) {
        return true;
      }
    }
    if (total < want.total()) {
      for (int i = 1; i <= r; i++) {
        String h = entries.get(i).member();
        int target = idx.totalTargetOf(h);
        if (target >= 0 && idx.entriesOf(h) > target && noWorse(idx, entries, r, h, idx.member())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * An item Y other than {@code x}, fully staffed, where {@code m2} is a replica, {@code m1} holds
   * nothing, and m1 taking m2's place leaves Y's zones no worse; null when none. Zone-doubled items
   * first (with as many zones as copies, Y is one of them); then m2's other replicas: this member's
   * own when it is m2, else every item (only a member with an offer behind its copy asks that).
   */
  static String exchangeFor(AllocationIndex idx, String m1, String m2, String x) {
    String y = exchangeAmong(idx, idx.candidates().zoneDoubled().all(), m1, m2, x);
    if (y != null) {
      return y;
    }
    if (m2.equals(idx.member())) {
      return exchangeAmong(idx, idx.candidates().myReplicas().all(), m1, m2, x);
    }
    for (ItemSummary s : idx.summaries()) {
      if (fits(idx, s, m1, m2, x)) {
        return s.item();
      }
    }
    return null;
  }

  private static String exchangeAmong(AllocationIndex idx, Iterable<String> items, String m1, String m2, String x) {
    for (String y : items) {
      if (fits(idx, idx.summary(y), m1, m2, x)) {
        return y;
      }
    }
    return null;
  }

  private static boolean fits(AllocationIndex idx, ItemSummary s, String m1, String m2, String x) {
    if (s.item().equals(x) || s.size() != s.replicas() + 1) {
      return false;
    }
    int at = s.route().index(m2);
    return at >= 1 && s.route().index(m1) < 0 && noWorse(idx, s.route().entries(), s.replicas(), m2, m1);
  }

  /**
   * The member of the first {@code r + 1} entries holding the later copy of a zone that appears
   * twice (a replica, never the master), null when every zone appears once.
   */
  static String secondInZone(AllocationIndex idx, List<RouteEntry> entries, int r) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i <= r && i < entries.size(); i++) {
      String z = idx.zoneOf(entries.get(i).member());
      if (z != null && !seen.add(z)) {
        return entries.get(i).member();
      }
    }
    return null;
  }

  /** Whether {@code in} taking {@code out}'s place among the first r+1 entries keeps as many distinct zones. */
  private static boolean noWorse(AllocationIndex idx, List<RouteEntry> entries, int r, String out, String in) {
    int before = score(idx, entries, r, null, null);
    return score(idx, entries, r, out, in) >= before;
  }

  /** Distinct zones among the first r+1 entries (with {@code in} for {@code out}); unzoned members count each. */
  private static int score(AllocationIndex idx, List<RouteEntry> entries, int r, String out, String in) {
    Set<String> zs = new HashSet<>();
    int unzoned = 0;
    for (int i = 0; i <= r && i < entries.size(); i++) {
      String m = entries.get(i).member();
      String z = idx.zoneOf(m.equals(out) ? in : m);
      if (z == null) {
        unzoned++;
      } else {
        zs.add(z);
      }
    }
    return zs.size() + unzoned;
  }

  private static Set<String> zones(AllocationIndex idx, List<RouteEntry> entries, int upTo) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < upTo && i < entries.size(); i++) {
      String z = idx.zoneOf(entries.get(i).member());
      if (z != null) {
        out.add(z);
      }
    }
    return out;
  }

  private static boolean missingZoneHasRoom(Set<String> routeZones, Set<String> zonesWithRoom) {
    for (String z : zonesWithRoom) {
      if (!routeZones.contains(z)) {
        return true;
      }
    }
    return false;
  }
}
