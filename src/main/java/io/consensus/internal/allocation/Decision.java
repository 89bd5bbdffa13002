package io.consensus.internal.allocation;

import java.util.List;

/**
 * The outcome of one decision round.
 *
 * @param outcome what to do
 * @param actions the writes to make (ACT and TAKE_AFTER_BACKOFF), all chosen by one rule
 * @param rule    the rule that applied (null when none)
 */
public record Decision(Outcome outcome, List<Action> actions, Rule rule) {

  /** Kinds of decisions. */
  public enum Outcome {
    /** Make the writes in {@link #actions()}. */
    ACT,
    /**
     * Deadlock avoidance ({@link Rule#TAKE_AFTER_BACKOFF}, {@link Rule#FORCED_HANDOFF}): make the
     * writes after a short randomized back-off, unless the view changes meanwhile, so that
     * members that actually want more win the race.
     */
    TAKE_AFTER_BACKOFF,
    /** Nothing to do until the next change. */
    IDLE,
    /** Member key gone and no entries held: revoke the lease; the run is complete. */
    DONE
  }

  public Decision {
    actions = List.copyOf(actions);
  }

  /**
   * Whether this decision publishes stale local states ({@link Rule#updatesState()}); when not,
   * every state candidate was checked and none is stale (those rules come first).
   */
  public boolean updatesState() {
    return rule != null && rule.updatesState();
  }

  static final Decision IDLE = new Decision(Outcome.IDLE, List.of(), null);
  static final Decision DONE = new Decision(Outcome.DONE, List.of(), null);

  static Decision act(Rule rule, List<Action> actions) {
    return new Decision(Outcome.ACT, actions, rule);
  }
}
