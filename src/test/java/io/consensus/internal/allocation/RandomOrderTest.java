package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomOrderTest {
  private static List<Integer> drawAll(int n, Random rnd) {
    RandomOrder order = new RandomOrder(n, rnd);
    List<Integer> out = new ArrayList<>();
    while (order.hasNext()) {
      out.add(order.next());
    }
    return out;
  }

  @Test
  void drawsEveryPositionOnceThenStops() {
    Random rnd = new Random(11);
    for (int n : new int[] {0, 1, 2, 3, 17, 1000, 100_000}) {
      List<Integer> all = drawAll(n, rnd);
      assertThat(all).hasSize(n);
      assertThat(new HashSet<>(all)).hasSize(n);
      assertThat(all).allSatisfy(p -> assertThat(p).isBetween(0, n - 1));
    }
    RandomOrder empty = new RandomOrder(0, rnd);
    assertThat(empty.hasNext()).isFalse();
    assertThatThrownBy(empty::next).isInstanceOf(NoSuchElementException.class);
  }

  /** Every order of 5 positions equally likely (a biased shuffle, e.g. j over all of 0..n-1, fails this). */
  @Test
  void everyOrderIsEquallyLikely() {
    Random rnd = new Random(5);
    Map<List<Integer>, Integer> counts = new HashMap<>();
    int draws = 120_000;
    for (int i = 0; i < draws; i++) {
      counts.merge(drawAll(5, rnd), 1, Integer::sum);
    }
    assertThat(counts).hasSize(120);
    double expected = draws / 120.0;
    double chi2 = counts.values().stream().mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
    // 119 degrees of freedom: p = 1e-6 lies near 205.
    assertThat(chi2).isLessThan(205);
  }

  /** A prefix of the order is a uniform sample: each position's chance to be among the first 3 of 1,000 is 3/1000. */
  @Test
  void aPrefixIsAUniformSample() {
    Random rnd = new Random(9);
    int n = 1000;
    int[] hits = new int[n];
    int rounds = 100_000;
    for (int r = 0; r < rounds; r++) {
      RandomOrder order = new RandomOrder(n, rnd);
      for (int i = 0; i < 3; i++) {
        hits[order.next()]++;
      }
    }
    double expected = rounds * 3.0 / n;
    double chi2 = 0;
    for (int h : hits) {
      chi2 += (h - expected) * (h - expected) / expected;
    }
    // 999 degrees of freedom: p = 1e-6 lies near 1,230.
    assertThat(chi2).isLessThan(1230);
  }

  @Test
  void indexedSetSamplesDistinctMembersAndDrawsEachItemOnce() {
    IndexedSet set = new IndexedSet();
    for (int i = 0; i < 500; i++) {
      set.add("i" + i);
    }
    for (int i = 0; i < 500; i += 3) {
      set.remove("i" + i);
    }
    Random rnd = new Random(1);
    for (int k : new int[] {0, 1, 8, 166, 333, 334, 1000}) {
      List<String> s = set.sample(k, rnd);
      assertThat(s).hasSize(Math.min(k, set.size())).doesNotHaveDuplicates();
      assertThat(set.all()).containsAll(s);
    }
    Set<String> seen = new HashSet<>();
    for (Iterator<String> it = set.randomOrder(rnd); it.hasNext(); ) {
      assertThat(seen.add(it.next())).isTrue();
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(set.all());
    assertThat(new IndexedSet().sample(4, rnd)).isEmpty();
  }

  @Test
  void aTableSizedForTheDrawsDrawsTheSameOrder() {
    // Sizing only spares the table's growth: the same seed gives the same positions, drawn
    // past the expected count too (and with expectations above n or below 0).
    for (int expected : new int[] {-1, 0, 5, 64, 1280, 5000}) {
      RandomOrder plain = new RandomOrder(3000, new Random(23));
      RandomOrder sized = new RandomOrder(3000, new Random(23), expected);
      while (plain.hasNext()) {
        assertThat(sized.hasNext()).isTrue();
        assertThat(sized.next()).isEqualTo(plain.next());
      }
      assertThat(sized.hasNext()).isFalse();
    }
  }
}
