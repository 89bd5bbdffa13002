package io.consensus.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TargetsTest {
  @Test
  void mastersAreCeilOfItemsOverMembers() {
    assertThat(Targets.of(6, 2, 2, true)).isEqualTo(new Targets(3, 9));
    assertThat(Targets.of(5, 2, 2, true)).isEqualTo(new Targets(3, 9));
    assertThat(Targets.of(3, 1, 0, true)).isEqualTo(new Targets(3, 3));
    assertThat(Targets.of(240, 4, 2, true)).isEqualTo(new Targets(60, 180));
    assertThat(Targets.of(1, 3, 1, true)).isEqualTo(new Targets(1, 2));
  }

  @Test
  void aLeavingMemberWantsNothing() {
    assertThat(Targets.of(6, 2, 2, false)).isEqualTo(new Targets(0, 0));
    assertThat(Targets.of(0, 2, 2, true)).isEqualTo(new Targets(0, 0));
  }
}
