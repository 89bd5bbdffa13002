package io.consensus.internal.allocation;

/**
 * The allocation rules, declared in the order {@link AllocationDecider} evaluates them: the first
 * that applies wins. Logs, events and tests name a rule by its constant; {@link #legacyId()} is
 * the number the rule had before it had a name (rules were numbered by age, not by order), kept
 * only to read older logs, benchmark notes and the design history (0 for rules that never had one).
 */
public enum Rule {
  /** Adopt the entries a previous incarnation left on its declared restart lease. */
  ADOPT(1),
  /** Rewrite a mastered entry whose stored state differs from the application's. */
  UPDATE_MASTER_STATE(2),
  /** Rewrite a replica entry whose stored state differs from the application's. */
  UPDATE_REPLICA_STATE(3),
  /** Release an extra entry (index beyond R): it lost a race. */
  RELEASE_EXTRA(4),
  /** Over the master target: hand a ready master off, in place behind its replicas when staying. */
  HAND_OFF_MASTER(5),
  /** Member key gone, not restarting: release a replica (guarded). */
  RELEASE_LEAVING_REPLICA(6),
  /** Drained and without masters: let replicas go as a leaving member does. */
  DRAIN(15),
  /** A first replica at its master share steps behind a replica that wants masters. */
  STEP_ASIDE(11),
  /** Under the master target: take an item with no entries. */
  TAKE_MASTERLESS(7),
  /** At the item limit with items masterless: let a replica go to make room for a master. */
  MAKE_ROOM(14),
  /** Under the total target: take short-staffed items that have a master, own designated first. */
  TAKE_SHORT(8),
  /** Zone swap, last step: over the total target, release a replica a ready extra (of the swap) stands behind. */
  ZONE_SWAP_SETTLE(0),
  /** Zone swap, middle step: release a copy doubled in a zone behind an offer, take an extra of the exchanged item. */
  ZONE_SWAP_TRADE(0),
  /** Over the total target: release a replica a member with room can take. */
  SURPLUS_REPLICA(12),
  /** Zones: a replica doubled in a zone goes when a zone the route lacks has room. */
  ZONE_SPREAD(16),
  /** Zone swap, first step: at the targets, take an extra of an item doubled in a zone that lacks this member's. */
  ZONE_SWAP_OFFER(0),
  /** At the master target but over the total target: release a ready master. */
  RELEASE_MASTER_OVER_TOTAL(9),
  /** Items short that no member with room can fill: take one more after a random back-off. */
  TAKE_AFTER_BACKOFF(10),
  /** Over the master target with no successor that wants masters: hand off anyway, after a back-off. */
  FORCED_HANDOFF(13),
  /**
   * A quiet fleet only: a first replica steps behind the replica after it in place when it stands
   * first behind that master at least two more times than the one after it, so that a crash of the
   * master promotes evenly.
   */
  NEXT_IN_LINE(17);

  private final int legacyId;

  Rule(int legacyId) {
    this.legacyId = legacyId;
  }

  /** The rule's number before it had a name (numbered by age); only for reading older records. */
  public int legacyId() {
    return legacyId;
  }

  /** Whether this rule publishes local state changes (its actions are state updates, not moves of entries). */
  public boolean updatesState() {
    return this == UPDATE_MASTER_STATE || this == UPDATE_REPLICA_STATE;
  }
}
