package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The placement rules (limits, drain, maintenance, per-item R, zones) on hand-built views, without etcd. */
class PlacementRulesTest {
  /** A view whose member keys and markers carry values. */
  static final class View {
    final List<KeyValue> kvs = new ArrayList<>();
    long rev = 1;

    View member(String m, String value) {
      kvs.add(new KeyValue("/r/members/" + m, value, ++rev, rev, 1, 7));
      return this;
    }

    View key(String path, String value) {
      kvs.add(KeyValue.of("/r/" + path, value, ++rev, rev));
      return this;
    }

    View item(String item, String marker, String... members) {
      kvs.add(KeyValue.of("/r/items/" + item, marker, ++rev, rev));
      for (String m : members) {
        kvs.add(new KeyValue("/r/items/" + item + "/" + m, "ready", ++rev, rev, 1, 7));
      }
      return this;
    }

    AllocationIndex index(String me, int replicas) {
      AllocationIndex idx = new AllocationIndex(me, replicas, List.of(), (i, s) -> s.equals("ready"))
          .specs(new io.consensus.internal.member.JsonSpecReader("/r"));
      idx.rebuild(KeyTree.fromSnapshot("/r", rev, kvs));
      return idx;
    }
  }

  static Decision decide(AllocationIndex idx) {
    return new AllocationDecider(16).decide(idx, i -> "ready", new Random(1), null);
  }

  @Test
  void takesStopAtTheItemLimit() {
    View v = new View().member("me", "{\"itemLimit\": 2}");
    for (int i = 0; i < 5; i++) {
      v.item("i" + i, "");
    }
    AllocationIndex idx = v.index("me", 0);
    Decision d = decide(idx);
    assertThat(d.rule()).isEqualTo(Rule.TAKE_MASTERLESS);
    assertThat(d.actions()).hasSize(2);
    assertThat(idx.room()).isEqualTo(2);
    assertThat(idx.unattainableSlots()).isEqualTo(3);
    // Full: nothing more, not even after a back-off.
    View full = new View().member("me", "{\"itemLimit\": 2}").item("a", "", "me").item("b", "", "me").item("c", "");
    assertThat(decide(full.index("me", 0)).outcome()).isEqualTo(Decision.Outcome.IDLE);
  }

