package io.consensus.allocation;

import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * The allocation rules: given one member's {@link AllocationIndex} and its local item states,
 * decides what to write next. Pure and deterministic for a given {@link Random}.
 *
 * <p>Rules, the first that applies wins (rule 1, keeping the lease alive, lives outside):
 * <ol start="2">
 *   <li>update a mastered entry whose stored state differs from the local state;</li>
 *   <li>update a replica entry likewise;</li>
 *   <li>release an extra entry;</li>
 *   <li>more masters than wanted: release a mastered item ready for hand-off;</li>
 *   <li>member key gone: release a replica entry;</li>
 *   <li>fewer masters than wanted: take an item with no entries;</li>
 *   <li>fewer entries than wanted: take an item with fewer than R+1 entries;</li>
 *   <li>exactly the wanted masters but too many entries: release a mastered item ready for
 *       hand-off (deadlock avoidance);</li>
 *   <li>not over the master target, items short of replicas that this member does not hold,
 *       member key present: take one more after a randomized back-off, so that members that
 *       want more win the race (deadlock avoidance).</li>
 * </ol>
 * With {@code maxBatch > 1} a rule that applies to several items acts on up to that many at
 * once (never more than its target gap); with 1 it behaves exactly like the seed, one action
 * per round.
 */
public final class AllocationDecider {
  private final int maxBatch;

