package io.consensus.internal.member;

import io.consensus.route.MemberInfo;
import io.consensus.route.RoutingTable;
import io.consensus.tree.KeyTree;
import io.consensus.tree.TouchedNodes;
import java.util.Map;

/**
 * The fleet's {@link RoutingTable} as a member's view shows it, kept per applied watch update
 * by the same step a spectator uses ({@link RoutingTable#update}, per touched item; a rebuild
 * after a snapshot): what the member's status page and {@code AllocatorVerticle.routingTable()}
 * read, never rebuilt per request. Written on the allocator's context, read from any thread.
 */
public final class LiveRoutingTable {
  /** Items looked at per step. */
  private static final int STEP = 256;

  private volatile RoutingTable current;

  public LiveRoutingTable(RoutingTable empty) {
    this.current = empty;
  }

  /** The table of the latest tree brought in (immutable). */
  public RoutingTable current() {
    return current;
  }

  /**
   * Work that brings the table to {@code tree}, the member's view after one watch update, a
   * step at a time; the update's routes are told once it is done (so a reader woken by a route
   * change finds the table at least at its revision). Runs in the order of the updates (each
   * starts from the table the one before made).
   *
   * @param members every known member as of {@code tree} (an immutable snapshot)
   * @param touched the items the update touched with their nodes (its patch's), or null after a
   *                snapshot (every item is looked at)
   */
  public LoopSlices.Job follow(KeyTree tree, Map<String, MemberInfo> members, TouchedNodes touched) {
    return new LoopSlices.Job() {
      private RoutingTable.Update update;

      @Override
      public boolean step() {
        if (update == null) {
          RoutingTable from = current;
          update = touched == null ? from.rebuild(tree, members) : from.update(tree,
              members == from.members() || members.equals(from.members()) ? from.members() : members, touched);
        }
        if (!update.step(STEP)) {
          return false;
        }
        current = update.table();
        return true;
      }

    };
  }
}
