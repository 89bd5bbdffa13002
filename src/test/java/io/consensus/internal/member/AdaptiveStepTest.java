package io.consensus.internal.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdaptiveStepTest {
  @Test
  void growsWhileStepsAreCheapUpToTheMost() {
    AdaptiveStep s = new AdaptiveStep(32, 256);
    assertThat(s.size()).isEqualTo(32);
    s.took(AdaptiveStep.CHEAP_NANOS - 1);
    assertThat(s.size()).isEqualTo(64);
    for (int i = 0; i < 10; i++) {
      s.took(0);
    }
    assertThat(s.size()).isEqualTo(256);
  }

  @Test
  void shrinksAfterADearStepDownToOne() {
    AdaptiveStep s = new AdaptiveStep(256, 256);
    s.took(AdaptiveStep.DEAR_NANOS + 1);
    assertThat(s.size()).isEqualTo(128);
    for (int i = 0; i < 20; i++) {
      s.took(60_000_000L);
    }
    assertThat(s.size()).isEqualTo(1);
  }

  @Test
  void keepsItsSizeBetweenCheapAndDearOrWhenTheCpuIsUnknown() {
    AdaptiveStep s = new AdaptiveStep(64, 256);
    s.took(AdaptiveStep.CHEAP_NANOS);
    s.took(AdaptiveStep.DEAR_NANOS);
    s.took(-1);
    assertThat(s.size()).isEqualTo(64);
  }

  @Test
  void refusesSizesThatCannotBeSteps() {
    assertThatThrownBy(() -> new AdaptiveStep(0, 256)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AdaptiveStep(300, 256)).isInstanceOf(IllegalArgumentException.class);
  }
}
