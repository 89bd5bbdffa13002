package io.consensus.internal.member;

import io.consensus.verticle.ItemHandler;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeldItemStatesTest {
  @Test
  void aReportedStateTakesPrecedenceOverTheHandlersOrTheInitialOne() {
    HeldItemStates byDefault = new HeldItemStates(ItemHandler.DEFAULT, "warming");
    assertThat(byDefault.stateOf("a")).isEqualTo("warming");
    byDefault.report("a", "ready");
    assertThat(byDefault.stateOf("a")).isEqualTo("ready");
    assertThat(byDefault.stateOf("b")).isEqualTo("warming");

    HeldItemStates byHandler = new HeldItemStates(new ItemHandler() {
      @Override
      public String itemState(String item) {
        return "from-handler-" + item;
      }
    }, "warming");
    assertThat(byHandler.stateOf("a")).isEqualTo("from-handler-a");
    byHandler.report("a", "reported");
    assertThat(byHandler.stateOf("a")).isEqualTo("reported");
  }

  @Test
  void onlyStaleItemsThatChangedOrWereReportedAreCheckedUntilASweepFindsStaleOnes() {
    HeldItemStates s = new HeldItemStates(ItemHandler.DEFAULT, "ready");
    assertThat(s.sweepDue()).as("a sweep over every held item at first").isTrue();
    assertThat(s.toCheck()).isEmpty();
    // Held: a (stored "ready"), b (stored "warming"); the local state is "ready" for both.
    AllocationIndex index = new AllocationIndex("m1", 1, List.of(), (i, st) -> true);
    index.rebuild(KeyTree.fromSnapshot("/r", 10, List.of(
        new KeyValue("/r/members/m1", "", 1, 1, 1, 7),
        new KeyValue("/r/items/a/m1", "ready", 2, 2, 1, 7),
        new KeyValue("/r/items/b/m1", "warming", 3, 3, 1, 7),
        new KeyValue("/r/items/c/m2", "ready", 4, 4, 1, 8))));
    // Of the items that changed, only b is held with a stale state (c is not held: nothing to write).
    s.changed(Set.of("a", "b", "c"), index);
    assertThat(s.toCheck()).containsExactly("b");
    s.report("a", "warming");
    assertThat(s.toCheck()).containsExactlyInAnyOrder("a", "b");
    s.checked();
    assertThat(s.toCheck()).isEmpty();
    s.report("a", "ready");
    s.checked();
    boolean[] found = {false};
    LoopSlices.Job sweep = s.sweep(() -> index, () -> found[0] = true);
    while (!sweep.step()) {
      // bounded steps
    }
    sweep.finished();
    assertThat(s.sweepDue()).isFalse();
    assertThat(s.toCheck()).containsExactly("b");
    assertThat(found[0]).isTrue();
  }

  @Test
  void onlyAHandlerWithItsOwnStatesNeedsTheTicksSweep() {
    assertThat(new HeldItemStates(ItemHandler.DEFAULT, "ready").statesChangeUnseen()).isFalse();
    assertThat(new HeldItemStates(new ItemHandler() {
      @Override
      public String itemState(String item) {
        return "x";
      }
    }, "ready").statesChangeUnseen()).isTrue();
  }
}
