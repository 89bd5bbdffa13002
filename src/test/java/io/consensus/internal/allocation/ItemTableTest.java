package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ItemTableTest {
  record Value(String item, int n) {
  }

  @Test
  void behavesAsAMapByItemThroughGrowthAndRemovals() {
    ItemTable<Value> table = new ItemTable<>(Value::item);
    Map<String, Value> model = new HashMap<>();
    Random rnd = new Random(11);
    for (int step = 0; step < 50_000; step++) {
      // Few distinct names: long probe runs, many removals inside them.
      String item = "i" + rnd.nextInt(3_000);
      if (rnd.nextInt(3) == 0) {
        assertThat(table.remove(item)).isEqualTo(model.remove(item));
      } else {
        Value v = new Value(item, step);
        assertThat(table.put(v)).isEqualTo(model.put(item, v));
      }
      assertThat(table.size()).isEqualTo(model.size());
      String probe = "i" + rnd.nextInt(3_000);
      assertThat(table.get(probe)).isEqualTo(model.get(probe));
    }
    model.forEach((item, v) -> assertThat(table.get(item)).isEqualTo(v));
    assertThat(table.values()).containsExactlyInAnyOrderElementsOf(model.values());
    assertThat(table.items()).containsExactlyInAnyOrderElementsOf(model.keySet());
    assertThat(table.toSortedMap()).containsExactlyEntriesOf(new java.util.TreeMap<>(model));
    table.clear();
    assertThat(table.size()).isZero();
    assertThat(table.get("i1")).isNull();
  }

  @Test
  void samplesDrawEveryValueAlikeAtACostInTheSampleAndGiveUpWhenSparse() {
    ItemTable<Value> table = new ItemTable<>(Value::item);
    for (int i = 0; i < 1_000; i++) {
      table.put(new Value("i" + i, i));
    }
    Random rnd = new Random(5);
    int[] hits = new int[1_000];
    for (int round = 0; round < 200; round++) {
      assertThat(table.sample(100, rnd, v -> hits[v.n()]++)).isEqualTo(100);
    }
    // 20,000 draws over 1,000 values: about 20 each (a value never or always drawn fails).
    assertThat(java.util.Arrays.stream(hits).min().orElseThrow()).isGreaterThan(3);
    assertThat(java.util.Arrays.stream(hits).max().orElseThrow()).isLessThan(45);
    // Emptied to a few values in a large table: the draws stop after 8 k empty slots.
    for (int i = 10; i < 1_000; i++) {
      table.remove("i" + i);
    }
    int drawn = table.sample(100, rnd, v -> assertThat(v.n()).isLessThan(10));
    assertThat(drawn).isLessThan(100);
    assertThat(new ItemTable<Value>(Value::item).sample(5, rnd, v -> { })).isZero();
  }

  /** Names built from "Aa" and "BB" share one hash code: equal tags, told apart by the names. */
  static String colliding(int bits, int width) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < width; k++) {
      b.append((bits >> k & 1) == 0 ? "Aa" : "BB");
    }
    return b.toString();
  }

  @Test
  void namesWithOneHashCodeAndMixedNamesBehaveAsAMapThroughRemovalsGrowthAndClear() {
    ItemTable<Value> table = new ItemTable<>(Value::item);
    Map<String, Value> model = new HashMap<>();
    Random rnd = new Random(29);
    for (int round = 0; round < 3; round++) {
      for (int step = 0; step < 30_000; step++) {
        // A run of 256 names of one hash code among others: shifts back across long runs.
        String item = rnd.nextBoolean() ? colliding(rnd.nextInt(256), 8) : "i" + rnd.nextInt(2_000);
        switch (rnd.nextInt(4)) {
          case 0 -> assertThat(table.remove(item)).isEqualTo(model.remove(item));
          case 1 -> assertThat(table.get(new String(item.toCharArray()))).isEqualTo(model.get(item));
          default -> {
            Value v = new Value(item, step);
            assertThat(table.put(v)).isEqualTo(model.put(item, v));
          }
        }
        assertThat(table.size()).isEqualTo(model.size());
      }
      model.forEach((item, v) -> assertThat(table.get(item)).isSameAs(v));
      assertThat(table.get(colliding(0, 9))).isNull();
      assertThat(table.values()).containsExactlyInAnyOrderElementsOf(model.values());
      assertThat(table.toSortedMap()).containsExactlyEntriesOf(new java.util.TreeMap<>(model));
      // Emptied one by one on the last round (every shift), cleared on the others.
      if (round == 2) {
        for (String item : new java.util.ArrayList<>(model.keySet())) {
          assertThat(table.remove(item)).isSameAs(model.remove(item));
          assertThat(table.size()).isEqualTo(model.size());
        }
      } else {
        table.clear();
        model.clear();
      }
      assertThat(table.size()).isZero();
      assertThat(table.items()).isEmpty();
      assertThat(table.get(colliding(3, 8))).isNull();
    }
  }
}
