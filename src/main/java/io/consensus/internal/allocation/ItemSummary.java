package io.consensus.internal.allocation;

import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;

/**
 * What the rules need to know about one item, from one member's point of view.
 *
 * @param route                the item's route
 * @param fixed                whether the item is a configured fixed item (needs no marker guard)
 * @param markerCreateRevision create revision of the item marker, 0 when there is none
 * @param myIndex              this member's position in the route, -1 when none
 * @param mine                 whether the entry at {@code myIndex} is this member's own entry key
 *                             ({@link #myEntry()}); an entry of this member's name that only exists
 *                             as a directory of deeper keys (written out of band) is not its own
 * @param readyForHandoff      whether the master may hand off (R ready replicas)
 * @param adoptable            whether this member's name holds an entry on the lease of its
 *                             declared restart, which it may adopt (see {@code ROOT/restarts})
 * @param replicas             R of this item: its marker's {@code {"replicas": N}}, its configured
 *                             replicas as a fixed item, or the fleet's R
 * @param foreign              whether this member's name holds an entry on another lease that it
 *                             may not adopt (an earlier incarnation's, still stopping or doomed)
 */
public record ItemSummary(Route route, boolean fixed, long markerCreateRevision, int myIndex, boolean mine,
    boolean readyForHandoff, boolean adoptable, int replicas, boolean foreign) {
  // Compact on purpose (one per item, 1M items per member): the entry and the role are derived.

  /** This member's own entry, null when it holds none (a new value on each call). */
  public RouteEntry myEntry() {
    return mine ? route.entries().get(myIndex) : null;
  }

  /** This member's role. */
  public Role role() {
    return Role.of(myIndex, replicas);
  }

  public String item() {
    return route.item();
  }

  public int size() {
    return route.size();
  }
}
