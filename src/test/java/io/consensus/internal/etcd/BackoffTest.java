package io.consensus.internal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void theCeilingDoublesFromTheBaseUpToTheCap() {
    assertThat(Backoff.ceilingMillis(250, 5000, 1)).isEqualTo(250);
    assertThat(Backoff.ceilingMillis(250, 5000, 3)).isEqualTo(1000);
    assertThat(Backoff.ceilingMillis(250, 5000, 6)).isEqualTo(5000);
    assertThat(Backoff.ceilingMillis(250, 5000, Integer.MAX_VALUE)).isEqualTo(5000);
  }

  @Test
  void everyDelayIsWithinOneMillisecondAndItsAttemptsCeiling() {
    Backoff b = new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), new Random(1));
    for (int round = 0; round < 200; round++) {
      b.reset();
      for (int attempt = 1; attempt <= 8; attempt++) {
        long d = b.nextDelayMillis();
        assertThat(d).as("attempt %d", attempt).isBetween(1L, Backoff.ceilingMillis(50, 300, attempt));
      }
    }
  }

  @Test
  void theCapHoldsForever() {
    Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofMillis(5000), new Random(2));
    long max = 0;
    for (int i = 0; i < 10_000; i++) {
      max = Math.max(max, b.nextDelayMillis());
    }
    assertThat(max).isLessThanOrEqualTo(5000).isGreaterThan(4000); // capped, and the cap's window is used
    assertThat(b.attempts()).isEqualTo(63);
  }

  @Test
  void jitterSpreadsMembersThatFailedTogether() {
    // Twenty members whose calls failed at the same moment (an etcd restart) retry at 20 different times.
    Set<Long> firstRetries = new HashSet<>();
    Random seeds = new Random(3);
    for (int m = 0; m < 20; m++) {
      Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(5000), new Random(seeds.nextLong()));
      firstRetries.add(b.nextDelayMillis());
    }
    assertThat(firstRetries).hasSizeGreaterThan(15);
  }

  @Test
  void aSeededScheduleIsReproducibleAndResetStartsOver() {
    List<Long> a = delays(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(7)), 6);
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(7));
    assertThat(delays(b, 6)).isEqualTo(a);
    b.reset();
    assertThat(b.attempts()).isZero();
    assertThat(b.nextDelayMillis()).isBetween(1L, 100L);
    assertThat(b.attempts()).isEqualTo(1);
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(10), Duration.ofMillis(5)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Long> delays(Backoff b, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(b.nextDelayMillis());
    }
    return out;
  }
}
