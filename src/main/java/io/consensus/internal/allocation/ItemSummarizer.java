package io.consensus.internal.allocation;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.tree.Node;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Reads one item's node into its {@link ItemSummary} from this member's point of view: its route,
 * R, this member's entry (its own, adoptable or foreign) and whether it is ready for hand-off.
 * Pure: the same node, members and restart lease give the same summary.
 */
final class ItemSummarizer {
  private final String member;
  private final long lease;
  private final int replicas;
  private final Set<String> fixedItems;
  private final BiPredicate<String, String> readyForPromotion;

  /**
   * @param member            this member's name
   * @param lease             this member's lease (only entries on it are its own), 0 to accept any
   * @param replicas          the fleet's R
   * @param fixedItems        items that always exist
   * @param readyForPromotion whether a replica's state allows promoting it (item, state)
   */
  ItemSummarizer(String member, long lease, int replicas, Set<String> fixedItems,
      BiPredicate<String, String> readyForPromotion) {
    this.member = member;
    this.lease = lease;
    this.replicas = replicas;
    this.fixedItems = fixedItems;
    this.readyForPromotion = readyForPromotion;
  }

  /**
   * The summary of {@code item} whose node is {@code node} (null when absent), null when the item
   * does not exist.
   *
   * @param restartLease  the lease of this member's declared restart (its entries are adoptable), 0 when none
   * @param members       who the members are (a hand-off counts only replicas that stay)
   * @param specs         reads an item marker's replica count
   * @param fixedReplicas replica counts of fixed items that differ from the fleet's R
   */
  ItemSummary summarize(String item, Node node, long restartLease, Membership members, SpecReader specs,
      Map<String, Integer> fixedReplicas) {
    return summarize(item, fixedItems.contains(item), node, restartLease, members, specs, fixedReplicas);
  }

  /**
   * {@link #summarize(String, Node, long, Membership, SpecReader, Map)} of an item whose being fixed is
   * known (from its last summary: the fixed items never change), without asking the set again.
   */
  ItemSummary summarize(String item, boolean fixed, Node node, long restartLease, Membership members,
      SpecReader specs, Map<String, Integer> fixedReplicas) {
    if (node == null && !fixed) {
      return null;
    }
    Route route = Route.of(item, node);
    long marker = node != null && node.hasValue() ? node.ownCreateRevision() : 0;
    int index = route.index(member);
    RouteEntry mine = null;
    boolean adoptable = false;
    if (index >= 0) {
      RouteEntry e = route.entries().get(index);
      // A directory of deeper keys named like us was written out of band: not our entry
      // (it has no key of its own: mod revision 0). So is an entry on another lease (an
      // earlier incarnation's, doomed to expire), unless that incarnation declared a restart
      // and left it on the declared lease for us to adopt.
      boolean key = e.modRevision() > 0;
      mine = key && (lease == 0 || e.lease() == lease) ? e : null;
      adoptable = key && mine == null && restartLease != 0 && e.lease() == restartLease;
    }
    int r = replicasOf(item, node, fixed, specs, fixedReplicas);
    boolean ready = index == 0 && route.isReadyForHandoff(r, readyForPromotion) && members.replicasStay(route, r);
    boolean foreign = index >= 0 && mine == null && !adoptable && route.entries().get(index).modRevision() > 0;
    return new ItemSummary(route, fixed, marker, index, mine != null, ready, adoptable, r, foreign);
  }

  /** Whether {@code state} of {@code item} allows promoting its holder. */
  boolean ready(String item, String state) {
    return readyForPromotion.test(item, state);
  }

  /** Whether this member's entry of {@code s} holds a state not ready for promotion (a load in progress). */
  boolean loading(ItemSummary s) {
    return s.mine() && !readyForPromotion.test(s.item(), s.myEntry().state());
  }

  /**
   * R of {@code item}: what its marker's value asks for, else its configured replicas as a fixed
   * item, else the fleet's R.
   */
  private int replicasOf(String item, Node node, boolean fixed, SpecReader specs, Map<String, Integer> fixedReplicas) {
    if (node != null && node.hasValue() && !node.value().isBlank()) {
      int r = specs.replicas(item, node.value());
      if (r >= 0) {
        return r;
      }
    }
    Integer f = fixed ? fixedReplicas.get(item) : null;
    return f != null ? f : replicas;
  }
}
