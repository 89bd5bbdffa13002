package io.consensus.internal.member;

import io.consensus.verticle.ItemHandler;
import static org.assertj.core.api.Assertions.assertThat;

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
  void everyHeldItemIsCheckedFirstThenOnlyThoseThatChangedOrWereReported() {
    HeldItemStates s = new HeldItemStates(ItemHandler.DEFAULT, "ready");
    assertThat(s.toCheck()).as("all at first").isNull();
    s.checked();
    assertThat(s.toCheck()).isEmpty();
    s.changed(Set.of("a", "b"));
    s.report("c", "warming");
    assertThat(s.toCheck()).containsExactlyInAnyOrder("a", "b", "c");
    s.checkAll();
    assertThat(s.toCheck()).isNull();
    s.checked();
    assertThat(s.toCheck()).isEmpty();
  }
}
