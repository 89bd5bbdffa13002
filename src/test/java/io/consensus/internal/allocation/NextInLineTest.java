package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Rule#NEXT_IN_LINE} on hand-built views, without etcd. */
class NextInLineTest {
  static Decision decide(AllocationIndex idx, int batch) {
    return new AllocationDecider(batch).decide(idx, i -> "ready", new Random(1), null);
  }

  /**
   * 9 items, R = 2, members me, x, y (each holds every item, 3 masters each: a quiet fleet). x's
   * three items all have me first and y second; behind me and y the first places are within one.
   */
  static PlacementRulesTest.View quiet(String meSpec, String xSpec, String ySpec) {
    return new PlacementRulesTest.View().member("me", meSpec).member("x", xSpec).member("y", ySpec)
        .item("a", "", "x", "me", "y").item("b", "", "x", "me", "y").item("c", "", "x", "me", "y")
        .item("d", "", "me", "x", "y").item("e", "", "me", "y", "x").item("f", "", "me", "x", "y")
        .item("g", "", "y", "x", "me").item("h", "", "y", "me", "x").item("i", "", "y", "x", "me");
  }

  static PlacementRulesTest.View quiet() {
    return quiet("{}", "{}", "{}");
  }

  @Test
  void aFirstReplicaTwoAheadOfTheNextStepsBehindItInPlace() {
    AllocationIndex idx = quiet().index("me", 2);
    assertThat(idx.firstReplicasOf("x", "me")).isEqualTo(3);
    assertThat(idx.firstReplicasOf("x", "y")).isZero();
    assertThat(NextInLine.quiet(idx)).isTrue();
    // 3 against 0: one move evens them (2 and 1), however large the batch.
    Decision d = decide(idx, 64);
    assertThat(d.rule()).isEqualTo(Rule.NEXT_IN_LINE);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.ACT);
    assertThat(d.actions()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Action.Kind.MOVE);
      assertThat(a.item()).isIn("a", "b", "c");
      ItemSummary s = idx.summary(a.item());
      // Guarded as STEP_ASIDE: my entry's mod revision, and every other entry as seen.
      assertThat(a.expectedModRevision()).isEqualTo(s.myEntry().modRevision());
      assertThat(a.state()).isEqualTo("ready");
      assertThat(a.guards()).containsExactlyInAnyOrder(
          new Action.Guard("x", s.route().entries().get(0).modRevision()),
          new Action.Guard("y", s.route().entries().get(2).modRevision()));
    });
  }

  @Test
  void withinOneItIsIdleAndTheIncrementalCountsMatchARebuild() {
    AllocationIndex idx = quiet().index("me", 2);
    String item = decide(idx, 64).actions().get(0).item();
    // The move as etcd applies it: my key goes, my moved key comes at a new revision (last in line).
    KeyTree t = idx.tree();
    t = t.patch(KeyEvent.delete("/r/items/" + item + "/me", 100));
    t = t.patch(KeyEvent.put(new KeyValue("/r/items/" + item + "/me/moved", "ready", 100, 100, 1, 7)));
    idx.update(t, List.of(item));
    AllocationIndex fresh = new AllocationIndex("me", 2, List.of(), (i, s) -> s.equals("ready"));
    fresh.rebuild(t);
    for (String m : List.of("me", "y")) {
      assertThat(idx.firstReplicasOf("x", m)).isEqualTo(fresh.firstReplicasOf("x", m));
    }
    assertThat(idx.firstReplicasOf("x", "me")).isEqualTo(2);
    assertThat(idx.firstReplicasOf("x", "y")).isEqualTo(1);
    assertThat(idx.candidates().myNextInLine().get("x").get("y").all())
        .containsExactlyInAnyOrderElementsOf(fresh.candidates().myNextInLine().get("x").get("y").all())
        .hasSize(2).doesNotContain(item);
    // 2 against 1: nothing to do, and nothing is written.
    Decision d = decide(idx, 64);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.IDLE);
    assertThat(d.actions()).isEmpty();
  }

  @Test
  void membersThatCouldGiveTheSameReceiverEachGiveOnlyTheirPart() {
    // 32 items, R = 2, me, x, y, z: 8 masters and 24 entries each (quiet). Behind x, me and z
    // stand first 4 times each, always with y second; y stands first nowhere behind x. Alone, me
    // would give y 2 (4 against 0); with z able to give y too on its own view, me gives 1.
    PlacementRulesTest.View v = new PlacementRulesTest.View().member("me", "{}").member("x", "{}")
        .member("y", "{}").member("z", "{}");
    int n = 0;
    n = items(v, n, 4, "x", "me", "y");
    n = items(v, n, 4, "x", "z", "y");
    n = items(v, n, 2, "me", "x", "y");
    n = items(v, n, 2, "me", "y", "x");
    n = items(v, n, 2, "me", "x", "z");
    n = items(v, n, 2, "me", "z", "x");
    n = items(v, n, 2, "y", "z", "x");
    n = items(v, n, 2, "y", "x", "z");
    n = items(v, n, 2, "y", "z", "me");
    n = items(v, n, 2, "y", "me", "z");
    n = items(v, n, 1, "z", "me", "y");
    n = items(v, n, 3, "z", "y", "me");
    n = items(v, n, 2, "z", "me", "x");
    n = items(v, n, 2, "z", "x", "me");
    AllocationIndex idx = v.index("me", 2);
    assertThat(n).isEqualTo(32);
    for (String m : List.of("me", "x", "y", "z")) {
      assertThat(idx.mastersOf(m)).as(m).isEqualTo(8);
      assertThat(idx.entriesOf(m)).as(m).isEqualTo(24);
    }
    Decision d = decide(idx, 64);
    assertThat(d.rule()).isEqualTo(Rule.NEXT_IN_LINE);
    assertThat(d.actions()).singleElement()
        .satisfies(a -> assertThat(idx.summary(a.item()).route().memberAt(0)).isEqualTo("x"));
  }

  private static int items(PlacementRulesTest.View v, int from, int count, String... members) {
    for (int i = 0; i < count; i++) {
      v.item(String.format("i%02d", from + i), "", members);
    }
    return from + count;
  }

  @Test
  void itWaitsWhileTheFleetIsNotQuiet() {
    // x masters a, b, c and d (over its share of 3), me only e and f: HAND_OFF_MASTER is x's to do.
    AllocationIndex over = new PlacementRulesTest.View().member("me", "{}").member("x", "{}").member("y", "{}")
        .item("a", "", "x", "me", "y").item("b", "", "x", "me", "y").item("c", "", "x", "me", "y")
        .item("d", "", "x", "me", "y").item("e", "", "me", "y", "x").item("f", "", "me", "x", "y")
        .item("g", "", "y", "x", "me").item("h", "", "y", "me", "x").item("i", "", "y", "x", "me")
        .index("me", 2);
    assertThat(NextInLine.quiet(over)).isFalse();
    assertThat(decide(over, 64).rule()).isNotEqualTo(Rule.NEXT_IN_LINE);
    // Maintenance mode: no balancing move.
    AllocationIndex maintenance = quiet().key("maintenance", "{}").index("me", 2);
    assertThat(decide(maintenance, 64).outcome()).isEqualTo(Decision.Outcome.IDLE);
    // A restart declared: targets shift back when the member returns.
    AllocationIndex restart = quiet().key("restarts/w", "7").index("me", 2);
    assertThat(decide(restart, 64).outcome()).isEqualTo(Decision.Outcome.IDLE);
    // An item short of a replica (nobody can take it: every member holds it).
    AllocationIndex shortItem = quiet().item("j", "", "y", "x").index("me", 2);
    assertThat(decide(shortItem, 64).rule()).isNotEqualTo(Rule.NEXT_IN_LINE);
  }

  @Test
  void itKeepsOrdersWithinAZoneAsTheyAre() {
    // me and y share zone z1: moving me behind y would change which of them is doubled in z1.
    AllocationIndex idx = quiet("{\"zone\": \"z1\"}", "{\"zone\": \"z2\"}", "{\"zone\": \"z1\"}").index("me", 2);
    assertThat(decide(idx, 64).rule()).isNotEqualTo(Rule.NEXT_IN_LINE);
    // In different zones, it evens them as without zones.
    AllocationIndex apart = quiet("{\"zone\": \"z1\"}", "{\"zone\": \"z2\"}", "{\"zone\": \"z3\"}").index("me", 2);
    assertThat(decide(apart, 64).rule()).isEqualTo(Rule.NEXT_IN_LINE);
  }

  @Test
  void itStepsBehindOnlyAReadySecond() {
    // y is still loading b and c: only a, where y is ready, may make it first in line.
    PlacementRulesTest.View v = quiet();
    v.kvs.replaceAll(kv -> kv.key().equals("/r/items/b/y") || kv.key().equals("/r/items/c/y")
        ? new KeyValue(kv.key(), "loading", kv.createRevision(), kv.modRevision(), 1, 7) : kv);
    Decision d = decide(v.index("me", 2), 64);
    assertThat(d.rule()).isEqualTo(Rule.NEXT_IN_LINE);
    assertThat(d.actions()).extracting(Action::item).containsExactly("a");
    v.kvs.replaceAll(kv -> kv.key().equals("/r/items/a/y")
        ? new KeyValue(kv.key(), "loading", kv.createRevision(), kv.modRevision(), 1, 7) : kv);
    assertThat(decide(v.index("me", 2), 64).outcome()).isEqualTo(Decision.Outcome.IDLE);
  }
}
