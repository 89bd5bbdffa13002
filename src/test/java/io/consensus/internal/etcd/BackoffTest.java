package io.consensus.internal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesFromTheMinimumUpToTheBoundAndResets() {
    Backoff b = new Backoff(Duration.ofMillis(50), Duration.ofMillis(300));
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      delays.add(b.nextDelayMillis());
    }
    assertThat(delays).containsExactly(50L, 100L, 200L, 300L, 300L, 300L);
    b.reset();
    assertThat(b.nextDelayMillis()).isEqualTo(50);
  }

  @Test
  void staysBoundedForever() {
    Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofMillis(5000));
    long last = 0;
    for (int i = 0; i < 1000; i++) {
      last = b.nextDelayMillis();
    }
    assertThat(last).isEqualTo(5000);
    assertThat(Backoff.delayMillis(250, 5000, 1)).isEqualTo(250);
    assertThat(Backoff.delayMillis(250, 5000, 3)).isEqualTo(1000);
    assertThat(Backoff.delayMillis(250, 5000, Integer.MAX_VALUE)).isEqualTo(5000);
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(10), Duration.ofMillis(5)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