  /** @param maxBatch most actions per decision (1 = seed-faithful; etcd allows 128 ops per txn) */
  public AllocationDecider(int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    this.maxBatch = maxBatch;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /**
   * Decides the next round.
   *
   * @param idx        the member's view
   * @param localState the application's current state of a held item
   * @param rnd        source of the random choices among candidates
   */
  public Decision decide(AllocationIndex idx, Function<String, String> localState, Random rnd) {
    return decide(idx, localState, rnd, null);
  }

  /**
   * Decides the next round, checking rules 2 and 3 (stale local state) only for
   * {@code stateCandidates}: the held items whose stored or local state may have changed since
   * the last round that found none stale (items a watch event touched, states the application
   * reported, ...). Everything else costs work proportional to the touched items, not to all
   * held items; the caller passes {@code null} now and then (its state-check tick) to re-read
   * every held item's local state.
   *
   * @param stateCandidates items to check for stale state, or null to check every held item
   */
  public Decision decide(AllocationIndex idx, Function<String, String> localState, Random rnd,
      Collection<String> stateCandidates) {
    List<Action> out = new ArrayList<>();
    // 2, 3: publish local state changes.
    for (String item : stateCandidates == null ? idx.myMasters.all() : stateCandidates) {
      if (stateCandidates == null || idx.myMasters.contains(item)) {
        staleState(idx, item, localState, 2, out);
      }
    }
    if (!out.isEmpty()) {
      return Decision.act(2, out);
    }
    for (String item : stateCandidates == null ? idx.myReplicas.all() : stateCandidates) {
      if (stateCandidates == null || idx.myReplicas.contains(item)) {
        staleState(idx, item, localState, 3, out);
      }
    }
    if (!out.isEmpty()) {
      return Decision.act(3, out);
    }
    // 4: extras lost a race.
    if (!idx.myExtras.isEmpty()) {
      return release(idx, idx.myExtras.sample(maxBatch, rnd), 4);
    }
    Targets want = idx.targets();
    int masters = idx.mastersHeld();
    int total = masters + idx.replicasHeld();
    // 5: hand off surplus masters, only to ready replicas.
    if (masters > want.masters() && !idx.myReadyMasters.isEmpty()) {
      return release(idx, handOffCandidates(idx, batch(masters - want.masters()), rnd), 5);
    }
    // 6: shutting down: drop replicas.
    if (!idx.memberPresent() && !idx.myReplicas.isEmpty()) {
      return release(idx, idx.myReplicas.sample(maxBatch, rnd), 6);
    }
    // 7: take unowned items to reach the master target.
    if (masters < want.masters() && !idx.empty.isEmpty()) {
      return create(idx, idx.empty.sample(batch(want.masters() - masters), rnd), localState, 7);
    }
    // 8: take short-staffed items that have a master.
    if (total < want.total()) {
      List<String> picks = pickShort(idx, batch(want.total() - total), rnd);
      if (!picks.isEmpty()) {
        return create(idx, picks, localState, 8);
      }
    }
    // 9: deadlock avoidance: at the master target but over the total.
    if (masters == want.masters() && total > want.total() && !idx.myReadyMasters.isEmpty()) {
      return release(idx, handOffCandidates(idx, 1, rnd), 9);
    }
    // 10: deadlock avoidance: items are short of replicas that no member wanting more can
    // fill (each already holds them): a member not over its master target takes one more
    // after a back-off, so that members that do want more win the race. Over its total
    // target too: totals that drift above target after the fleet shrinks must not leave
    // items short for good (seen after a crash at 10,000 items x 10 members).
    if (idx.memberPresent() && masters <= want.masters()) {
      List<String> picks = pickShort(idx, 1, rnd);
      if (!picks.isEmpty()) {
        Decision d = create(idx, picks, localState, 10);
        return new Decision(Decision.Outcome.TAKE_AFTER_BACKOFF, d.actions(), 10);
      }
    }
    if (!idx.memberPresent() && idx.entriesHeld() == 0) {
      return Decision.DONE;
    }
    return Decision.IDLE;
  }

  private int batch(int gap) {
    return Math.min(gap, maxBatch);
  }

  private void staleState(AllocationIndex idx, String item, Function<String, String> localState, int rule,
      List<Action> out) {
    if (out.size() >= maxBatch) {
      return;
    }
    ItemSummary s = idx.summary(item);
    String state = localState.apply(item);
    if (state != null && !state.equals(s.myEntry().state())) {
      out.add(Action.update(item, state, s.myEntry().modRevision(), rule));
    }
  }

  /**
   * Short-staffed items that already have a master. Items with no entry at all are left to
   * rule 7: taking one here would make this member a master beyond its target, which rule 5
   * would later have to hand off again (measured: a third more actions in the seed's
   * extended deadlock scenario).
   */
  private static List<String> pickShort(AllocationIndex idx, int k, Random rnd) {
    return idx.shortStaffed.sample(k, rnd);
  }

  /**
   * Up to {@code k} ready masters to hand off, preferring items whose first replica (the
   * member that will be promoted) masters the fewest items, so that mastership flows to
   * members that want it instead of bouncing between members that are all over target.
   * Random among equals.
   */
  private static List<String> handOffCandidates(AllocationIndex idx, int k, Random rnd) {
    List<String> all = new ArrayList<>(idx.myReadyMasters.all());
    if (all.size() <= k) {
      return all;
    }
    java.util.Collections.shuffle(all, rnd);
    Map<String, Integer> successorLoad = new HashMap<>();
    for (String item : all) {
      List<RouteEntry> entries = idx.summary(item).route().entries();
      successorLoad.put(item, entries.size() > 1 ? idx.mastersOf(entries.get(1).member()) : Integer.MAX_VALUE);
    }
    all.sort(Comparator.comparingInt(successorLoad::get));
    return all.subList(0, k);
  }

  private static Decision release(AllocationIndex idx, List<String> items, int rule) {
    List<Action> out = new ArrayList<>(items.size());
    for (String item : items) {
      ItemSummary s = idx.summary(item);
      List<RouteEntry> entries = s.route().entries();
      List<Action.Guard> guards = new ArrayList<>();
      if (s.myIndex() == 0) {
        // A master hands off: the replicas it counted on must still stand as seen, or a
        // replica released concurrently would leave the item short.
        guard(entries, 1, idx.replicas(), guards);
      } else if (s.myIndex() > idx.replicas()) {
        // An extra lets go: the R+1 entries ahead of it must still stand, or it may already
        // be a replica (a master ahead handed off meanwhile) and its release would leave the
        // item short. Seen in a rolling restart at 1,000 items x 10 members.
        guard(entries, 0, idx.replicas(), guards);
      } else {
        // A replica lets go (its member is leaving): the entries ahead of it must still stand,
        // or the master may have handed off to it meanwhile and the item would go masterless.
        // Found by bench/chaos: a SIGTERMed member released its replica in the revision after
        // the master had handed the item to it.
        guard(entries, 0, s.myIndex() - 1, guards);
      }
      out.add(Action.release(item, s.myEntry().modRevision(), rule, guards));
    }
    return Decision.act(rule, out);
  }

  private static void guard(List<RouteEntry> entries, int from, int to, List<Action.Guard> guards) {
    for (int i = from; i <= to && i < entries.size(); i++) {
      // An entry that is only a directory of deeper keys has no key of its own to compare.
      if (entries.get(i).modRevision() > 0) {
        guards.add(new Action.Guard(entries.get(i).member(), entries.get(i).modRevision()));
      }
    }
  }

  private static Decision create(AllocationIndex idx, List<String> items, Function<String, String> localState,
      int rule) {
    List<Action> out = new ArrayList<>(items.size());
    for (String item : items) {
      ItemSummary s = idx.summary(item);
      String state = localState.apply(item);
      out.add(Action.create(item, state == null ? "" : state, s.fixed() ? 0 : s.markerCreateRevision(), rule));
    }
    return Decision.act(rule, out);
  }
}
