package io.consensus.internal.allocation;

import io.consensus.internal.route.Names;
import io.consensus.route.Route;
import io.consensus.tree.Node;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who the members are in one view of {@code ROOT/members}: how many, whether this member's key
 * is present (on its lease), its seniority, and the keys that are no members (no lease).
 * Re-derived only when the members node changes.
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
final class Membership {
  private final String member;
  private final long lease;
  private Node members;
  private int count;
  private int rank = -1;
  private boolean present;
  private Set<String> leaseless = Set.of();

  /**
   * @param member this member's name
   * @param lease  this member's lease (its key counts only on it), 0 to accept any
   */
  Membership(String member, long lease) {
    this.member = member;
    this.lease = lease;
  }

  /** Reads {@code newMembers} (the members node of a new tree); returns whether it changed. */
  boolean read(Node newMembers) {
    boolean changed = newMembers != members;
    members = newMembers;
    Node me = newMembers == null ? null : newMembers.child(member);
    // A key of our name on another lease is another incarnation's (a restart that already
    // created it while we hand off): not ours, so we keep leaving.
    present = me != null && me.hasValue() && (lease == 0 || me.lease() == lease);
    if (changed) {
      Set<String> without = new TreeSet<>();
      count = newMembers == null ? 0 : countValid(newMembers, without);
      leaseless = without;
      rank = present ? rankOf(newMembers) : -1;
    }
    return changed;
  }

  /** The members node read last (null when none). */
  Node node() {
    return members;
  }

  /** The member key of {@code name}, null when absent. */
  Node key(String name) {
    return members == null ? null : members.child(name);
  }

  /** M: valid member keys present. */
  int count() {
    return count;
  }

  /** This member's seniority among present members (0 = earliest), -1 when its key is gone. */
  int rank() {
    return rank;
  }

  /** Whether this member's key is present (on its lease, when one was given). */
  boolean present() {
    return present;
  }

  /** Names whose member key holds no lease. */
  Set<String> leaseless() {
    return Collections.unmodifiableSet(leaseless);
  }

  /**
   * Whether the replicas a hand-off would rely on (the first {@code r} after the master) still
   * hold their member keys: a replica whose member is shutting down is about to release its entry
   * and must not be counted.
   */
  boolean replicasStay(Route route, int r) {
    for (int i = 1; i <= r && i < route.size(); i++) {
      Node m = key(route.entries().get(i).member());
      if (m == null || !isMember(m)) {
        return false;
      }
    }
    return true;
  }

  /** This member's seniority: how many valid member keys were created before ours. */
  private int rankOf(Node nodes) {
    Node me = nodes.child(member);
    long mine = me.ownCreateRevision();
    int[] before = {0};
    nodes.forEachChild(c -> {
      if (isMember(c) && (c.ownCreateRevision() < mine
          || c.ownCreateRevision() == mine && c.name().compareTo(member) < 0)) {
        before[0]++;
      }
    });
    return before[0];
  }

  private static int countValid(Node nodes, Set<String> leaseless) {
    int[] n = {0};
    nodes.forEachChild(c -> {
      if (isMember(c)) {
        n[0]++;
      } else if (c.hasValue() && Names.isValid(c.name())) {
        leaseless.add(c.name());
      }
    });
    return n[0];
  }

  /**
   * Whether a child of {@code ROOT/members} is a member: a valid name holding a value on a
   * lease. A member key without a lease (written by hand) belongs to no process: it would
   * never take its share, so counting it would leave targets short of the items and the
   * fleet handing surplus masters around forever.
   */
  static boolean isMember(Node c) {
    return c.hasValue() && c.lease() != 0 && Names.isValid(c.name());
  }
}
