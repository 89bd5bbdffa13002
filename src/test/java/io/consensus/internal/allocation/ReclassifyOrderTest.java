package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.route.Keys;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.consensus.tree.TouchedNodes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order an index update re-classifies a large revision's items in. */
class ReclassifyOrderTest {
  static final String ROOT = "/order";

  /** A tree of {@code items} items, each with entries of m1 (first), then m2 or m3 in a random order. */
  static KeyTree fleet(int items, Random rnd, Set<String> m2Second) {
    KeyTree t = KeyTree.empty(ROOT);
    long rev = 1;
    for (int i = 0; i < items; i++) {
      String item = String.format("item-%05d", i);
      boolean m2First = rnd.nextBoolean();
      if (m2First) {
        m2Second.add(item);
      }
      for (String m : m2First ? List.of("m1", "m2", "m3") : List.of("m1", "m3", "m2")) {
        rev++;
        t = t.patch(KeyEvent.put(KeyValue.of(ROOT + "/items/" + item + "/" + m, "{}", rev, rev)));
      }
    }
    return t;
  }

  /** Deletes m1's entry of every item, as the revoke of m1's lease would; the collected nodes. */
  static TouchedNodes revokeM1(KeyTree t, int items) {
    TouchedNodes touched = new TouchedNodes(t, Keys.ITEMS_PREFIX);
    KeyTree now = t;
    for (int i = 0; i < items; i++) {
      now = now.patch(KeyEvent.delete(ROOT + "/items/" + String.format("item-%05d", i) + "/m1", 1_000_000), touched);
    }
    return touched;
  }

  static List<String> drain(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void theItemsAMemberNowMastersComeFirstAndEveryNameOnce() {
    Set<String> m2Second = new HashSet<>();
    int items = 3_000;
    TouchedNodes touched = revokeM1(fleet(items, new Random(7), m2Second), items);
    String[] more = {"item-00010", "other-1", "other-2"}; // one already touched: not twice

    List<String> order = drain(ReclassifyOrder.newMastersFirst(touched, "m2", more));

    assertThat(order).doesNotHaveDuplicates();
    assertThat(new HashSet<>(order)).containsAll(touched.names()).contains("other-1", "other-2");
    assertThat(order).hasSize(items + 2);
    assertThat(order.subList(order.size() - 2, order.size())).containsExactly("other-1", "other-2");
    // m2 masters the items where it came second; they come first, with at most one other per
    // SKIP_BOUND names read in between.
    int head = m2Second.size() + items / ReclassifyOrder.SKIP_BOUND + 1;
    assertThat(order.subList(0, head)).containsAll(m2Second);
    long others = order.subList(0, head).stream().filter(n -> !m2Second.contains(n)).count();
    assertThat(others).isLessThanOrEqualTo(items / ReclassifyOrder.SKIP_BOUND + 1);
    // The rest keep the order they were touched in.
    List<String> tail = order.subList(head, items).stream().toList();
    assertThat(tail).isSortedAccordingTo(String::compareTo);
  }

  @Test
  void aMemberThatGainsNoMastershipStillGetsANameEverySkipBound() {
    Set<String> m2Second = new HashSet<>();
    int items = 1_500;
    TouchedNodes touched = revokeM1(fleet(items, new Random(3), m2Second), items);

    List<String> order = drain(ReclassifyOrder.newMastersFirst(touched, "m9", new String[0]));

    // The first pass reads at most SKIP_BOUND names before it gives one out.
    assertThat(order.get(0)).isEqualTo(new ArrayList<>(touched.names()).get(ReclassifyOrder.SKIP_BOUND - 1));
    assertThat(order).doesNotHaveDuplicates().hasSize(items);
  }

  @Test
  void anIndexKeepsTheTouchedOrderBelowTheThresholdAndPutsNewMastersFirstFromIt() {
    for (int items : new int[] {AllocationIndex.NEW_MASTERS_FIRST_FROM - 1, AllocationIndex.NEW_MASTERS_FIRST_FROM}) {
      Set<String> m2Second = new HashSet<>();
      KeyTree before = fleet(items, new Random(5), m2Second);
      TouchedNodes touched = new TouchedNodes(before, Keys.ITEMS_PREFIX);
      KeyTree after = before;
      for (int i = 0; i < items; i++) {
        after = after.patch(KeyEvent.delete(ROOT + "/items/" + String.format("item-%05d", i) + "/m1", 1_000_000),
            touched);
      }
      AllocationIndex ix = new AllocationIndex("m2", 2, List.of(), (i, s) -> true);
      ix.rebuild(before);
      List<String> order = drain(ix.begin(after, touched));
      ix.reclassify(order);
      ix.end();
      if (items < AllocationIndex.NEW_MASTERS_FIRST_FROM) {
        assertThat(order).containsExactlyElementsOf(touched.names());
      } else {
        assertThat(order.subList(0, m2Second.size() + items / ReclassifyOrder.SKIP_BOUND + 1)).containsAll(m2Second);
      }
    }
  }
}
