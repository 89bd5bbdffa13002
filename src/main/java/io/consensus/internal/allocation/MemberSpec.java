package io.consensus.internal.allocation;

/**
 * What a member declares about itself in its member key (and what operators declare about it):
 * its fault zone, the most entries it may hold, its share of masters, and whether it is drained.
 *
 * @param zone      the member's zone, null when none
 * @param itemLimit most entries (master or replica) it may hold, {@link #NO_LIMIT} when unbounded
 * @param weight    its share of masters relative to the others (positive, default 1)
 * @param drained   whether it takes nothing and hands off everything it holds
 */
public record MemberSpec(String zone, int itemLimit, double weight, boolean drained) {
  /** {@link #itemLimit} of a member without a limit. */
  public static final int NO_LIMIT = -1;
  /** A member that declares nothing: no zone, no limit, weight 1, not drained. */
  public static final MemberSpec DEFAULT = new MemberSpec(null, NO_LIMIT, 1.0, false);

  public MemberSpec {
    if (itemLimit < NO_LIMIT) {
      throw new IllegalArgumentException("itemLimit must be >= 0 or NO_LIMIT, was " + itemLimit);
    }
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("weight must be a positive number, was " + weight);
    }
  }

  /** Whether {@link #itemLimit} bounds this member. */
  public boolean limited() {
    return itemLimit != NO_LIMIT;
  }

  /** This spec, drained (or not). */
  public MemberSpec withDrained(boolean d) {
    return d == drained ? this : new MemberSpec(zone, itemLimit, weight, d);
  }

  /** Whether the member may hold anything at all. */
  public boolean active() {
    return !drained && itemLimit != 0;
  }
}
