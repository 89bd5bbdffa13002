package io.consensus.internal.allocation;

import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * The allocation rules: given one member's {@link AllocationIndex} and its local item states,
 * decides what to write next. Deterministic for a given {@link Random}; no I/O (its only state is
 * its configuration and whether the member is restarting).
 *
 * <p>The rules are the constants of {@link Rule}, declared in the order they are evaluated here;
 * the first that applies wins (keeping the lease alive lives outside). Placement
 * ({@link TargetShares}, {@link PlacementConstraints}): targets follow the members' specs; no take passes a
 * member's item limit (a drained member takes nothing); a drained member hands its masters off in
 * place to any ready first replica ({@link Rule#HAND_OFF_MASTER}). While {@code ROOT/maintenance}
 * exists a member that stays makes no balancing move ({@link Rule#HAND_OFF_MASTER},
 * {@link Rule#DRAIN}, {@link Rule#STEP_ASIDE}, {@link Rule#MAKE_ROOM}, {@link Rule#SURPLUS_REPLICA},
 * {@link Rule#ZONE_SPREAD}, the zone swap rules, {@link Rule#RELEASE_MASTER_OVER_TOTAL}, {@link Rule#FORCED_HANDOFF},
 * {@link Rule#NEXT_IN_LINE}).
 * Zones ({@link ZoneSpread}): takes skip items whose route has this member's zone while a zone it
 * lacks has room; when every member is at its targets, a copy doubled in a zone moves by a pairwise
 * exchange ({@link ZoneSwap}). Loading throttle ({@link #maxLoadingEntries}): {@link Rule#TAKE_SHORT} and
 * {@link Rule#TAKE_AFTER_BACKOFF} take no more than the room left under the member's entries not
 * yet ready. With {@code maxBatch > 1} a rule that applies to several items acts on up to that
 * many at once (never more than its target gap); with 1, one action per round, as the Go package.
 */
public final class AllocationDecider {
  private final int maxBatch;
  private final int maxLoadingEntries;
  private final boolean restarting;

  /** @param maxBatch most actions per decision (1: one action per round; etcd allows 128 ops per txn) */
  public AllocationDecider(int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    this.maxBatch = maxBatch;
    this.maxLoadingEntries = Integer.MAX_VALUE;
    this.restarting = false;
  }

  private AllocationDecider(int maxBatch, int maxLoadingEntries, boolean restarting) {
    this.maxBatch = maxBatch;
    this.maxLoadingEntries = maxLoadingEntries;
    this.restarting = restarting;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /**
   * Decides the next round, checking the state rules ({@link Rule#UPDATE_MASTER_STATE},
   * {@link Rule#UPDATE_REPLICA_STATE}) only for
   * {@code stateCandidates}: the held items whose stored or local state may have changed since
   * the last round that found none stale (items a watch event touched, states the application
   * reported, ...). Everything else costs work proportional to the touched items, not to all
   * held items; the caller passes {@code null} now and then (its state-check tick) to re-read
   * every held item's local state.
   *
   * @param idx             the member's view
   * @param localState      the application's current state of a held item
   * @param rnd             source of the random choices among candidates
   * @param stateCandidates items to check for stale state, or null to check every held item
   */
  public Decision decide(AllocationIndex idx, Function<String, String> localState, Random rnd,
      Collection<String> stateCandidates) {
    List<Action> out = new ArrayList<>();
    // ADOPT: entries an earlier incarnation left on its declared restart lease: they become
    // ours in place (same create revision, no placement). Guarded on the mod revision seen.
    if (!idx.candidates().myAdoptable().isEmpty() && idx.memberPresent()) {
      for (String item : idx.candidates().myAdoptable().sample(maxBatch, rnd)) {
        RouteEntry e = idx.summary(item).route().entries().get(idx.summary(item).myIndex());
        out.add(Action.update(item, e.state(), e.modRevision(), e.moved(), Rule.ADOPT));
      }
      return Decision.act(Rule.ADOPT, out);
    }
    // UPDATE_MASTER_STATE, UPDATE_REPLICA_STATE: publish local state changes.
    for (String item : stateCandidates == null ? idx.candidates().myMasters().all() : stateCandidates) {
      if (stateCandidates == null || idx.candidates().myMasters().contains(item)) {
        staleState(idx, item, localState, Rule.UPDATE_MASTER_STATE, out);
      }
    }
    if (!out.isEmpty()) {
      return Decision.act(Rule.UPDATE_MASTER_STATE, out);
    }
    for (String item : stateCandidates == null ? idx.candidates().myReplicas().all() : stateCandidates) {
      if (stateCandidates == null || idx.candidates().myReplicas().contains(item)) {
        staleState(idx, item, localState, Rule.UPDATE_REPLICA_STATE, out);
      }
    }
    // Extras too: most go at once (RELEASE_EXTRA) before their state changes, but a zone swap's
    // extra stays until it is ready, which its partner reads from the stored state.
    for (String item : stateCandidates == null ? idx.candidates().myExtras().all() : stateCandidates) {
      if (stateCandidates == null || idx.candidates().myExtras().contains(item)) {
        staleState(idx, item, localState, Rule.UPDATE_REPLICA_STATE, out);
      }
    }
    if (!out.isEmpty()) {
      return Decision.act(Rule.UPDATE_REPLICA_STATE, out);
    }
    Targets want = idx.targets();
    int masters = idx.mastersHeld();
    int total = masters + idx.replicasHeld();
    // Maintenance mode: a member that stays makes no balancing move (see the class comment).
    boolean balance = !(idx.maintenance() && idx.memberPresent());
    // RELEASE_EXTRA: extras lost a race, except one that waits for its zone swap's pair (ZoneSwap).
    if (!idx.candidates().myExtras().isEmpty()) {
      List<String> extras = idx.candidates().myExtras().sample(maxBatch, rnd);
      if (balance && idx.memberPresent() && ZoneSpread.inUse(idx)) {
        extras = extras.stream().filter(i -> !ZoneSwap.keepsExtra(idx, i, want, total)).toList();
      }
      if (!extras.isEmpty()) {
        return release(idx, extras, Rule.RELEASE_EXTRA);
      }
    }
    // HAND_OFF_MASTER: surplus masters go, only to ready replicas. A member that stays (or restarts)
    // keeps its copy: it moves behind its replicas in place, and only to a successor that wants
    // masters; one that leaves for good simply lets go.
    if (balance && masters > want.masters() && !idx.candidates().myReadyMasters().isEmpty()) {
      int k = batch(masters - want.masters());
      if (idx.maxReplicas() > 0 && (idx.memberPresent() || restarting)) {
        // A drained member hands its masters to whichever ready replica stands first.
        List<String> moves = moveCandidates(idx, k, !idx.memberPresent() || idx.drained(), rnd);
        if (!moves.isEmpty()) {
          return move(idx, moves, Rule.HAND_OFF_MASTER);
        }
        if (!idx.memberPresent()) {
          // Restarting, nothing movable (extras): let go as a leaving member would.
          return release(idx, handOffCandidates(idx, k, rnd), Rule.HAND_OFF_MASTER);
        }
        // Items whose own R is 0 (per-item replication) have no replica to move behind: a
        // release is their hand-off.
        List<String> bare = PlacementConstraints.unreplicatedReadyMasters(idx, k);
        if (!bare.isEmpty()) {
          return release(idx, bare, Rule.HAND_OFF_MASTER);
        }
      } else if (!idx.memberPresent() && idx.maxReplicas() > 0) {
        return leavingHandOff(idx, k, rnd);
      } else {
        return release(idx, handOffCandidates(idx, k, rnd), Rule.HAND_OFF_MASTER);
      }
    }
    // RELEASE_LEAVING_REPLICA: shutting down: drop replicas (a restarting member keeps them for its next incarnation).
    if (!idx.memberPresent() && !idx.candidates().myReplicas().isEmpty() && !restarting) {
      List<String> drops = leavingReplicas(idx, maxBatch, rnd);
      if (!drops.isEmpty()) {
        return release(idx, drops, Rule.RELEASE_LEAVING_REPLICA);
      }
    }
    // DRAIN: drained (and staying): once its masters are handed off, let replicas go as a leaving
    // member does (RELEASE_LEAVING_REPLICA's guards), whether or not a member under its target can take them now.
    if (balance && idx.memberPresent() && masters == 0 && !idx.candidates().myReplicas().isEmpty() && idx.drained()) {
      List<String> drops = leavingReplicas(idx, maxBatch, rnd);
      if (!drops.isEmpty()) {
        return release(idx, drops, Rule.DRAIN);
      }
    }
    if (restarting && !idx.memberPresent()) {
      return masters == 0 ? Decision.DONE : Decision.IDLE;
    }
    // STEP_ASIDE: a replica first in line that does not want masters steps behind the next replica
    // when that one wants masters and the master is about to hand off: the hand-off then goes
    // straight to a member that wants it instead of through a chain of members over their share.
    if (balance && idx.memberPresent() && masters >= want.masters()) {
      List<String> asides = stepAsideCandidates(idx, maxBatch);
      if (!asides.isEmpty()) {
        return move(idx, asides, Rule.STEP_ASIDE);
      }
    }
    // TAKE_MASTERLESS: take unowned items to reach the master target.
    if (masters < want.masters() && !idx.candidates().empty().isEmpty()) {
      List<String> picks = PlacementConstraints.fit(idx, idx.candidates().empty().sample(batch(want.masters() - masters), rnd));
      if (!picks.isEmpty()) {
        return create(idx, picks, localState, Rule.TAKE_MASTERLESS);
      }
      // MAKE_ROOM: at the item limit with items masterless: masters come before replicas, so let a
      // replica go (every other entry guarded as seen) to make room for a master. Also when the
      // limits leave room for every slot: a member whose limit equals its master share, filled with
      // replicas first, left items masterless for good (zones a,a,b,b,c,c + c with itemLimit 5).
      if (balance) {
        List<String> drops = PlacementConstraints.roomForMaster(idx);
        if (!drops.isEmpty()) {
          return release(idx, drops, Rule.MAKE_ROOM);
        }
      }
    }
    // Loading throttle: takes of items that have a master (TAKE_SHORT, TAKE_AFTER_BACKOFF) wait
    // while this member holds maxLoadingEntries entries not yet ready; TAKE_MASTERLESS never does.
    int loadRoom = maxLoadingEntries - idx.loadingEntries();
    // TAKE_SHORT: short-staffed items that have a master.
    if (total < want.total() && loadRoom > 0) {
      List<String> picks = PlacementConstraints.fit(idx, pickShortPreferringOwn(idx,
          Math.min(loadRoom, batch(want.total() - total)), want.total(), rnd));
      if (!picks.isEmpty()) {
        return create(idx, picks, localState, Rule.TAKE_SHORT);
      }
    }
    // ZONE_SWAP_SETTLE, ZONE_SWAP_TRADE: the later steps of a zone swap (ZoneSwap); before
    // SURPLUS_REPLICA and RELEASE_MASTER_OVER_TOTAL, which would undo the swap's transient surplus otherwise.
    boolean swaps = balance && idx.memberPresent() && ZoneSpread.inUse(idx) && !idx.candidates().myCrowded().isEmpty();
    if (swaps && total > want.total()) {
      String y = ZoneSwap.settle(idx);
      if (y != null) {
        return release(idx, List.of(y), Rule.ZONE_SWAP_SETTLE);
      }
    }
    if (swaps && loadRoom > 0) {
      ZoneSwap.Trade t = ZoneSwap.trade(idx);
      if (t != null) {
        Decision give = release(idx, List.of(t.give()), Rule.ZONE_SWAP_TRADE);
        Decision take = create(idx, List.of(t.take()), localState, Rule.ZONE_SWAP_TRADE);
        List<Action> both = new ArrayList<>(give.actions());
        both.addAll(take.actions());
        return Decision.act(Rule.ZONE_SWAP_TRADE, both);
      }
    }
    // SURPLUS_REPLICA: over the total target: let a replica go where a member under its total can take
    // it (the copy has to move anyway), rather than a master (RELEASE_MASTER_OVER_TOTAL), which would move a copy
    // and a mastership.
    if (balance && idx.memberPresent() && total > want.total() && !idx.candidates().myReplicas().isEmpty()) {
      List<String> drops = surplusReplicas(idx, batch(total - want.total()));
      if (!drops.isEmpty()) {
        return release(idx, drops, Rule.SURPLUS_REPLICA);
      }
    }
    // ZONE_SPREAD: a replica sharing its zone with an earlier entry of a fully staffed item goes
    // (every other entry guarded, as SURPLUS_REPLICA) when a zone the route lacks has room to take it.
    if (balance && idx.memberPresent() && !idx.candidates().myReplicas().isEmpty() && ZoneSpread.inUse(idx)) {
      List<String> drops = ZoneSpread.misplacedReplicas(idx, maxBatch);
      if (!drops.isEmpty()) {
        return release(idx, drops, Rule.ZONE_SPREAD);
      }
    }
    // ZONE_SWAP_OFFER: at the targets, a copy doubled in a zone while the zones it lacks are full
    // (ZONE_SPREAD cannot act): take an extra entry of it to start a swap (ZoneSwap).
    if (balance && idx.memberPresent() && !idx.drained() && loadRoom > 0 && ZoneSpread.inUse(idx)) {
      ZoneSwap.Offer x = ZoneSwap.offer(idx, want, total);
      if (x != null) {
        Decision d = create(idx, List.of(x.item()), localState, Rule.ZONE_SWAP_OFFER);
        return x.designated() ? d : new Decision(Decision.Outcome.TAKE_AFTER_BACKOFF, d.actions(), Rule.ZONE_SWAP_OFFER);
      }
    }
    // RELEASE_MASTER_OVER_TOTAL: deadlock avoidance: at the master target but over the total.
    // Only a master whose release lowers the total for good (releasableOverTotal): else the entry
    // comes straight back and the fleet never settles.
    if (balance && masters == want.masters() && total > want.total() && !idx.candidates().myReadyMasters().isEmpty()) {
      List<String> picks = handOffCandidates(idx, releasableOverTotal(idx, rnd), 1, rnd);
      if (!picks.isEmpty()) {
        return release(idx, picks, Rule.RELEASE_MASTER_OVER_TOTAL);
      }
    }
    // TAKE_AFTER_BACKOFF: deadlock avoidance: items are short of replicas that no member wanting more can
    // fill (each already holds them): a member not over its master target takes one more
    // after a back-off, so that members that do want more win the race. Over its total
    // target too: totals that drift above target after the fleet shrinks must not leave
    // items short for good (seen after a crash at 10,000 items x 10 members).
    // A batch: as many as the members short of their totals can take back from us by SURPLUS_REPLICA,
    // less the copies already over some total on their way to them (at exact fit, every short item
    // in the tail goes this way: one item per take, release and take again made the last 2 % of a
    // converge take half its time).
    if (idx.memberPresent() && masters <= want.masters() && loadRoom > 0) {
      List<String> picks = PlacementConstraints.fit(idx, unclaimedShort(idx, Math.min(loadRoom, batch(backoffRoom(idx))), rnd));
      if (!picks.isEmpty()) {
        Decision d = create(idx, picks, localState, Rule.TAKE_AFTER_BACKOFF);
        return new Decision(Decision.Outcome.TAKE_AFTER_BACKOFF, d.actions(), Rule.TAKE_AFTER_BACKOFF);
      }
    }
    if (!idx.memberPresent() && idx.entriesHeld() == 0) {
      return Decision.DONE;
    }
    // FORCED_HANDOFF: over the master target and no ready replica that wants masters stands first in line
    // (nor will, STEP_ASIDE: the members that want masters hold no copy to promote): after a
    // back-off, let a master go as the Go package did, so that its copy can move to one of them.
    // A member that wants masters further back in one of our routes needs no copy: the
    // mastership then travels in place, one move per replica ahead of it.
    // Not while a member is away for a restart: targets shift while it is gone and back when it
    // returns; a copy moved meanwhile would be a copy moved for nothing.
    if (balance && idx.memberPresent() && masters > want.masters() && !idx.candidates().myReadyMasters().isEmpty()
        && !idx.restartsPending()) {
      String viaCopy = hungryBehind(idx, rnd);
      if (viaCopy != null) {
        Decision d = move(idx, List.of(viaCopy), Rule.FORCED_HANDOFF);
        return new Decision(Decision.Outcome.TAKE_AFTER_BACKOFF, d.actions(), Rule.FORCED_HANDOFF);
      }
      // A member that wants masters has room and short items it can take: its copies are on their
      // way (TAKE_SHORT), and masterships then move to it in place. A release now would only promote
      // another member over its share and place a copy for nothing, again and again while that
      // member is slow to act (a process that just joined reads its first snapshot for seconds).
      if (copiesOnTheirWay(idx, rnd)) {
        return Decision.IDLE;
      }
      // Let a master go, as the Go package did, but only one whose copy a member that wants masters
      // can take. Any other release came back for ever: a member at its master share (often this
      // one) took the copy again while the promoted first replica, over its share in turn, did the
      // same (issue 20: c3 at its item limit wanting a master, 60,000 revisions a minute).
      List<String> forHungry = releasableToHungry(idx, rnd);
      if (forHungry.isEmpty()) {
        // None: the mastership travels in place along the shortest chain of hand-offs (MasterPath)
        // to a member that wants masters, else to one that has such a release; each member on the
        // chain, over its share once the mastership reaches it, takes the next step.
        String towards = MasterPath.towardsHungry(idx, rnd);
        if (towards == null) {
          towards = MasterPath.towardsRelease(idx, rnd);
        }
        if (towards == null) {
          return Decision.IDLE;
        }
        Decision d = move(idx, List.of(towards), Rule.FORCED_HANDOFF);
        return new Decision(Decision.Outcome.TAKE_AFTER_BACKOFF, d.actions(), Rule.FORCED_HANDOFF);
      }
      Decision d = release(idx, handOffCandidates(idx, forHungry, 1, rnd), Rule.FORCED_HANDOFF);
      // While some member is over its total, SURPLUS_REPLICA is about to hand copies to the members
      // below theirs, and the mastership can then move in place: wait for that first.
      return someoneOverTotal(idx) ? new Decision(Decision.Outcome.TAKE_AFTER_BACKOFF, d.actions(),
          Rule.FORCED_HANDOFF) : d;
    }
    return nextInLine(idx, rnd);
  }

  /**
   * NEXT_IN_LINE, last: in a quiet fleet, even out who stands first behind each master (NextInLine),
   * by moves in place; idle once every pair is within one.
   */
  private Decision nextInLine(AllocationIndex idx, Random rnd) {
    List<String> picks = NextInLine.picks(idx, maxBatch, rnd);
    return picks.isEmpty() ? Decision.IDLE : move(idx, picks, Rule.NEXT_IN_LINE);
  }

  /**
   * This decider with at most {@code max} entries of this member whose state is not ready for
   * promotion: beyond, takes of items that have a master wait until loads finish (masters of items
   * without any master are never delayed). {@code Integer.MAX_VALUE}: unlimited (the default).
   */
  public AllocationDecider withMaxLoadingEntries(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxLoadingEntries must be >= 1, was " + max);
    }
    return new AllocationDecider(maxBatch, max, restarting);
  }

  /**
   * This decider for a member stopping for a restart: it hands its masters off in place and keeps
   * its replica entries (RELEASE_LEAVING_REPLICA does not apply); the decision is DONE once it masters nothing.
   */
  public AllocationDecider forRestart() {
    return new AllocationDecider(maxBatch, maxLoadingEntries, true);
  }

  public boolean restarting() {
    return restarting;
  }

  private static boolean someoneOverTotal(AllocationIndex idx) {
    for (String m : idx.presentMembers()) {
      if (PlacementConstraints.freeSlots(idx, m) < 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether some present member other than this one masters more items than its target. */
  private static boolean someoneElseOverMasters(AllocationIndex idx) {
    for (String m : idx.presentMembers()) {
      int target = idx.masterTargetOf(m);
      if (!m.equals(idx.member()) && idx.mastersOf(m) > target) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code member} (present) masters fewer items than its target. */
  private static boolean wantsMasters(AllocationIndex idx, String member) {
    int target = idx.masterTargetOf(member);
    return target >= 0 && idx.mastersOf(member) < target;
  }

  /**
   * Ready masters that can move behind their replicas in place (exactly R+1 entries, R >= 1, so
   * that the move leaves this member a replica, not an extra), whose first replica wants masters
   * (or any, when {@code anySuccessor}), those with the hungriest successor first, random among
   * equals, no successor given more than it wants (its deficit) unless {@code anySuccessor}.
   * Costs the successors and the picks, not the masters held: the candidates are kept by
   * successor ({@link Candidates#myMovable}).
   */
  private List<String> moveCandidates(AllocationIndex idx, int k, boolean anySuccessor, Random rnd) {
    if (idx.maxReplicas() < 1) {
      return List.of();
    }
    Map<String, IndexedSet> bySuccessor = idx.candidates().myMovable();
    // Ranked by deficit (rank = -deficit: the largest first); each gives at most its deficit
    // unless anySuccessor.
    Map<String, Integer> rank = new HashMap<>();
    for (String succ : bySuccessor.keySet()) {
      int d = idx.masterTargetOf(succ) - idx.mastersOf(succ);
      if (d > 0 || anySuccessor) {
        rank.put(succ, -d);
      }
    }
    return pickByRank(bySuccessor, rank.keySet(), rank, r -> anySuccessor ? Integer.MAX_VALUE : -r, k, rnd);
  }

  /**
   * Up to {@code k} items from the sets of {@code keys}, rank by rank ({@code rank}, the lowest
   * first, names breaking ties), evenly over the sets of one rank ({@link #pickEvenly}), each set
   * giving at most {@code capOfRank} of its rank.
   */
  private static List<String> pickByRank(Map<String, IndexedSet> sets, Collection<String> keys,
      Map<String, Integer> rank, java.util.function.IntUnaryOperator capOfRank, int k, Random rnd) {
    List<String> ordered = new ArrayList<>(keys);
    ordered.sort(Comparator.comparingInt((String m) -> rank.get(m)).thenComparing(Comparator.naturalOrder()));
    List<String> picks = new ArrayList<>();
    for (int from = 0; from < ordered.size() && picks.size() < k; ) {
      int r = rank.get(ordered.get(from));
      int to = from;
      while (to < ordered.size() && rank.get(ordered.get(to)) == r) {
        to++;
      }
      int cap = capOfRank.applyAsInt(r);
      pickEvenly(sets, ordered.subList(from, to), g -> cap, k, picks, rnd);
      from = to;
    }
    return picks;
  }

  /**
   * Adds to {@code picks} (up to {@code k} in all) items of the {@code groups} sets, each next pick
   * uniform over the items not yet picked of the groups not yet given their cap: as a walk of all
   * their items in a random order that skips a group once capped, drawing only what it picks.
   */
  private static void pickEvenly(Map<String, IndexedSet> sets, List<String> groups,
      java.util.function.ToIntFunction<String> cap, int k, List<String> picks, Random rnd) {
    int n = groups.size();
    List<List<String>> drawn = new ArrayList<>(n);
    int[] weight = new int[n];
    int[] taken = new int[n];
    int pool = 0;
    for (int i = 0; i < n; i++) {
      IndexedSet set = sets.get(groups.get(i));
      // A uniform random order of as many as this group can give: its next unpicked item is uniform.
      drawn.add(set.sample(Math.min(cap.applyAsInt(groups.get(i)), k - picks.size()), rnd));
      weight[i] = set.size();
      pool += weight[i];
    }
    while (picks.size() < k && pool > 0) {
      int x = n == 1 ? 0 : rnd.nextInt(pool);
      int i = 0;
      while (x >= weight[i]) {
        x -= weight[i];
        i++;
      }
      picks.add(drawn.get(i).get(taken[i]++));
      weight[i]--;
      pool--;
      if (taken[i] == drawn.get(i).size()) {
        pool -= weight[i]; // capped (or all it had): no more from this group
        weight[i] = 0;
      }
    }
  }

  /**
   * Whether some other present member that wants masters has room for a copy and one of a few
   * sampled short-staffed items lacks it (so TAKE_SHORT will give it copies).
   */
  private static boolean copiesOnTheirWay(AllocationIndex idx, Random rnd) {
    if (idx.candidates().shortStaffed().isEmpty()) {
      return false;
    }
    List<String> hungry = new ArrayList<>();
    for (String m : idx.presentMembers()) {
      if (!m.equals(idx.member()) && wantsMasters(idx, m) && PlacementConstraints.freeSlots(idx, m) > 0) {
        hungry.add(m);
      }
    }
    if (hungry.isEmpty()) {
      return false;
    }
    for (String item : idx.candidates().shortStaffed().sample(8, rnd)) {
      Route r = idx.summary(item).route();
      for (String m : hungry) {
        if (r.index(m) < 0) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Up to 16 of our ready masters (with replicas) whose copy, once released, a present member that
   * wants masters could take: it has room under its total (its item limit included), holds no
   * entry of the item, and the zone rule does not keep it off (its zone is not among the entries
   * left; this member's zone, which the release leaves missing, then has room).
   */
  private static List<String> releasableToHungry(AllocationIndex idx, Random rnd) {
    List<String> takers = MasterPath.hungryWithRoom(idx);
    List<String> out = new ArrayList<>();
    if (takers.isEmpty()) {
      return out;
    }
    // Among a random sample of our ready masters (all of them up to MasterPath.MY_SAMPLE), as
    // MasterPath draws its own: a walk over every one found none, most rounds, at 100,000 items.
    for (String item : allOrSample(idx.candidates().myReadyMasters(), MasterPath.MY_SAMPLE, rnd)) {
      if (MasterPath.usefulRelease(idx, idx.member(), idx.summary(item), takers)) {
        out.add(item);
        if (out.size() >= 16) {
          break;
        }
      }
    }
    return out;
  }

  /**
   * A ready master of ours (R+1 entries) with a member that wants masters behind its first replica,
   * uniform among them: drawn from the sets kept by later member ({@link Candidates#myReadyByLater}),
   * an item standing under c such members kept with chance 1/c (with R = 2, c is 1).
   */
  private static String hungryBehind(AllocationIndex idx, Random rnd) {
    if (idx.replicas() < 2) {
      return null;
    }
    Map<String, IndexedSet> byLater = idx.candidates().myReadyByLater();
    List<IndexedSet> sets = new ArrayList<>();
    int pool = 0;
    for (String m : new java.util.TreeSet<>(byLater.keySet())) {
      if (wantsMasters(idx, m)) {
        sets.add(byLater.get(m));
        pool += byLater.get(m).size();
      }
    }
    while (pool > 0) {
      int x = rnd.nextInt(pool);
      int i = 0;
      while (x >= sets.get(i).size()) {
        x -= sets.get(i).size();
        i++;
      }
      String item = sets.get(i).all().get(x);
      Route r = idx.summary(item).route();
      int c = 0;
      for (int j = 2; j < r.size(); j++) {
        c += wantsMasters(idx, r.memberAt(j)) ? 1 : 0;
      }
      if (c == 1 || rnd.nextInt(c) == 0) {
        return item;
      }
    }
    return null;
  }

  /**
   * Replicas this member holds first in line (index 1) of items whose master is over its master
   * target, while this member does not want more masters and the replica behind it does.
   */
  private static List<String> stepAsideCandidates(AllocationIndex idx, int k) {
    if (idx.maxReplicas() < 2) {
      return List.of();
    }
    boolean someoneWants = false;
    for (String m : idx.presentMembers()) {
      if (!m.equals(idx.member()) && wantsMasters(idx, m)) {
        someoneWants = true;
        break;
      }
    }
    boolean leaving = idx.mastersOfAbsentMembers() > 0;
    if (!someoneWants || !(leaving || someoneElseOverMasters(idx))) {
      return List.of(); // cheap gates: the loops below are over every replica of a fully staffed item
    }
    // Behind a master that is leaving (absent), step aside only as far as the member behind still
    // wants masters once the items where it already stands first (that we see) reach it: a leaving
    // member hands each successor only its deficit (leavingHandOff), and the rest would pile up.
    // Counted from the replicas kept by master and first replica (Candidates#myBehindFirst).
    Map<String, Integer> room = leaving ? mastersWanted(idx) : Map.of();
    if (leaving) {
      idx.candidates().myBehindFirst().forEach((master, byFirst) -> {
        if (idx.masterTargetOf(master) < 0) {
          byFirst.forEach((first, n) -> room.computeIfPresent(first, (m, r) -> r - n[0]));
        }
      });
    }
    // The candidates, kept by master and the member behind (Candidates#myNextInLine): only the
    // groups whose master is over its share (or absent) and whose member behind wants masters.
    List<String> out = new ArrayList<>();
    Map<String, Map<String, IndexedSet>> byMaster = idx.candidates().myNextInLine();
    for (String master : new java.util.TreeSet<>(byMaster.keySet())) {
      int masterTarget = idx.masterTargetOf(master);
      if (masterTarget >= 0 && idx.mastersOf(master) <= masterTarget) {
        continue; // a master not over its share keeps it
      }
      Map<String, IndexedSet> byBehind = byMaster.get(master);
      for (String behind : new java.util.TreeSet<>(byBehind.keySet())) {
        int cap = masterTarget < 0 ? room.getOrDefault(behind, 0) : wantsMasters(idx, behind) ? k : 0;
        List<String> items = byBehind.get(behind).all();
        int n = Math.min(Math.min(cap, k - out.size()), items.size());
        if (n <= 0) {
          continue;
        }
        out.addAll(items.subList(0, n));
        if (masterTarget < 0) {
          room.put(behind, cap - n);
        }
        if (out.size() >= k) {
          return out;
        }
      }
    }
    return out;
  }

  /**
   * Replicas of fully staffed items that some present member under its total target does not
   * hold (so it can take the copy), at most {@code k}, and no more than those members can take.
   */
  private static List<String> surplusReplicas(AllocationIndex idx, int k) {
    Map<String, Integer> room = new HashMap<>();
    for (String m : idx.presentMembers()) {
      int free = PlacementConstraints.freeSlots(idx, m);
      if (!m.equals(idx.member()) && free > 0) {
        room.put(m, free);
      }
    }
    if (room.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String item : idx.candidates().myFullReplicas().all()) {
      if (out.size() >= k || room.isEmpty()) {
        break;
      }
      Route r = idx.summary(item).route();
      for (String m : room.keySet()) {
        if (r.index(m) < 0) {
          out.add(item);
          room.merge(m, -1, (a, b) -> a + b == 0 ? null : a + b);
          break;
        }
      }
    }
    return out;
  }

  /**
   * Up to {@code k} short-staffed items (of a sample) that no present member under its total target could
   * take instead: those take it by TAKE_SHORT without any back-off, and a copy placed here would only
   * have to move to them later.
   */
  private static List<String> unclaimedShort(AllocationIndex idx, int k, Random rnd) {
    List<String> hungry = null;
    List<String> out = new ArrayList<>();
    for (String item : pickShort(idx, Math.max(8, 2 * k), rnd)) {
      if (hungry == null) {
        hungry = new ArrayList<>();
        for (String m : idx.presentMembers()) {
          // Room under each member's own target: a member at its item limit cannot take it.
          if (!m.equals(idx.member()) && PlacementConstraints.freeSlots(idx, m) > 0) {
            hungry.add(m);
          }
        }
      }
      Route r = idx.summary(item).route();
      if (hungry.stream().allMatch(m -> r.index(m) >= 0)) {
        out.add(item);
        if (out.size() >= k) {
          break;
        }
      }
    }
    return out;
  }

  /**
   * How many short items TAKE_AFTER_BACKOFF may take at once: the room the other present members
   * have under their totals (where SURPLUS_REPLICA then sends the copies), less what present members
   * already hold over theirs (copies already on their way); at least one, as before batching, so
   * that items are never left short for good when totals drift above target.
   */
  private static int backoffRoom(AllocationIndex idx) {
    int room = 0;
    for (String m : idx.presentMembers()) {
      int free = PlacementConstraints.freeSlots(idx, m);
      room += m.equals(idx.member()) ? Math.min(free, 0) : free;
    }
    return Math.max(1, room);
  }

  /**
   * Replicas a leaving member may drop now: those of items still at R+1 entries (the others
   * guarded as seen), so that a replica released meanwhile by a member that stays
   * (SURPLUS_REPLICA, RELEASE_MASTER_OVER_TOTAL)
   * and this one never leave the item two short; or of items no present member outside the
   * route could ever fill up again.
   */
  private static List<String> leavingReplicas(AllocationIndex idx, int k, Random rnd) {
    // The first k that qualify in a uniform random order of our replicas: the order is drawn as
    // far as needed, a sample first (a random order's prefix), the rest shuffled only when the
    // sample has too few (a walk over every replica each round cost 5 ms at 100,000 items).
    IndexedSet mine = idx.candidates().myReplicas();
    List<String> order = mine.sample(Math.max(4 * k, 256), rnd);
    List<String> out = leavingReplicas(idx, order, k, new ArrayList<>());
    if (out.size() < k && order.size() < mine.size()) {
      Set<String> seen = new java.util.HashSet<>(order);
      List<String> rest = new ArrayList<>(mine.size() - order.size());
      for (String item : mine.all()) {
        if (!seen.contains(item)) {
          rest.add(item);
        }
      }
      java.util.Collections.shuffle(rest, rnd);
      leavingReplicas(idx, rest, k, out);
    }
    return out;
  }

  /** Adds to {@code out} those of {@code all}, in order, that a leaving member may drop now, up to {@code k} in all. */
  private static List<String> leavingReplicas(AllocationIndex idx, List<String> all, int k, List<String> out) {
    if (out.size() >= k) {
      return out;
    }
    List<String> present = null;
    for (String item : all) {
      Route r = idx.summary(item).route();
      boolean ok = r.size() >= idx.summary(item).replicas() + 1;
      if (!ok) {
        if (present == null) {
          present = idx.presentMembers();
        }
        ok = present.stream().allMatch(m -> r.index(m) >= 0);
      }
      if (ok) {
        out.add(item);
        if (out.size() >= k) {
          break;
        }
      }
    }
    return out;
  }

  private static Decision move(AllocationIndex idx, List<String> items, Rule rule) {
    List<Action> out = new ArrayList<>(items.size());
    for (String item : items) {
      ItemSummary s = idx.summary(item);
      List<RouteEntry> entries = s.route().entries();
      List<Action.Guard> guards = new ArrayList<>();
      // The others must stand as seen: the replicas a master hands to (ready, R of them), and
      // no newcomer that this entry would fall behind as an extra.
      for (int i = 0; i < entries.size(); i++) {
        if (i != s.myIndex() && entries.get(i).modRevision() > 0) {
          guards.add(new Action.Guard(entries.get(i).member(), entries.get(i).modRevision(), entries.get(i).moved()));
        }
      }
      out.add(Action.move(item, s.myEntry().state(), s.myEntry().modRevision(), s.myEntry().moved(), rule, guards));
    }
    return Decision.act(rule, out);
  }

  /** Most short items TAKE_SHORT examines per decision (each against every taker). */
  static final int MAX_SHORT_SAMPLE = 2048;

  private int batch(int gap) {
    return Math.min(gap, maxBatch);
  }

  private void staleState(AllocationIndex idx, String item, Function<String, String> localState, Rule rule,
      List<Action> out) {
    if (out.size() >= maxBatch) {
      return;
    }
    ItemSummary s = idx.summary(item);
    String state = localState.apply(item);
    RouteEntry mine = state == null ? null : s.myEntry();
    if (mine != null && !state.equals(mine.state())) {
      out.add(Action.update(item, state, mine.modRevision(), mine.moved(), rule));
    }
  }

  /**
   * TAKE_SHORT's picks: among a sample of short items, first those this member is the designated
   * taker of ({@link ShortTakers}), so that members filling the same short items at once mostly
   * pick different ones (each collision is a copy placed for nothing: an extra that lets go); the
   * others only to complete a batch that would otherwise be empty. Short-staffed items already
   * have a master: items with no entry at all are left to TAKE_MASTERLESS (taking one here would
   * make this member a master beyond its target, which HAND_OFF_MASTER would later have to hand
   * off again: a third more actions in the Go package's extended deadlock scenario).
   */
  private static List<String> pickShortPreferringOwn(AllocationIndex idx, int k, int total, Random rnd) {
    ShortTakers takers = ShortTakers.of(idx, total);
    // This member is the designated taker of about one sampled item in as many as there are
    // takers: a sample of 2k kept batches near 2k / takers (18 copies a transaction refilling
    // after a crash over 9 survivors, maxBatch 64: issue 17). Sampling 2k per taker fills the
    // batch with room to spare for chance; capped so that a decision stays a bounded slice of the
    // loop at any fleet size. Zoned fleets keep the small sample for now (their swap steps were
    // tuned and tested with it; the same widening there is still to measure).
    boolean zoned = ZoneSpread.inUse(idx);
    int sampleSize = zoned ? Math.max(k * 2, 8)
        : Math.max(8, Math.min(k * 2 * takers.size(), Math.max(k * 2, MAX_SHORT_SAMPLE)));
    if (!zoned && idx.unattainableSlots() == 0) {
      return ownFirstInRandomOrder(idx, takers, k, sampleSize, rnd);
    }
    List<String> sample = pickShort(idx, sampleSize, rnd);
    if (sample.size() <= 1) {
      return sample;
    }
    // With zones, a member the take rule keeps off an item is not its taker: designating one
    // left such items to nobody's batch, taken one per transaction (10 x the transactions).
    Map<String, Integer> zoneRoom = zoned ? ZoneSpread.roomByZone(idx) : Map.of();
    List<String> own = new ArrayList<>();
    String firstOther = null;
    for (String item : sample) {
      boolean mine;
      if (zoned) {
        Route r = idx.summary(item).route();
        Set<String> routeZones = ZoneSpread.zonesOf(idx, r.entries());
        mine = idx.member().equals(takers.designated(item, r,
            m -> ZoneSpread.keepsOff(idx, m, routeZones, zoneRoom)));
      } else {
        mine = takers.isMineShort(item, i -> idx.summary(i).route());
      }
      if (mine) {
        own.add(item);
      } else if (firstOther == null) {
        firstOther = item;
      }
    }
    List<String> out = own.size() > k ? own.subList(0, k) : own;
    return out.isEmpty() && firstOther != null ? List.of(firstOther) : out;
  }

  /**
   * TAKE_SHORT's picks without zones: the first {@code k} items this member is the designated
   * taker of, in a uniform random order of the short items drawn as far as needed and no further
   * than {@code sampleSize}; when none, the first item drawn. The same picks in distribution as
   * drawing a sample of {@code sampleSize} first and keeping its first {@code k} own items, at the
   * cost of the items drawn, most of them told from their hashes alone ({@link ShortTakers#isMineShort}).
   */
  private static List<String> ownFirstInRandomOrder(AllocationIndex idx, ShortTakers takers, int k, int sampleSize,
      Random rnd) {
    IndexedSet shortItems = idx.candidates().shortStaffed();
    if (shortItems.size() <= 1) {
      return new ArrayList<>(shortItems.all());
    }
    // Positions drawn, each told from its hash (IndexedSet.hashAt) where the hashes decide: the
    // item itself is loaded only when its route must be read, it is ours, or it is the first
    // other (at 1,000,000 items each load is a cache miss; most draws need none).
    RandomOrder order = shortItems.positionsInRandomOrder(rnd, Math.min(sampleSize, shortItems.size()));
    int firstPosition = order.next();
    if (!takers.canBeDesignated()) {
      return List.of(shortItems.at(firstPosition)); // too many members with more room: none of these items is ours
    }
    Function<String, Route> routeOf = i -> idx.summary(i).route();
    List<String> own = new ArrayList<>();
    String firstOther = null;
    int p = firstPosition;
    for (int drawn = 1; ; drawn++) {
      int above = takers.outranking(shortItems.hashAt(p));
      if (takers.tooManyAbove(above)) {
        if (firstOther == null) {
          firstOther = shortItems.at(p);
        }
      } else {
        String item = shortItems.at(p);
        if (takers.isMineShort(above, item, routeOf)) {
          own.add(item);
        } else if (firstOther == null) {
          firstOther = item;
        }
      }
      if (own.size() >= k || drawn >= sampleSize || !order.hasNext()) {
        break;
      }
      p = order.next();
    }
    return own.isEmpty() ? List.of(firstOther) : own;
  }

  /** A well-spread hash (murmur3's finalizer): picks that every member computes alike, without coordination. */
  static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  private static List<String> pickShort(AllocationIndex idx, int k, Random rnd) {
    if (ZoneSpread.inUse(idx)) {
      return ZoneSpread.pickShort(idx, k, rnd, idx.unattainableSlots() > 0);
    }
    if (idx.unattainableSlots() > 0) {
      return PlacementConstraints.fewestEntriesFirst(idx, k, rnd);
    }
    return idx.candidates().shortStaffed().sample(k, rnd);
  }

  /**
   * A leaving member's hand-off, spread over the members that want masters: first only items whose
   * first replica still wants masters, each successor up to its deficit. Released all at once, the
   * promoted first replicas were whatever the routes had (60 masters to one survivor of three, 40 of
   * them then handed on: issue 20, real processes); spread, the fleet balances without a second
   * hand-off. When no first replica wants more but a later replica does, the one ahead is about to
   * step aside (STEP_ASIDE): the release waits a back-off (any change restarts it), then goes anyway.
   */
  private static Decision leavingHandOff(AllocationIndex idx, int k, Random rnd) {
    // As a walk of every ready master in a random order taking those whose successor still wants
    // one, drawn from the masters kept by successor (Candidates#myHandOffBySuccessor): the same
    // picks in distribution, at the cost of the members and the picks.
    Map<String, Integer> room = mastersWanted(idx);
    Map<String, IndexedSet> bySuccessor = idx.candidates().myHandOffBySuccessor();
    List<String> groups = new ArrayList<>();
    for (String m : new java.util.TreeSet<>(room.keySet())) {
      if (bySuccessor.containsKey(m)) {
        groups.add(m);
      }
    }
    List<String> picks = new ArrayList<>();
    pickEvenly(bySuccessor, groups, room::get, k, picks, rnd);
    if (!picks.isEmpty()) {
      return release(idx, picks, Rule.HAND_OFF_MASTER);
    }
    // No successor wants one: is a member that does standing further back in one of our routes?
    boolean asideAhead = false;
    for (String m : room.keySet()) {
      asideAhead |= idx.candidates().myHandOffBehind(m) > 0;
    }
    Decision d = release(idx, handOffCandidates(idx, k, rnd), Rule.HAND_OFF_MASTER);
    return asideAhead ? new Decision(Decision.Outcome.TAKE_AFTER_BACKOFF, d.actions(), Rule.HAND_OFF_MASTER) : d;
  }

  /** Present members other than this one under their master target, with how many masters they want. */
  private static Map<String, Integer> mastersWanted(AllocationIndex idx) {
    Map<String, Integer> room = new HashMap<>();
    for (String m : idx.presentMembers()) {
      int d = idx.masterTargetOf(m) - idx.mastersOf(m);
      if (d > 0 && !m.equals(idx.member())) {
        room.put(m, d);
      }
    }
    return room;
  }

  /**
   * Up to {@code k} ready masters to hand off, preferring items whose first replica (the
   * member that will be promoted) masters the fewest items, so that mastership flows to
   * members that want it instead of bouncing between members that are all over target.
   * Random among equals.
   */
  private static List<String> handOffCandidates(AllocationIndex idx, int k, Random rnd) {
    IndexedSet ready = idx.candidates().myReadyMasters();
    if (ready.size() <= k) {
      return new ArrayList<>(ready.all());
    }
    // As the sort below, from the masters kept by successor (Candidates#myReadyBySuccessor): the
    // successors by load, uniform among the items of successors of equal load.
    Map<String, IndexedSet> bySuccessor = idx.candidates().myReadyBySuccessor();
    Map<String, Integer> load = new HashMap<>();
    for (String m : bySuccessor.keySet()) {
      load.put(m, m.equals(Candidates.NO_SUCCESSOR) ? Integer.MAX_VALUE : idx.mastersOf(m));
    }
    return pickByRank(bySuccessor, load.keySet(), load, r -> Integer.MAX_VALUE, k, rnd);
  }

  /**
   * Our ready masters whose release lowers our total for good (RELEASE_MASTER_OVER_TOTAL): items
   * with replicas (own R > 0) that a present member with room outside the route can take a copy
   * of. Any other release comes straight back: an item at R = 0 has nobody to promote, goes
   * masterless and, this member now under its master target, is taken again (TAKE_MASTERLESS);
   * a copy nobody else with room can take is taken again after the back-off
   * (TAKE_AFTER_BACKOFF), the promoted member then over its master target hands the mastership
   * back (HAND_OFF_MASTER). With items at R = 0 among items at R = 1 on 2 members both loops
   * ran for ever: every entry rewritten, the fleet never idle.
   */
  /** Every item of {@code set} (in its order, no draw) when there are at most {@code n}, else {@code n} drawn at random. */
  private static List<String> allOrSample(IndexedSet set, int n, Random rnd) {
    return set.size() <= n ? set.all() : set.sample(n, rnd);
  }

  private static List<String> releasableOverTotal(AllocationIndex idx, Random rnd) {
    List<String> room = new ArrayList<>();
    for (String m : idx.presentMembers()) {
      if (!m.equals(idx.member()) && PlacementConstraints.freeSlots(idx, m) > 0) {
        room.add(m);
      }
    }
    List<String> out = new ArrayList<>();
    if (room.isEmpty()) {
      return out;
    }
    // Among a random sample of our ready masters (all of them up to MasterPath.MY_SAMPLE): not a
    // walk over every one, each round at the master target and over the total.
    for (String item : allOrSample(idx.candidates().myReadyMasters(), MasterPath.MY_SAMPLE, rnd)) {
      ItemSummary s = idx.summary(item);
      if (s.replicas() > 0 && room.stream().anyMatch(m -> s.route().index(m) < 0)) {
        out.add(item);
      }
    }
    return out;
  }

  private static List<String> handOffCandidates(AllocationIndex idx, List<String> all, int k, Random rnd) {
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

  private static Decision release(AllocationIndex idx, List<String> items, Rule rule) {
    List<Action> out = new ArrayList<>(items.size());
    for (String item : items) {
      ItemSummary s = idx.summary(item);
      List<RouteEntry> entries = s.route().entries();
      List<Action.Guard> guards = new ArrayList<>();
      if (s.myIndex() == 0) {
        // A master hands off: the replicas it counted on must still stand as seen, or a
        // replica released concurrently would leave the item short.
        guard(entries, 1, s.replicas(), guards);
      } else if (rule == Rule.SURPLUS_REPLICA || rule == Rule.RELEASE_LEAVING_REPLICA || rule == Rule.MAKE_ROOM
          || rule == Rule.DRAIN || rule == Rule.ZONE_SPREAD || rule == Rule.ZONE_SWAP_TRADE
          || rule == Rule.ZONE_SWAP_SETTLE) {
        // A replica lets go while it stays: every other entry must stand as seen, or two members
        // letting go of the same item at once would leave it short by two.
        for (int i = 0; i < entries.size(); i++) {
          if (i != s.myIndex() && entries.get(i).modRevision() > 0) {
            guards.add(new Action.Guard(entries.get(i).member(), entries.get(i).modRevision(),
                entries.get(i).moved()));
          }
        }
      } else if (s.myIndex() > s.replicas()) {
        // An extra lets go: the R+1 entries ahead of it must still stand, or it may already
        // be a replica (a master ahead handed off meanwhile) and its release would leave the
        // item short. Seen in a rolling restart at 1,000 items x 10 members.
        guard(entries, 0, s.replicas(), guards);
      } else {
        // A replica lets go (its member is leaving): the entries ahead of it must still stand,
        // or the master may have handed off to it meanwhile and the item would go masterless.
        // Found by bench/chaos: a SIGTERMed member released its replica in the revision after
        // the master had handed the item to it.
        guard(entries, 0, s.myIndex() - 1, guards);
      }
      out.add(Action.release(item, s.myEntry().modRevision(), s.myEntry().moved(), rule, guards));
    }
    return Decision.act(rule, out);
  }

  private static void guard(List<RouteEntry> entries, int from, int to, List<Action.Guard> guards) {
    for (int i = from; i <= to && i < entries.size(); i++) {
      // An entry that is only a directory of deeper keys has no key of its own to compare.
      if (entries.get(i).modRevision() > 0) {
        guards.add(new Action.Guard(entries.get(i).member(), entries.get(i).modRevision(), entries.get(i).moved()));
      }
    }
  }

  private static Decision create(AllocationIndex idx, List<String> items, Function<String, String> localState,
      Rule rule) {
    List<Action> out = new ArrayList<>(items.size());
    for (String item : items) {
      ItemSummary s = idx.summary(item);
      String state = localState.apply(item);
      long marker = s.fixed() ? 0 : s.markerCreateRevision();
      Action.Anchor anchor = s.fixed() || marker > 0 ? null : anchor(s.route().entries());
      out.add(Action.create(item, state == null ? "" : state, marker, anchor, rule));
    }
    return Decision.act(rule, out);
  }

  /**
   * The entry a create of an item without a marker guards on: the first with a key of its own
   * (an entry that is only a directory of deeper keys, written out of band, has none to
   * compare; an item made only of such entries gets no guard).
   */
  private static Action.Anchor anchor(List<RouteEntry> entries) {
    for (RouteEntry e : entries) {
      if (e.modRevision() > 0) {
        return new Action.Anchor(e.member(), e.createRevision(), e.moved());
      }
    }
    return null;
  }
}
