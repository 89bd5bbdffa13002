package io.consensus.internal.allocation;

import java.util.List;

/**
 * One compare-guarded write a member decided on.
 *
 * @param kind                 create, update or release of this member's entry
 * @param item                 the item
 * @param state                the state to write (create, update); null for release
 * @param expectedModRevision  update/release: the entry's mod revision as seen (compare)
 * @param markerCreateRevision create: the item marker's create revision as seen, compared
 *                             so that a member acting on a view older than the item's
 *                             deletion cannot resurrect it; 0 means no marker guard (fixed
 *                             item, or an item that exists only through entries)
 * @param rule                 the rule that chose this action (null for a write no rule chose:
 *                             a restart moving its replicas onto the grace lease)
 * @param guards               other members' entries of the item that must still stand as
 *                             seen (same mod revision): a hand-off lets go only while the
 *                             ready replicas it counted on are still there
 * @param moved                update/release/move: whether this member's entry lives at its moved
 *                             key ({@code .../<member>/moved}) as seen
 * @param anchor               create of an item with no marker (not fixed): another member's
 *                             entry, the item's reason to exist as seen, that must still have
 *                             the create revision seen; null for none. Deleting an item takes
 *                             two requests (marker, then prefix): a member whose view lies
 *                             between them sees the item only through its entries, and without
 *                             this compare its create would outlive the prefix's deletion
 */
public record Action(Kind kind, String item, String state, long expectedModRevision, long markerCreateRevision,
    Rule rule, List<Guard> guards, boolean moved, Anchor anchor) {

  /**
   * An entry of {@code member} that must still exist with create revision {@code createRevision}
   * (at its moved key when {@code moved}): a create's proof that the item was not deleted since.
   */
  public record Anchor(String member, long createRevision, boolean moved) {
  }

  /** An action without an anchor. */
  public Action(Kind kind, String item, String state, long expectedModRevision, long markerCreateRevision,
      Rule rule, List<Guard> guards, boolean moved) {
    this(kind, item, state, expectedModRevision, markerCreateRevision, rule, guards, moved, null);
  }

  /**
   * An entry of {@code member} that must still have mod revision {@code modRevision} (at its
   * moved key when {@code moved}).
   */
  public record Guard(String member, long modRevision, boolean moved) {
    /** A guard on an entry at its plain key. */
    public Guard(String member, long modRevision) {
      this(member, modRevision, false);
    }
  }

  public Action {
    guards = List.copyOf(guards);
  }

  /** An action on an entry at its plain key. */
  public Action(Kind kind, String item, String state, long expectedModRevision, long markerCreateRevision,
      Rule rule, List<Guard> guards) {
    this(kind, item, state, expectedModRevision, markerCreateRevision, rule, guards, false);
  }

  /** What an action does to this member's entry. */
  public enum Kind {
    /** Take an entry: compare "entry create revision is 0". */
    CREATE,
    /** Rewrite the entry's state: compare "entry mod revision as seen". */
    UPDATE,
    /** Delete the entry: compare "entry mod revision as seen". */
    RELEASE,
    /**
     * Move the entry behind the others without giving it up: delete its key and create the other
     * key of its pair with the same state, in one transaction (one revision). Compare "entry mod
     * revision as seen" and the guards. A master moving behind its ready replicas hands
     * mastership to the first of them in place.
     */
    MOVE
  }

  static Action create(String item, String state, long markerCreateRevision, Anchor anchor, Rule rule) {
    return new Action(Kind.CREATE, item, state, 0, markerCreateRevision, rule, List.of(), false, anchor);
  }

  static Action update(String item, String state, long modRevision, boolean moved, Rule rule) {
    return new Action(Kind.UPDATE, item, state, modRevision, 0, rule, List.of(), moved);
  }

  static Action release(String item, long modRevision, boolean moved, Rule rule, List<Guard> guards) {
    return new Action(Kind.RELEASE, item, null, modRevision, 0, rule, guards, moved);
  }

  static Action move(String item, String state, long modRevision, boolean moved, Rule rule, List<Guard> guards) {
    return new Action(Kind.MOVE, item, state, modRevision, 0, rule, guards, moved);
  }
}