  @Test
  void noMasterIsLetGoWhoseCopyNoMemberWantingMastersCanTake() {
    // 4 items, R=1, 1 master each. me masters a and b (over); y wants one but is at its item limit
    // (its only entry a replica of d) and no chain of hand-offs in place from me reaches it (me's
    // successor x masters c with me behind). A release would be taken back by a member at its
    // share while x, promoted over its share, did the same: the livelock of issue 20. me stays idle.
    AllocationIndex idx = new View().member("me", "{}").member("x", "{}").member("z", "{}")
        .member("y", "{\"itemLimit\": 1}")
        .item("a", "", "me", "x").item("b", "", "me", "x").item("c", "", "x", "me").item("d", "", "z", "y")
        .index("me", 1);
    assertThat(idx.masterTargetOf("y")).isEqualTo(1);
    assertThat(idx.mastersHeld()).isEqualTo(2);
    Decision d = decide(idx);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.IDLE);
    // Reachable in place (c behind x goes to z, which masters d with y behind): me moves behind x.
    AllocationIndex chain = new View().member("me", "{}").member("x", "{}").member("z", "{}")
        .member("y", "{\"itemLimit\": 1}")
        .item("a", "", "me", "x").item("b", "", "me", "x").item("c", "", "x", "z").item("d", "", "z", "y")
        .index("me", 1);
    Decision m = decide(chain);
    assertThat(m.rule()).isEqualTo(Rule.FORCED_HANDOFF);
    assertThat(m.actions()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.MOVE);
      assertThat(a.item()).isIn("a", "b");
    });
  }

  @Test
  void aFullMemberLetsAReplicaGoForAMasterWhileCapacityIsShort() {
    AllocationIndex idx = new View().member("x", "{\"itemLimit\": 2}").member("me", "{\"itemLimit\": 1}")
        .item("b", "", "x", "me").item("a", "").index("me", 1);
    assertThat(idx.targets().masters()).isEqualTo(1);
    Decision d = decide(idx);
    assertThat(d.rule()).isEqualTo(Rule.MAKE_ROOM);
    assertThat(d.actions()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.RELEASE);
      assertThat(a.item()).isEqualTo("b");
      assertThat(a.guards()).extracting(Action.Guard::member).containsExactly("x");
    });
  }

  @Test
  void aDrainedMemberTakesNothingMovesMastersThenDropsReplicas() {
    View empty = new View().member("me", "{}").key("drained/me", "{}").item("a", "");
    AllocationIndex idle = empty.index("me", 0);
    assertThat(idle.drained()).isTrue();
    assertThat(decide(idle).outcome()).isEqualTo(Decision.Outcome.IDLE);

    AllocationIndex master = new View().member("x", "{}").member("me", "{\"drained\": true}")
        .item("a", "", "me", "x").item("b", "", "x", "me").index("me", 1);
    Decision d = decide(master);
    assertThat(d.rule()).isEqualTo(Rule.HAND_OFF_MASTER);
    assertThat(d.actions()).singleElement().satisfies(a -> assertThat(a.kind()).isEqualTo(Action.Kind.MOVE));

    AllocationIndex replicas = new View().member("x", "{}").member("y", "{}").member("me", "{}")
        .key("drained/me", "").item("b", "", "x", "me").index("me", 1);
    Decision r = decide(replicas);
    assertThat(r.rule()).isEqualTo(Rule.DRAIN);
    assertThat(r.actions()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.RELEASE);
      assertThat(a.guards()).extracting(Action.Guard::member).containsExactly("x");
    });
  }

  @Test
  void maintenanceStopsBalancingButNotStaffing() {
    // me masters both items, x wants one: HAND_OFF_MASTER moves one, unless in maintenance.
    View v = new View().member("me", "{}").member("x", "{}").item("a", "", "me", "x").item("b", "", "me", "x");
    assertThat(decide(v.index("me", 1)).rule()).isEqualTo(Rule.HAND_OFF_MASTER);
    v.key("maintenance", "{}");
    AllocationIndex idx = v.index("me", 1);
    assertThat(idx.maintenance()).isTrue();
    assertThat(decide(idx).outcome()).isEqualTo(Decision.Outcome.IDLE);
    // A masterless item is still taken.
    v.item("c", "");
    AllocationIndex x = v.index("x", 1);
    Decision d = decide(x);
    assertThat(d.rule()).isEqualTo(Rule.TAKE_MASTERLESS);
    assertThat(d.actions()).extracting(Action::item).containsExactly("c");
  }

  @Test
  void anItemMarkerSetsItsOwnReplicas() {
    AllocationIndex idx = new View().member("x", "{}").member("y", "{}").member("me", "{}")
        .item("wide", "{\"replicas\": 2}", "x", "y").item("bad", "{\"replicas\": -2}", "x", "y")
        .item("solo", "{\"replicas\": 0}", "x", "y").index("me", 1);
    assertThat(idx.summary("wide").replicas()).isEqualTo(2);
    assertThat(idx.summary("bad").replicas()).as("bad value: the fleet's R").isEqualTo(1);
    assertThat(idx.summary("solo").replicas()).isZero();
    assertThat(idx.itemsShortOfReplicas()).isEqualTo(1);
    Decision d = decide(idx);
    assertThat(d.rule()).isEqualTo(Rule.TAKE_SHORT);
    assertThat(d.actions()).extracting(Action::item).containsExactly("wide");
    // y is an extra of solo now: it releases from the tail, guarded on the master.
    Decision extra = decide(new View().member("x", "{}").member("y", "{}")
        .item("solo", "{\"replicas\": 0}", "x", "y").index("y", 1));
    assertThat(extra.rule()).isEqualTo(Rule.RELEASE_EXTRA);
    assertThat(extra.actions()).singleElement().satisfies(a ->
        assertThat(a.guards()).extracting(Action.Guard::member).containsExactly("x"));
  }

  @Test
  void aTakeSkipsItemsInItsZoneWhileAMissingZoneHasRoom() {
    View v = new View().member("x", "{\"zone\": \"z1\"}").member("me", "{\"zone\": \"z1\"}")
        .item("a", "", "x").item("b", "", "me");
    // Only z1 members: the item takes a second z1 entry (as many zones as there are).
    assertThat(decide(v.index("me", 1)).actions()).extracting(Action::item).containsExactly("a");
    v.member("y", "{\"zone\": \"z2\"}");
    AllocationIndex idx = v.index("me", 1);
    assertThat(decide(idx).actions()).extracting(Action::item).doesNotContain("a");
    assertThat(decide(v.index("y", 1)).actions()).extracting(Action::item).contains("a");
  }

  @Test
  void aReplicaDoubledInAZoneGoesWhenAMissingZoneHasRoom() {
    AllocationIndex idx = new View().member("x", "{\"zone\": \"z1\"}").member("me", "{\"zone\": \"z1\"}")
        .member("y", "{\"zone\": \"z2\"}").item("a", "", "x", "me").item("b", "", "me", "y").index("me", 1);
    Decision d = decide(idx);
    assertThat(d.rule()).isEqualTo(Rule.ZONE_SPREAD);
    assertThat(d.actions()).singleElement().satisfies(a -> {
      assertThat(a.item()).isEqualTo("a");
      assertThat(a.guards()).extracting(Action.Guard::member).containsExactly("x");
    });
  }

  @Test
  void aMemberTheZoneRuleKeepsOffIsNobodysDesignatedTakerSoTakesStayBatched() {
    // a2 has the most room, but every short item already has zone A: the zone rule keeps it
    // off them while zone C (c1, c2) has room. Designating a2 anyway left those items to no
    // member's batch: c1 took them one per transaction.
    View v = new View().member("a1", "{\"zone\": \"A\"}").member("a2", "{\"zone\": \"A\"}")
        .member("b1", "{\"zone\": \"B\"}").member("c1", "{\"zone\": \"C\"}").member("c2", "{\"zone\": \"C\"}");
    for (int i = 0; i < 30; i++) {
      v.item("i" + i, "", "a1", "b1");
    }
    for (int i = 0; i < 6; i++) {
      v.item("y" + i, "", "b1", "c1", "c2");
    }
    AllocationIndex idx = v.index("c1", 2);
    Decision d = decide(idx);
    assertThat(d.rule()).isEqualTo(Rule.TAKE_SHORT);
    assertThat(d.actions()).hasSizeGreaterThan(1).allSatisfy(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.CREATE);
      assertThat(a.item()).startsWith("i");
    });
  }
}
