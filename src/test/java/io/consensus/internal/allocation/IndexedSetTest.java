package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

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
}
