package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.allocation.Decision.Outcome;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Each rule of the protocol on hand-built views, without etcd. */
class AllocationDeciderTest {
  static final Function<String, String> READY = item -> "ready";

  /** Builds a view: members present, and entries item -> members in create order with states. */
  static final class View {
    /**
     * 9 members m0..m8, R=2, {@code items} items i0.. on consecutive members, every third group of
     * nine one copy short (its third holder crashed): a refill, each survivor with the same room.
     */
    static View refillAfterCrash(int items) {
      View v = new View();
      for (int m = 0; m < 9; m++) {
        v.member("m" + m);
      }
      for (int i = 0; i < items; i++) {
        String a = "m" + i % 9;
        String b = "m" + (i + 1) % 9;
        String c = "m" + (i + 2) % 9;
        if (i / 9 % 3 == 0) {
          v.item("i" + i, a, b);
        } else {
          v.item("i" + i, a, b, c);
        }
      }
      return v;
    }

    final List<KeyValue> kvs = new ArrayList<>();
    long rev = 1;

    View member(String m) {
      kvs.add(new KeyValue("/r/members/" + m, "{}", ++rev, rev, 1, 7));
      return this;
    }

    View item(String item, String... memberStates) {
      kvs.add(KeyValue.of("/r/items/" + item, "", ++rev, rev));
      for (String ms : memberStates) {
        String[] p = ms.split("=");
        kvs.add(new KeyValue("/r/items/" + item + "/" + p[0], p.length > 1 ? p[1] : "ready", ++rev, rev, 1, 7));
      }
      return this;
    }

    AllocationIndex index(String me, int replicas, List<String> fixed) {
      AllocationIndex idx = new AllocationIndex(me, replicas, fixed, (i, s) -> s.equals("ready"));
      idx.rebuild(KeyTree.fromSnapshot("/r", rev, kvs));
      return idx;
    }

    AllocationIndex index(String me, int replicas) {
      return index(me, replicas, List.of());
    }
  }

  static Decision decide(AllocationIndex idx, int batch) {
    return new AllocationDecider(batch).decide(idx, READY, new Random(1), null);
  }

