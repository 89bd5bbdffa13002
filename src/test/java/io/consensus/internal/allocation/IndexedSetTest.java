package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IndexedSetTest {
  /** The order the deciders' random picks depend on: remove moves the last item into the hole, add appends. */
  @Test
  void keepsTheOrderOfAListWithSwapRemoval() {
    Random rnd = new Random(3);
    IndexedSet set = new IndexedSet();
    List<String> list = new ArrayList<>();
    Map<String, Integer> at = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      String s = "item-" + rnd.nextInt(i < 100_000 ? 5_000 : 300);
      if (rnd.nextInt(5) < 2) {
        set.remove(s);
        Integer p = at.remove(s);
        if (p != null) {
          String last = list.remove(list.size() - 1);
          if (p < list.size()) {
            list.set(p, last);
            at.put(last, p);
          }
        }
      } else {
        set.add(s);
        if (!at.containsKey(s)) {
          at.put(s, list.size());
          list.add(s);
        }
      }
      assertThat(set.contains(s)).isEqualTo(at.containsKey(s));
      if (i % 10_000 == 0) {
        assertThat(set.all()).containsExactlyElementsOf(list);
      }
    }
    assertThat(set.all()).containsExactlyElementsOf(list);
    assertThat(set.size()).isEqualTo(list.size());
    set.clear();
    assertThat(set.isEmpty()).isTrue();
    assertThat(set.contains(list.get(0))).isFalse();
    set.add("x");
    assertThat(set.all()).containsExactly("x");
  }

  /** Names of one hash code (see ItemTableTest.colliding) among others: the same order as a list with swap removal. */
  @Test
  void namesOfOneHashCodeKeepTheOrderToo() {
    Random rnd = new Random(17);
    IndexedSet set = new IndexedSet();
    List<String> list = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 40_000; i++) {
        String s = rnd.nextBoolean() ? ItemTableTest.colliding(rnd.nextInt(256), 8) : "item-" + rnd.nextInt(1_000);
        if (rnd.nextInt(5) < 2) {
          set.remove(new String(s.toCharArray()));
          int p = list.indexOf(s);
          if (p >= 0) {
            String last = list.remove(list.size() - 1);
            if (p < list.size()) {
              list.set(p, last);
            }
          }
        } else {
          set.add(s);
          if (!list.contains(s)) {
            list.add(s);
          }
        }
        assertThat(set.contains(new String(s.toCharArray()))).isEqualTo(list.contains(s));
      }
      assertThat(set.all()).containsExactlyElementsOf(list);
      set.clear();
      list.clear();
      assertThat(set.contains(ItemTableTest.colliding(0, 8))).isFalse();
    }
  }

  @Test
  void hashAtFollowsThePositionsThroughSwapRemoval() {
    Random rnd = new Random(29);
    IndexedSet set = IndexedSet.withHashes();
    List<String> names = new ArrayList<>();
    for (int n = 0; n < 5000; n++) {
      String s = "item-" + rnd.nextInt(800);
      if (rnd.nextBoolean()) {
        set.add(s);
      } else {
        set.remove(s);
      }
      if (n % 97 == 0) {
        names.clear();
        for (int p = 0; p < set.size(); p++) {
          assertThat(set.hashAt(p)).isEqualTo(set.at(p).hashCode());
          names.add(set.at(p));
        }
        assertThat(names).isEqualTo(set.all());
      }
    }
    assertThatThrownBy(() -> set.hashAt(set.size())).isInstanceOf(IndexOutOfBoundsException.class);
    IndexedSet plain = new IndexedSet();
    plain.add("a");
    assertThatThrownBy(() -> plain.hashAt(0)).isInstanceOf(IllegalStateException.class);
  }
}
