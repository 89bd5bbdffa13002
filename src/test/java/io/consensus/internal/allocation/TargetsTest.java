package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The targets members with default specs get, through {@link TargetShares} (the one path that computes them). */
class TargetsTest {
  /** Targets of the member of seniority {@code rank} among {@code members} with default specs. */
  static Targets of(int items, int members, int rank, int replicas) {
    List<TargetShares.Candidate> seniority = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      seniority.add(new TargetShares.Candidate("m" + i, MemberSpec.DEFAULT));
    }
    TargetShares p = TargetShares.of(seniority, items, (long) items * (replicas + 1),
        cap -> (long) items * Math.min(replicas + 1, cap));
    return p.of("m" + rank);
  }

  @Test
  void mastersAreExactSharesWithTheRemainderToTheMostSenior() {
    // 6 items, 2 members, R=2: 3 masters / 9 entries each.
    assertThat(of(6, 2, 0, 2)).isEqualTo(new Targets(3, 9));
    assertThat(of(6, 2, 1, 2)).isEqualTo(new Targets(3, 9));
    // 5 items: 3 masters for the senior member, 2 for the other; both may hold 9 entries.
    assertThat(of(5, 2, 0, 2)).isEqualTo(new Targets(3, 9));
    assertThat(of(5, 2, 1, 2)).isEqualTo(new Targets(2, 9));
    assertThat(of(3, 1, 0, 0)).isEqualTo(new Targets(3, 3));
    assertThat(of(240, 4, 3, 2)).isEqualTo(new Targets(60, 180));
    assertThat(of(1, 3, 2, 1)).isEqualTo(new Targets(0, 2));
  }

  @Test
  void sharesAddUpToTheItems() {
    for (int n : new int[] {1, 7, 100, 1000, 10_000}) {
      for (int m = 1; m <= 11; m++) {
        int items = n;
        int members = m;
        int sum = IntStream.range(0, m).map(rank -> of(items, members, rank, 2).masters()).sum();
        assertThat(sum).as("%d items over %d members", n, m).isEqualTo(n);
      }
    }
  }

  @Test
  void noItemsNoTargets() {
    assertThat(of(0, 2, 0, 2)).isEqualTo(new Targets(0, 0));
  }

  @Test
  void aLeavingMemberWantsNothing() {
    // Member key gone: the index gives the member no targets, whatever the others want.
    AllocationIndex idx = new PlacementRulesTest.View().member("x", "{}").member("y", "{}")
        .item("a", "").item("b", "").index("me", 1);
    assertThat(idx.targets()).isEqualTo(new Targets(0, 0));
  }
}
