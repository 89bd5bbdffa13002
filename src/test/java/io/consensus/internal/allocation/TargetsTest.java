package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TargetsTest {
  @Test
  void mastersAreExactSharesWithTheRemainderToTheMostSenior() {
    // 6 items, 2 members, R=2: 3 masters / 9 entries each.
    assertThat(Targets.of(6, 2, 0, 2, true)).isEqualTo(new Targets(3, 9));
    assertThat(Targets.of(6, 2, 1, 2, true)).isEqualTo(new Targets(3, 9));
    // 5 items: 3 masters for the senior member, 2 for the other; both may hold 9 entries.
    assertThat(Targets.of(5, 2, 0, 2, true)).isEqualTo(new Targets(3, 9));
    assertThat(Targets.of(5, 2, 1, 2, true)).isEqualTo(new Targets(2, 9));
    assertThat(Targets.of(3, 1, 0, 0, true)).isEqualTo(new Targets(3, 3));
    assertThat(Targets.of(240, 4, 3, 2, true)).isEqualTo(new Targets(60, 180));
    assertThat(Targets.of(1, 3, 2, 1, true)).isEqualTo(new Targets(0, 2));
  }

  @Test
  void sharesAddUpToTheItems() {
    for (int n : new int[] {1, 7, 100, 1000, 10_000}) {
      for (int m = 1; m <= 11; m++) {
        int items = n;
        int members = m;
        int sum = IntStream.range(0, m).map(rank -> Targets.of(items, members, rank, 2, true).masters()).sum();
        assertThat(sum).as("%d items over %d members", n, m).isEqualTo(n);
      }
    }
  }

  @Test
  void aLeavingMemberWantsNothing() {
    assertThat(Targets.of(6, 2, 0, 2, false)).isEqualTo(new Targets(0, 0));
    assertThat(Targets.of(0, 2, 0, 2, true)).isEqualTo(new Targets(0, 0));
  }
}
