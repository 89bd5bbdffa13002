package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TargetSharesTest {
  private static List<TargetShares.Candidate> members(MemberSpec... specs) {
    List<TargetShares.Candidate> out = new ArrayList<>();
    for (int i = 0; i < specs.length; i++) {
      out.add(new TargetShares.Candidate("m" + i, specs[i]));
    }
    return out;
  }

  private static TargetShares uniform(List<TargetShares.Candidate> seniority, int items, int replicas) {
    return TargetShares.of(seniority, items, (long) items * (replicas + 1),
        cap -> (long) items * Math.min(replicas + 1, cap));
  }

  private static MemberSpec limit(int l) {
    return new MemberSpec(null, l, 1, false);
  }

  private static MemberSpec weight(double w) {
    return new MemberSpec(null, MemberSpec.NO_LIMIT, w, false);
  }

  /**
   * The closed form of the targets with default specs ({@link Targets}): masters floor(N/M), one
   * more for the N mod M most senior; entries ceil(N/M) * (R + 1).
   */
  private static Targets exactShares(int items, int members, int rank, int replicas) {
    if (items <= 0) {
      return new Targets(0, 0);
    }
    int ceil = (items + members - 1) / members;
    return new Targets(items / members + (rank < items % members ? 1 : 0), ceil * (replicas + 1));
  }

  @Test
  void defaultSpecsGiveExactShares() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 2000; trial++) {
      int m = 1 + rnd.nextInt(12);
      int n = rnd.nextInt(300);
      int r = rnd.nextInt(4);
      MemberSpec[] specs = new MemberSpec[m];
      java.util.Arrays.fill(specs, MemberSpec.DEFAULT);
      TargetShares p = uniform(members(specs), n, r);
      for (int rank = 0; rank < m; rank++) {
        assertThat(p.of("m" + rank)).as("N=%d M=%d R=%d rank %d", n, m, r, rank)
            .isEqualTo(exactShares(n, m, rank, r));
      }
      assertThat(p.unattainableSlots()).isZero();
    }
  }

  @Test
  void limitsCapBothTargetsAndTheRestGoesToOthers() {
    // 10 items x R=1 = 20 slots over 3 members, one limited to 2 entries.
    TargetShares p = uniform(members(limit(2), MemberSpec.DEFAULT, MemberSpec.DEFAULT), 10, 1);
    assertThat(p.of("m0")).isEqualTo(new Targets(2, 2));
    assertThat(p.of("m1").masters() + p.of("m2").masters()).isEqualTo(8);
    assertThat(p.of("m1").total()).isEqualTo(10); // 18 slots over 2: ceil(9/2 items) * 2 = 10
    assertThat(p.unattainableSlots()).isZero();
  }

  @Test
  void shortCapacityIsReportedAndMastersFitFirst() {
    // 10 items x R=2 = 30 slots, 3 members limited to 5 each: 15 slots attainable.
    TargetShares p = uniform(members(limit(5), limit(5), limit(5)), 10, 2);
    assertThat(p.unattainableSlots()).isEqualTo(15);
    int masters = 0;
    for (Targets t : p.all().values()) {
      assertThat(t.total()).isEqualTo(5);
      assertThat(t.masters()).isLessThanOrEqualTo(5);
      masters += t.masters();
    }
    assertThat(masters).isEqualTo(10); // every item can still have a master
    // Capacity below N: masters take everything there is.
    TargetShares tight = uniform(members(limit(2), limit(3)), 10, 1);
    assertThat(tight.of("m0")).isEqualTo(new Targets(2, 2));
    assertThat(tight.of("m1")).isEqualTo(new Targets(3, 3));
    assertThat(tight.unattainableSlots()).isEqualTo(20 - 5);
  }

  @Test
  void weightsShareMasters() {
    TargetShares p = uniform(members(weight(3), MemberSpec.DEFAULT), 100, 1);
    assertThat(p.of("m0").masters()).isEqualTo(75);
    assertThat(p.of("m1").masters()).isEqualTo(25);
    assertThat(p.of("m0").total()).isGreaterThanOrEqualTo(75);
    // Remainders go to the largest fractions: 10 over 1.5 : 1 is 6 : 4.
    TargetShares q = uniform(members(MemberSpec.DEFAULT, weight(1.5)), 10, 0);
    assertThat(q.of("m1").masters()).isEqualTo(6);
    assertThat(q.of("m0").masters()).isEqualTo(4);
  }

  @Test
  void drainedAndZeroLimitMembersWantNothing() {
    TargetShares p = uniform(members(MemberSpec.DEFAULT.withDrained(true), limit(0), MemberSpec.DEFAULT), 9, 1);
    assertThat(p.of("m0")).isEqualTo(new Targets(0, 0));
    assertThat(p.of("m1")).isEqualTo(new Targets(0, 0));
    assertThat(p.of("m2")).isEqualTo(new Targets(9, 18));
    // One active member: an item can hold only one entry, so nothing is unattainable by capacity.
    assertThat(p.unattainableSlots()).isZero();
  }

  @Test
  void perItemReplicationCountsSlots() {
    // 4 items: three at R=1, one at R=3: 10 slots over 2 members, at most 2 entries per item.
    TargetShares p = TargetShares.of(members(MemberSpec.DEFAULT, limit(3)), 4, 10, cap -> 3L * Math.min(2, cap)
        + Math.min(4, cap));
    assertThat(p.of("m1")).isEqualTo(new Targets(2, 3));
    assertThat(p.unattainableSlots()).isEqualTo(8 - (4 + 3));
  }
}
