package io.consensus.allocation;

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
 *                             deletion cannot resurrect it; 0 means no guard (fixed item,
 *                             or an item that exists only through entries)
 * @param rule                 the rule (1-10 of the protocol) that chose this action
 * @param guards               other members' entries of the item that must still stand as
 *                             seen (same mod revision): a hand-off lets go only while the
 *                             ready replicas it counted on are still there
 */
public record Action(Kind kind, String item, String state, long expectedModRevision, long markerCreateRevision,
    int rule, List<Guard> guards) {

  /** An entry of {@code member} that must still have mod revision {@code modRevision}. */
  public record Guard(String member, long modRevision) {
  }

  public Action {
    guards = List.copyOf(guards);
  }

  /** What an action does to this member's entry. */
  public enum Kind {
    /** Take an entry: compare "entry create revision is 0". */
    CREATE,
    /** Rewrite the entry's state: compare "entry mod revision as seen". */
    UPDATE,
    /** Delete the entry: compare "entry mod revision as seen". */
    RELEASE
  }

  static Action create(String item, String state, long markerCreateRevision, int rule) {
    return new Action(Kind.CREATE, item, state, 0, markerCreateRevision, rule, List.of());
  }

  static Action update(String item, String state, long modRevision, int rule) {
    return new Action(Kind.UPDATE, item, state, modRevision, 0, rule, List.of());
  }

  static Action release(String item, long modRevision, int rule, List<Guard> guards) {
    return new Action(Kind.RELEASE, item, null, modRevision, 0, rule, guards);
  }
}