  @Test
  void rule2UpdatesMasteredEntriesWithStaleStateFirst() {
    AllocationIndex idx = new View().member("me").item("a", "me=warming", "x").item("b", "x", "me=warming")
        .index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.UPDATE_MASTER_STATE);
    assertThat(d.actions()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.UPDATE);
      assertThat(a.item()).isEqualTo("a");
      assertThat(a.state()).isEqualTo("ready");
      assertThat(a.expectedModRevision()).isEqualTo(idx.summary("a").myEntry().modRevision());
    });
  }

  @Test
  void rule3UpdatesReplicas() {
    AllocationIndex idx = new View().member("me").member("x").item("b", "x", "me=warming").index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.UPDATE_REPLICA_STATE);
    assertThat(d.actions()).extracting(Action::item).containsExactly("b");
  }

  @Test
  void staleStateIsCheckedOnlyForCandidatesWhenGiven() {
    AllocationIndex idx = new View().member("me").member("x").item("a", "me=warming", "x")
        .item("b", "x", "me=warming").item("c", "me", "x").index("me", 1);
    AllocationDecider decider = new AllocationDecider(10);
    // Neither stale item is a candidate: no state rule applies.
    assertThat(decider.decide(idx, READY, new Random(1), java.util.Set.of("c")).rule()).isNotIn(Rule.UPDATE_MASTER_STATE, Rule.UPDATE_REPLICA_STATE);
    // A candidate replica is updated by UPDATE_REPLICA_STATE, a candidate master by UPDATE_MASTER_STATE first.
    Decision replica = decider.decide(idx, READY, new Random(1), java.util.Set.of("b", "c"));
    assertThat(replica.rule()).isEqualTo(Rule.UPDATE_REPLICA_STATE);
    assertThat(replica.actions()).extracting(Action::item).containsExactly("b");
    Decision master = decider.decide(idx, READY, new Random(1), java.util.Set.of("b", "a", "gone"));
    assertThat(master.rule()).isEqualTo(Rule.UPDATE_MASTER_STATE);
    assertThat(master.actions()).extracting(Action::item).containsExactly("a");
    // null = every held item, as the plain overload.
    assertThat(decider.decide(idx, READY, new Random(1), null)).isEqualTo(decide(idx, 10));
  }

  @Test
  void rule4ReleasesExtrasGuardedOnTheEntriesAheadOfThem() {
    AllocationIndex idx = new View().member("me").member("x").member("y").item("a", "x", "y", "me").index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.RELEASE_EXTRA);
    List<io.consensus.route.RouteEntry> entries = idx.summary("a").route().entries();
    // If x or y went meanwhile, "me" is a replica now and must not let go.
    assertThat(d.actions()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.RELEASE);
      assertThat(a.guards()).containsExactly(new Action.Guard("x", entries.get(0).modRevision()),
          new Action.Guard("y", entries.get(1).modRevision()));
    });
  }

  @Test
  void rule5HandsOffSurplusMastersOnlyWhenReady() {
    View v = new View().member("me").member("x").item("a", "me", "x").item("b", "me", "x=warming")
        .item("c", "me", "x");
    // 3 items, 2 members: want 2 masters, holds 3: release one that is ready (a or c, never b).
    Decision d = decide(v.index("me", 1), 10);
    assertThat(d.rule()).isEqualTo(Rule.HAND_OFF_MASTER);
    assertThat(d.actions()).singleElement().satisfies(a -> assertThat(a.item()).isIn("a", "c"));
  }

  @Test
  void aReplicaWhoseMemberIsLeavingDoesNotCountForHandoff() {
    // x's member key is gone: x is about to drop its replica, so "me" must not hand off a.
    AllocationIndex idx = new View().member("me").member("y").item("a", "me", "x").item("b", "y")
        .index("me", 1);
    assertThat(idx.summary("a").readyForHandoff()).isFalse();
    AllocationIndex present = new View().member("me").member("x").item("a", "me", "x").index("me", 1);
    assertThat(present.summary("a").readyForHandoff()).isTrue();
  }

  @Test
  void handOffGuardsTheReplicasItCountsOn() {
    View v = new View().member("me").member("x").item("a", "me", "x").item("b", "me", "x").item("c", "me", "x");
    AllocationIndex idx = v.index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.HAND_OFF_MASTER);
    Action a = d.actions().get(0);
    assertThat(a.guards()).containsExactly(
        new Action.Guard("x", idx.summary(a.item()).route().entries().get(1).modRevision()));
  }

  @Test
  void rule6ReleasesReplicasWhenMemberKeyIsGone() {
    AllocationIndex idx = new View().member("x").item("a", "x", "me").index("me", 1);
    assertThat(idx.memberPresent()).isFalse();
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.RELEASE_LEAVING_REPLICA);
    assertThat(d.actions()).extracting(Action::kind).containsExactly(Action.Kind.RELEASE);
    // Guarded on the master ahead: had it handed off to us meanwhile, we would be the master
    // and our release would leave the item without one.
    assertThat(d.actions().get(0).guards()).singleElement().satisfies(g -> {
      assertThat(g.member()).isEqualTo("x");
      assertThat(g.modRevision()).isEqualTo(idx.summary("a").route().entries().get(0).modRevision());
    });
  }

  @Test
  void aLeavingMasterWithoutReadyReplicasHoldsOn() {
    AllocationIndex idx = new View().member("x").item("a", "me", "x=warming").index("me", 1);
    assertThat(decide(idx, 10).outcome()).isEqualTo(Outcome.IDLE);
  }

  @Test
  void rule7TakesUnownedItemsUpToTheMasterTarget() {
    AllocationIndex idx = new View().member("me").member("x").item("a").item("b").item("c").item("d").item("e")
        .index("me", 0);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.TAKE_MASTERLESS);
    assertThat(d.actions()).hasSize(3).allSatisfy(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.CREATE);
      assertThat(a.markerCreateRevision()).isEqualTo(idx.summary(a.item()).markerCreateRevision()).isPositive();
    });
    // Seed-faithful mode: one action per round.
    assertThat(decide(idx, 1).actions()).hasSize(1);
  }

  @Test
  void theLoadingThrottleHoldsBackReplicaTakesButNeverMastersOfMasterlessItems() {
    Function<String, String> warming = item -> "warming";
    View v = new View().member("me").member("x").item("e", "me=warming", "x").item("f", "x", "me=warming");
    for (String i : List.of("a", "b", "c", "d")) {
      v.item(i, "x");
    }
    AllocationIndex idx = v.index("me", 1);
    assertThat(idx.loadingEntries()).isEqualTo(2);
    // At the limit: no replica take (nothing else applies).
    assertThat(new AllocationDecider(10).withMaxLoadingEntries(2).decide(idx, warming, new Random(1), null).actions())
        .isEmpty();
    // One below it: one take, though the member wants more.
    Decision one = new AllocationDecider(10).withMaxLoadingEntries(3).decide(idx, warming, new Random(1), null);
    assertThat(one.rule()).isEqualTo(Rule.TAKE_SHORT);
    assertThat(one.actions()).hasSize(1);
    assertThat(new AllocationDecider(10).decide(idx, warming, new Random(1), null).actions()).hasSizeGreaterThan(1);
    // Items without any master are taken whatever the loads in progress.
    AllocationIndex masterless = new View().member("me").member("x").item("e", "me=warming").item("a").item("b")
        .item("c").index("me", 1);
    Decision d = new AllocationDecider(10).withMaxLoadingEntries(1).decide(masterless, warming, new Random(1), null);
    assertThat(d.rule()).isEqualTo(Rule.TAKE_MASTERLESS);
    assertThat(d.actions()).isNotEmpty();
  }

  @Test
  void fixedItemsNeedNoMarkerGuard() {
    AllocationIndex idx = new View().member("me").index("me", 0, List.of("f"));
    Decision d = decide(idx, 10);
    assertThat(d.actions()).singleElement().satisfies(a -> {
      assertThat(a.item()).isEqualTo("f");
      assertThat(a.markerCreateRevision()).isZero();
    });
  }

  @Test
  void rule8TakesReplicasPreferringItemsWithAMaster() {
    AllocationIndex idx = new View().member("me").member("x").item("a", "me").item("b", "x").item("c")
        .index("me", 1);
    // want 2 masters / 4 total; holds 1 master. Rule 7 first takes the unowned c.
    assertThat(decide(idx, 10).rule()).isEqualTo(Rule.TAKE_MASTERLESS);
    AllocationIndex idx2 = new View().member("me").member("x").item("a", "me").item("b", "x").index("me", 1);
    // want 1 master / 2 total, holds 1: take a replica of b.
    Decision d = decide(idx2, 10);
    assertThat(d.rule()).isEqualTo(Rule.TAKE_SHORT);
    assertThat(d.actions()).extracting(Action::item).containsExactly("b");
  }

  @Test
  void refillingAfterACrashEachSurvivorTakesAFullBatchOfItsOwnShortItems() {
    // Issue 17: 9 survivors, R=2, every third item lost a copy (its holder crashed); all have the
    // same room (short items spread evenly over the holders). Each survivor is the designated taker of about 1 short item in 7 it does not hold:
    // a sample of 2 x maxBatch gave batches of ~18 (the refill took 3.5 x the transactions).
    View v = View.refillAfterCrash(3600);
    AllocationIndex m0 = v.index("m0", 2);
    AllocationIndex m1 = v.index("m1", 2);
    Decision d0 = decide(m0, 64);
    Decision d1 = decide(m1, 64);
    for (var pair : List.of(Map.entry(m0, d0), Map.entry(m1, d1))) {
      assertThat(pair.getValue().rule()).as(pair.getValue().toString()).isEqualTo(Rule.TAKE_SHORT);
      assertThat(pair.getValue().actions()).hasSize(64).allSatisfy(a -> {
        assertThat(a.kind()).isEqualTo(Action.Kind.CREATE);
        assertThat(pair.getKey().summary(a.item()).route().entries()).hasSize(2);
      });
    }
    // Designated picks: two survivors filling at once take different items (no race lost).
    assertThat(d0.actions()).extracting(Action::item)
        .doesNotContainAnyElementsOf(d1.actions().stream().map(Action::item).toList());
  }

  @Test
  void rule12ReleasesAReplicaAnUnderFullMemberCanTakeRatherThanAMaster() {
    // 3 items over 3 members, R=1: want 1 master / 2 total; me holds master a and replicas b
    // and c (3 total); y holds 1 entry and is not on b: the copy of b can move to y.
    AllocationIndex idx = new View().member("me").member("x").member("y")
        .item("a", "me", "x").item("b", "x", "me").item("c", "y", "me").index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.SURPLUS_REPLICA);
    assertThat(d.actions()).extracting(Action::item).containsExactly("b");
    assertThat(d.actions().get(0).kind()).isEqualTo(Action.Kind.RELEASE);
    // Every other entry of b must still stand: two members letting go at once would leave it short.
    assertThat(d.actions().get(0).guards()).extracting(Action.Guard::member).containsExactly("x");
  }

  @Test
  void rule5MovesASurplusMasterBehindItsReplicaInPlaceWhenTheReplicaWantsMasters() {
    // 2 items, 2 members, R=1: each wants 1 master; me masters both, x wants one.
    AllocationIndex idx = new View().member("me").member("x")
        .item("a", "me", "x").item("b", "me", "x").index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.HAND_OFF_MASTER);
    assertThat(d.actions()).hasSize(1);
    Action a = d.actions().get(0);
    assertThat(a.kind()).isEqualTo(Action.Kind.MOVE);
    assertThat(a.moved()).isFalse();
    assertThat(a.guards()).extracting(Action.Guard::member).containsExactly("x");
  }

  @Test
  void rule5MovesToTheHungriestSuccessorsFirstAndNoneMoreThanItWants() {
    // 12 items, 4 members, R=1: 3 masters each. me masters 8: a1-a4 with x behind (x masters 2:
    // wants 1), b1-b4 with y behind (y masters none: wants 3). z masters its 2 with me behind.
    View v = new View().member("me").member("x").member("y").member("z");
    for (int i = 1; i <= 4; i++) {
      v.item("a" + i, "me", "x").item("b" + i, "me", "y");
    }
    v.item("c1", "x", "z").item("c2", "x", "z").item("d1", "z", "me").item("d2", "z", "me");
    AllocationIndex idx = v.index("me", 1);
    assertThat(idx.masterTargetOf("y")).isEqualTo(3);
    for (long seed = 1; seed <= 20; seed++) {
      Decision d = new AllocationDecider(10).decide(idx, READY, new Random(seed), null);
      assertThat(d.rule()).isEqualTo(Rule.HAND_OFF_MASTER);
      assertThat(d.actions()).extracting(Action::kind).containsOnly(Action.Kind.MOVE);
      // y's three first, then x's one: 4 moves though me is 5 over its target.
      assertThat(d.actions()).extracting(a -> a.item().substring(0, 1)).containsExactly("b", "b", "b", "a");
      assertThat(d.actions()).extracting(Action::item).doesNotHaveDuplicates();
    }
  }

  @Test
  void aSurplusMasterIsNotMovedToAReplicaOverItsShareButReleasedAfterABackoff() {
    // 3 items, 3 members, R=1: 1 master each. me masters a and b, both with x (at its share)
    // behind; y wants one but holds no copy of a or b: after a back-off me lets one go (FORCED_HANDOFF),
    // y having room for the copy (a release no member wanting masters can take is never made).
    AllocationIndex idx = new View().member("me").member("x").member("y")
        .item("a", "me", "x").item("b", "me", "x").item("c", "x", "y").index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.outcome()).isEqualTo(Outcome.TAKE_AFTER_BACKOFF);
    assertThat(d.rule()).isEqualTo(Rule.FORCED_HANDOFF);
    assertThat(d.actions()).extracting(Action::kind).containsExactly(Action.Kind.RELEASE);
  }

  @Test
  void aSurplusMasterIsReleasedAfterABackoffWhenNoChainOfHandOffsReachesAMemberThatWantsOne() {
    // 4 items, 4 members, R=1: 1 master each. me masters a and b; y wants one and holds nothing:
    // no hand-off in place can reach it, but it can take a copy: me lets one go (FORCED_HANDOFF),
    // after a back-off (x and w are over their totals).
    AllocationIndex idx = new View().member("me").member("x").member("w").member("y")
        .item("a", "me", "x").item("b", "me", "w").item("c", "x", "w").item("d", "w", "x").index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.outcome()).isEqualTo(Outcome.TAKE_AFTER_BACKOFF);
    assertThat(d.rule()).isEqualTo(Rule.FORCED_HANDOFF);
    assertThat(d.actions()).extracting(Action::kind).containsExactly(Action.Kind.RELEASE);
  }

  @Test
  void aSurplusMasterWaitsWhileTheMemberThatWantsMastersHasShortItemsToTake() {
    // As above, but c is short of its replica and y (wanting a master, with room) holds no entry
    // of it: y is about to take a copy (TAKE_SHORT), and masters then reach it in place. A release
    // now would promote x (at its share) and place a copy for nothing: me waits.
    AllocationIndex idx = new View().member("me").member("x").member("y")
        .item("a", "me", "x").item("b", "me", "x").item("c", "x").index("me", 1);
    Decision d = decide(idx, 10);
    assertThat(d.outcome()).isEqualTo(Outcome.IDLE);
    assertThat(d.actions()).isEmpty();
  }

  @Test
  void rule11AFirstReplicaAtItsShareStepsBehindOneThatWantsMasters() {
    // 3 items, 3 members, R=2: 1 master each. x masters a and b (over), y none (wants one); me
    // masters c (at its share) and stands first behind x on a, with y behind me.
    AllocationIndex idx = new View().member("me").member("x").member("y")
        .item("a", "x", "me", "y").item("b", "x", "y", "me").item("c", "me", "x", "y").index("me", 2);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.STEP_ASIDE);
    assertThat(d.actions()).extracting(Action::item).containsExactly("a");
    assertThat(d.actions()).extracting(Action::kind).containsExactly(Action.Kind.MOVE);
  }

  @Test
  void aLeavingMemberHandsEachSuccessorOnlyItsDeficitThenWaitsForAStepAside() {
    // me is leaving (no member key); 9 items, x, y, z present: 3 masters each. me masters a, b, c,
    // all with x first in line; x, y and z master 2 each, so each wants one more.
    View v = new View().member("x").member("y").member("z")
        .item("a", "me", "x", "y").item("b", "me", "x", "y").item("c", "me", "x", "z")
        .item("d", "x", "y", "z").item("e", "x", "z", "y").item("f", "y", "x", "z").item("g", "y", "z", "x")
        .item("h", "z", "x", "y").item("i", "z", "y", "x");
    Decision first = decide(v.index("me", 2), 10);
    assertThat(first.rule()).isEqualTo(Rule.HAND_OFF_MASTER);
    assertThat(first.outcome()).isEqualTo(Outcome.ACT);
    assertThat(first.actions()).singleElement().extracting(Action::kind).isEqualTo(Action.Kind.RELEASE);
    // Released a: x is at its share. b and c still have x first, but y and z behind want one each:
    // x is about to step aside, so the rest goes only after a back-off.
    View after = new View().member("x").member("y").member("z")
        .item("a", "x", "y").item("b", "me", "x", "y").item("c", "me", "x", "z")
        .item("d", "x", "y", "z").item("e", "x", "z", "y").item("f", "y", "x", "z").item("g", "y", "z", "x")
        .item("h", "z", "x", "y").item("i", "z", "y", "x");
    Decision wait = decide(after.index("me", 2), 10);
    assertThat(wait.rule()).isEqualTo(Rule.HAND_OFF_MASTER);
    assertThat(wait.outcome()).isEqualTo(Outcome.TAKE_AFTER_BACKOFF);
    assertThat(wait.actions()).extracting(Action::item).containsExactlyInAnyOrder("b", "c");
    // Nobody behind wants masters any more: the hand-off goes at once, to whoever stands first.
    View full = new View().member("x").member("y").member("z")
        .item("a", "x", "y").item("b", "me", "x", "y").item("c", "y", "z")
        .item("d", "x", "y", "z").item("e", "x", "z", "y").item("f", "y", "x", "z").item("g", "y", "z", "x")
        .item("h", "z", "x", "y").item("i", "z", "y", "x").item("j", "x", "y", "z");
    AllocationIndex fullIdx = full.index("me", 2);
    assertThat(List.of("x", "y")).allSatisfy(m -> assertThat(fullIdx.mastersOf(m)).isEqualTo(fullIdx.masterTargetOf(m)));
    Decision go = decide(fullIdx, 10);
    assertThat(go.outcome()).isEqualTo(Outcome.ACT);
    assertThat(go.actions()).extracting(Action::item).containsExactly("b");
  }

  @Test
  void aReplicaAtItsShareStepsAsideBehindALeavingMasterOnlyAsFarAsTheOneBehindWantsMasters() {
    // 9 items, me, x, y present: 3 masters each. L (leaving, no member key) masters a, b and k;
    // me is first behind L on a and b with y behind; y is first on k (me behind), so y, wanting
    // two, gets k from L anyway: me steps aside on one of a, b only.
    View v = new View().member("me").member("x").member("y")
        .item("a", "L", "me", "y").item("b", "L", "me", "y").item("k", "L", "y", "me")
        .item("c", "me", "x", "y").item("d", "me", "x", "y").item("e", "me", "y", "x")
        .item("f", "x", "y", "me").item("g", "x", "me", "y").item("i", "y", "x", "me");
    Decision d = decide(v.index("me", 2), 10);
    assertThat(d.rule()).isEqualTo(Rule.STEP_ASIDE);
    assertThat(d.actions()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.MOVE);
      assertThat(a.item()).isIn("a", "b");
    });
  }

  @Test
  void aRestartingMemberMovesItsMastersAndKeepsItsReplicas() {
    // me's member key is gone (stopping for a restart): a is handed to x in place, b is kept.
    View v = new View().member("x").item("a", "me", "x").item("b", "x", "me");
    AllocationIndex idx = v.index("me", 1);
    AllocationDecider decider = new AllocationDecider(10).forRestart();
    Decision d = decider.decide(idx, READY, new Random(1), null);
    assertThat(d.rule()).isEqualTo(Rule.HAND_OFF_MASTER);
    assertThat(d.actions()).extracting(Action::item, Action::kind).containsExactly(
        org.assertj.core.groups.Tuple.tuple("a", Action.Kind.MOVE));
    // Once it masters nothing it is done; its replica stays.
    AllocationIndex after = new View().member("x").item("a", "x", "me").item("b", "x", "me").index("me", 1);
    assertThat(decider.decide(after, READY, new Random(1), null).outcome()).isEqualTo(Outcome.DONE);
    assertThat(after.replicasHeld()).isEqualTo(2);
  }

  @Test
  void rule1AdoptsEntriesLeftOnTheDeclaredRestartLeaseOnly() {
    // me now runs on lease 9; its previous incarnation declared a restart on lease 8 and left
    // a replica of a there; an entry of b on lease 5 (a crash, not declared) is not adopted.
    List<KeyValue> kvs = new ArrayList<>(List.of(
        new KeyValue("/r/members/me", "{}", 20, 20, 1, 9),
        new KeyValue("/r/members/x", "{}", 2, 2, 1, 7),
        KeyValue.of("/r/items/a", "", 3, 3),
        new KeyValue("/r/items/a/x", "ready", 4, 4, 1, 7),
        new KeyValue("/r/items/a/me", "ready", 5, 15, 2, 8),
        KeyValue.of("/r/items/b", "", 6, 6),
        new KeyValue("/r/items/b/x", "ready", 7, 7, 1, 7),
        new KeyValue("/r/items/b/me", "ready", 8, 8, 1, 5),
        new KeyValue("/r/restarts/me", "8", 16, 16, 1, 8)));
    AllocationIndex idx = new AllocationIndex("me", 9, 1, List.of(), (i, s) -> s.equals("ready"));
    idx.rebuild(KeyTree.fromSnapshot("/r", 20, kvs));
    assertThat(idx.restartLease()).isEqualTo(8);
    Decision d = decide(idx, 10);
    assertThat(d.rule()).isEqualTo(Rule.ADOPT);
    assertThat(d.actions()).extracting(Action::item, Action::kind, Action::expectedModRevision).containsExactly(
        org.assertj.core.groups.Tuple.tuple("a", Action.Kind.UPDATE, 15L));
    // A declaration whose key is not on the lease it names is ignored.
    kvs.set(kvs.size() - 1, new KeyValue("/r/restarts/me", "5", 16, 16, 1, 8));
    AllocationIndex idx2 = new AllocationIndex("me", 9, 1, List.of(), (i, s) -> s.equals("ready"));
    idx2.rebuild(KeyTree.fromSnapshot("/r", 20, kvs));
    assertThat(idx2.adoptable()).isZero();
  }

  @Test
  void rule10TakesAReplicaAfterBackoffAtBothTargets() {
    AllocationIndex idx = new View().member("me").member("x").member("y")
        .item("a", "me", "x").item("b", "x", "y").item("c", "y").index("me", 1);
    // want 1 / 2: me holds a (master) and... only 1 total: TAKE_SHORT takes c first.
    assertThat(decide(idx, 10).rule()).isEqualTo(Rule.TAKE_SHORT);
    AllocationIndex idx2 = new View().member("me").member("x").member("y")
        .item("a", "me", "x").item("b", "x", "me").item("c", "y").index("me", 1);
    Decision d = decide(idx2, 10);
    assertThat(d.outcome()).isEqualTo(Outcome.TAKE_AFTER_BACKOFF);
    assertThat(d.actions()).extracting(Action::item).containsExactly("c");
  }

  @Test
  void rule10AlsoAppliesBelowTheMasterTargetWhenNoItemIsUnowned() {
    // 5 items, 3 members, R=1: want ceil(5/3) = 2 masters, 4 in total. me holds 1 master and
    // 3 replicas (total at target), no item is unowned, and e is short with only y on it.
    AllocationIndex idx = new View().member("me").member("x").member("y")
        .item("a", "me", "x").item("b", "x", "me").item("c", "y", "me").item("d", "x", "me").item("e", "y")
        .index("me", 1);
    // x holds 3 of its 4 and is not on e: x takes it by TAKE_SHORT, no need for me to.
    assertThat(decide(idx, 10).outcome()).isEqualTo(Outcome.IDLE);
    // With x full too (it also holds f), nobody wanting more can fill e: me takes it after a back-off.
    AllocationIndex full = new View().member("me").member("x").member("y")
        .item("a", "me", "x").item("b", "x", "me").item("c", "y", "me").item("d", "x", "me").item("e", "y")
        .item("f", "y", "x").index("me", 1);
    Decision d = decide(full, 10);
    assertThat(d.outcome()).isEqualTo(Outcome.TAKE_AFTER_BACKOFF);
    assertThat(d.rule()).isEqualTo(Rule.TAKE_AFTER_BACKOFF);
    assertThat(d.actions()).extracting(Action::item).containsExactly("e");
  }

  @Test
  void doneWhenMemberKeyGoneAndNothingHeld() {
    assertThat(decide(new View().member("x").item("a", "x").index("me", 1), 10).outcome()).isEqualTo(Outcome.DONE);
    assertThat(decide(new View().member("me").item("a", "me").index("me", 0), 10).outcome())
        .isEqualTo(Outcome.IDLE);
  }

  @Test
  void anOutOfBandDirectoryNamedLikeMeIsNotMyEntry() {
    View v = new View().member("me");
    v.kvs.add(KeyValue.of("/r/items/some/me/deeper", "x", ++v.rev, v.rev));
    AllocationIndex idx = v.index("me", 1);
    assertThat(idx.summary("some").myIndex()).isZero();
    assertThat(idx.summary("some").myEntry()).isNull();
    assertThat(idx.entriesHeld()).isZero();
  }

  @Test
  void incrementalUpdatesEqualARebuild() {
    View v = new View().member("me").member("x").item("a", "me", "x").item("b", "x").item("c");
    AllocationIndex inc = v.index("me", 1);
    assertThat(inc.candidates().myMovable()).containsOnlyKeys("x");
    assertThat(inc.candidates().myMovable().get("x").all()).containsExactly("a");
    assertThat(inc.candidates().myFullReplicas().all()).isEmpty();
    KeyTree t = inc.tree();
    t = t.patch(io.consensus.tree.KeyEvent.put(new KeyValue("/r/items/b/me", "ready", 50, 50, 1, 7)));
    t = t.patch(io.consensus.tree.KeyEvent.delete("/r/items/a/x", 51));
    t = t.patch(io.consensus.tree.KeyEvent.delete("/r/items/c", 52));
    assertThat(inc.update(t, List.of("a", "b", "c"))).containsExactlyInAnyOrder("a", "b", "c");
    AllocationIndex fresh = new AllocationIndex("me", 1, List.of(), (i, s) -> s.equals("ready"));
    fresh.rebuild(t);
    for (String item : List.of("a", "b", "c")) {
      assertThat(inc.summary(item)).isEqualTo(fresh.summary(item));
    }
    assertThat(inc.summary("c")).isNull();
    assertThat(Map.of("masters", inc.mastersHeld(), "replicas", inc.replicasHeld()))
        .isEqualTo(Map.of("masters", fresh.mastersHeld(), "replicas", fresh.replicasHeld()));
    assertThat(inc.candidates().myReplicas().all()).containsExactlyInAnyOrderElementsOf(fresh.candidates().myReplicas().all());
    assertThat(inc.candidates().empty().all()).containsExactlyInAnyOrderElementsOf(fresh.candidates().empty().all());
    assertThat(inc.candidates().shortStaffed().all()).containsExactlyInAnyOrderElementsOf(fresh.candidates().shortStaffed().all());
    // a lost its replica (no longer movable: no empty set is kept), b gained ours (fully staffed).
    assertThat(inc.candidates().myMovable()).isEmpty();
    assertThat(fresh.candidates().myMovable()).isEmpty();
    assertThat(inc.candidates().myFullReplicas().all()).containsExactly("b")
        .containsExactlyElementsOf(fresh.candidates().myFullReplicas().all());
    assertThat(inc.itemsShortOfReplicas()).isEqualTo(fresh.itemsShortOfReplicas())
        .isEqualTo((int) fresh.summaries().stream().filter(x -> x.size() < 2).count());
  }
}
