package io.consensus.internal.allocation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

/**
 * The targets of every present member at once, from their {@link MemberSpec}s: masters shared by
 * weight, entries shared evenly, both capped by each member's item limit; drained members and
 * members with a limit of 0 want nothing. With every spec at its default these are exactly the
 * shares {@link Targets} describes, with the same seniority tie-break.
 *
 * <p>Masters: the N masters are shared in proportion to the weights; a member whose share would
 * pass its limit gets its limit and the rest is shared among the others again (water-filling);
 * the remainder of the integer division goes to the largest fractions, ties to seniority.
 * Entries: every uncapped member wants {@code ceil(S / (M * s)) * s} of the S slots, where
 * {@code s = ceil(S / N)} is the slots per item (R + 1 when every item has the fleet's R); capped
 * members want their limit, and never fewer than their masters.
 *
 * <p>{@link #unattainableSlots()}: how many of the slots the fleet could staff (each item at most
 * one entry per active member) exceed the sum of the active members' limits. Only limits (and
 * drains) make this non-zero.
 */
public final class TargetShares {
  /** A present member in seniority order and its spec. */
  public record Candidate(String name, MemberSpec spec) {
  }

  private static final TargetShares NONE = new TargetShares(Map.of(), 0, false);

  private final Map<String, Targets> targets;
  private final long unattainable;
  private final boolean zoned;

  private TargetShares(Map<String, Targets> targets, long unattainable, boolean zoned) {
    this.targets = targets;
    this.unattainable = unattainable;
    this.zoned = zoned;
  }

  /**
   * @param seniority      present members, earliest member key first
   * @param items          N, existing items
   * @param slots          S, the entries all items want: the sum of their R + 1
   * @param slotsCappedAt  the slots wanted when no item can have more than the given number of entries
   */
  public static TargetShares of(List<Candidate> seniority, int items, long slots, IntToLongFunction slotsCappedAt) {
    if (seniority.isEmpty()) {
      return NONE;
    }
    int m = seniority.size();
    int[] masters = new int[m];
    long[] totals = new long[m];
    List<Integer> active = new ArrayList<>();
    long capacity = 0;
    boolean zoned = false;
    for (int i = 0; i < m; i++) {
      MemberSpec s = seniority.get(i).spec();
      zoned |= s.zone() != null;
      if (s.active()) {
        active.add(i);
        capacity += s.limited() ? Math.min(s.itemLimit(), items) : items;
      }
    }
    if (items > 0 && !active.isEmpty()) {
      shareMasters(seniority, active, items, masters);
      shareSlots(seniority, active, items, slots, totals);
    }
    Map<String, Targets> out = new LinkedHashMap<>();
    for (int i = 0; i < m; i++) {
      long t = Math.max(totals[i], masters[i]);
      out.put(seniority.get(i).name(), new Targets(masters[i], (int) Math.min(Integer.MAX_VALUE, t)));
    }
    long wanted = active.isEmpty() || items == 0 ? 0 : slotsCappedAt.applyAsLong(active.size());
    return new TargetShares(Collections.unmodifiableMap(out), Math.max(0, wanted - capacity), zoned);
  }

  private static long cap(MemberSpec s, long unbounded) {
    return s.limited() ? Math.min(s.itemLimit(), unbounded) : unbounded;
  }

  private static void shareMasters(List<Candidate> seniority, List<Integer> active, int items, int[] masters) {
    List<Integer> free = new ArrayList<>(active);
    long remaining = items;
    boolean capped = true;
    while (capped && !free.isEmpty()) {
      capped = false;
      double w = weight(seniority, free);
      for (int i : free) {
        MemberSpec s = seniority.get(i).spec();
        long c = cap(s, items);
        if (remaining * s.weight() / w > c) {
          masters[i] = (int) c;
          remaining -= c;
          free.remove(Integer.valueOf(i));
          capped = true;
          break;
        }
      }
    }
    if (free.isEmpty() || remaining <= 0) {
      return;
    }
    double w = weight(seniority, free);
    long given = 0;
    double[] frac = new double[masters.length];
    for (int i : free) {
      double share = remaining * seniority.get(i).spec().weight() / w;
      masters[i] = (int) Math.floor(share);
      frac[i] = share - masters[i];
      given += masters[i];
    }
    List<Integer> order = new ArrayList<>(free);
    // Largest fraction first; equal fractions (equal weights) by seniority.
    order.sort((a, b) -> frac[a] != frac[b] ? Double.compare(frac[b], frac[a]) : Integer.compare(a, b));
    long left = remaining - given;
    boolean progress = true;
    while (left > 0 && progress) {
      progress = false;
      for (int i : order) {
        if (left > 0 && masters[i] < cap(seniority.get(i).spec(), items)) {
          masters[i]++;
          left--;
          progress = true;
        }
      }
    }
  }

  private static void shareSlots(List<Candidate> seniority, List<Integer> active, int items, long slots,
      long[] totals) {
    long perItem = (slots + items - 1) / items;
    List<Integer> free = new ArrayList<>(active);
    long remaining = slots;
    while (!free.isEmpty()) {
      long per = remaining <= 0 ? 0 : ceilDiv(remaining, free.size() * perItem) * perItem;
      Integer cappedAt = null;
      for (int i : free) {
        MemberSpec s = seniority.get(i).spec();
        if (s.limited() && per > s.itemLimit()) {
          cappedAt = i;
          break;
        }
      }
      if (cappedAt == null) {
        for (int i : free) {
          totals[i] = per;
        }
        return;
      }
      totals[cappedAt] = seniority.get(cappedAt).spec().itemLimit();
      remaining -= totals[cappedAt];
      free.remove(cappedAt);
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static double weight(List<Candidate> seniority, List<Integer> members) {
    double w = 0;
    for (int i : members) {
      w += seniority.get(i).spec().weight();
    }
    return w;
  }

  /** The targets of present member {@code member}, null when it is not present. */
  public Targets of(String member) {
    return targets.get(member);
  }

  /** Every present member's targets, in seniority order. */
  public Map<String, Targets> all() {
    return targets;
  }

  /** Whether any present member declares a zone. */
  public boolean zoned() {
    return zoned;
  }

  /** Slots the fleet wants but its members' limits leave no room for (0 without limits). */
  public long unattainableSlots() {
    return unattainable;
  }
}
