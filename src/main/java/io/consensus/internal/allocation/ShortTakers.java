package io.consensus.internal.allocation;

import io.consensus.route.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Who takes a short-staffed item first ({@link Rule#TAKE_SHORT}): its designated taker is, among
 * the takers (the present members with room under their own total target, and this member) that
 * hold no entry of the item and that the zone rule does not keep off it, the one with the most
 * room in quarters of a share, then the highest {@code mix(item hash * 31 + member hash)}, the
 * senior one on a full tie. Every member computes the same designation from the same view, so
 * that members filling the same short items at once mostly pick different ones.
 *
 * <p>Whether this member is the designated taker is first told from the hashes alone: the takers
 * that outrank it on an item must all hold an entry of it, and a short item's route holds at most
 * {@link AllocationIndex#maxReplicas()} entries; with more outranking it, one of them is free to
 * take it (without zones); with none, it is ours. The item's route is read only in between.
 */
final class ShortTakers {
  private final String[] takers;
  private final int[] rooms;
  private final int[] hashes;
  private final int me; // this member's position in takers, -1 when it is not present
  // Takers with more room than this member: they outrank it on every item.
  private final int roomier;
  private final int maxRouteSize;

  /** Takers in seniority order with their rooms; {@code me} this member's position (-1: not present). */
  ShortTakers(List<String> takers, List<Integer> rooms, int me, int maxRouteSize) {
    this.takers = takers.toArray(new String[0]);
    this.rooms = new int[this.takers.length];
    this.hashes = new int[this.takers.length];
    for (int t = 0; t < this.takers.length; t++) {
      this.rooms[t] = rooms.get(t);
      this.hashes[t] = this.takers[t].hashCode();
    }
    int r = 0;
    for (int t = 0; me >= 0 && t < this.takers.length; t++) {
      r += this.rooms[t] > this.rooms[me] ? 1 : 0;
    }
    this.me = me;
    // A member that is not present is nobody's designated taker.
    this.roomier = me < 0 ? Integer.MAX_VALUE : r;
    this.maxRouteSize = maxRouteSize;
  }

  /** The takers of {@code idx}'s view, this member's total target being {@code total}. */
  static ShortTakers of(AllocationIndex idx, int total) {
    List<String> takers = new ArrayList<>();
    List<Integer> rooms = new ArrayList<>();
    int me = -1;
    for (String m : idx.presentMembers()) {
      boolean mine = m.equals(idx.member());
      // Each member's own target (weights and item limits differ), not this member's.
      int target = mine ? total : Math.max(0, idx.totalTargetOf(m));
      int free = target - idx.entriesOf(m);
      if (mine || free > 0) {
        me = mine ? takers.size() : me;
        takers.add(m);
        rooms.add(free * 4 / Math.max(1, target)); // quarters of a share
      }
    }
    return new ShortTakers(takers, rooms, me, idx.maxReplicas());
  }

  /** How many members could take a short item (this one included). */
  int size() {
    return takers.length;
  }

  /** Whether this member is the designated taker of some short item at all (without zones). */
  boolean canBeDesignated() {
    return roomier <= maxRouteSize;
  }

  /**
   * Whether this member is the designated taker of short-staffed item {@code item} (without zones),
   * whose route {@code routeOf} gives, read only when the hashes cannot tell: a short-staffed item's
   * route never holds this member ({@link Candidates}), so it is ours when no taker outranks us on
   * it, and not when more do than its route can hold (one of them holds no entry).
   */
  boolean isMineShort(String item, Function<String, Route> routeOf) {
    return isMineShort(outranking(item), item, routeOf);
  }

  /** {@link #isMineShort(String, Function)} where {@code above} is {@link #outranking} of {@code item}. */
  boolean isMineShort(int above, String item, Function<String, Route> routeOf) {
    return above == 0 || above <= maxRouteSize && isMine(item, routeOf.apply(item));
  }

  /** Whether an item {@code above} takers outrank this member on cannot be this member's (its route too small). */
  boolean tooManyAbove(int above) {
    return above > maxRouteSize;
  }

  /** How many takers outrank this member on {@code item}, counted up to one more than a short route holds. */
  int outranking(String item) {
    return outranking(item.hashCode());
  }

  /**
   * {@link #outranking(String)} of the item whose {@code String.hashCode()} is {@code hash}: the
   * hashes alone decide (a caller drawing from {@link IndexedSet#hashAt} need not load the item).
   */
  int outranking(int hash) {
    if (roomier > maxRouteSize) {
      return roomier;
    }
    int itemHash = hash * 31;
    int mine = AllocationDecider.mix(itemHash + hashes[me]);
    int above = roomier;
    for (int t = 0; t < takers.length && above <= maxRouteSize; t++) {
      if (rooms[t] == rooms[me] && t != me && outranksMe(t, AllocationDecider.mix(itemHash + hashes[t]), mine)) {
        above++;
      }
    }
    return above;
  }

  /** Whether this member is the designated taker of {@code item}, whose route is {@code r} (without zones). */
  boolean isMine(String item, Route r) {
    return me >= 0 && takers[me].equals(designated(item, r, m -> false));
  }

  private boolean outranksMe(int t, int hash, int myHash) {
    return hash > myHash || hash == myHash && t < me;
  }

  /**
   * The designated taker of {@code item}, whose route is {@code r}, among the takers
   * {@code keptOff} does not exclude; null when there is none.
   */
  String designated(String item, Route r, Predicate<String> keptOff) {
    String best = null;
    int bestRoom = 0;
    int bestHash = 0;
    int itemHash = item.hashCode() * 31;
    for (int t = 0; t < takers.length; t++) {
      int room = rooms[t];
      if (best != null && room < bestRoom) {
        continue;
      }
      // The member with the most room first (a member rejoining empty takes what is freed
      // for it), the hash among equals.
      int h = AllocationDecider.mix(itemHash + hashes[t]);
      if ((best == null || room > bestRoom || h > bestHash) && r.index(takers[t]) < 0 && !keptOff.test(takers[t])) {
        best = takers[t];
        bestRoom = room;
        bestHash = h;
      }
    }
    return best;
  }
}
