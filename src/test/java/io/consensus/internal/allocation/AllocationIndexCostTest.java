package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What an update costs the index: work in the items it touches, not in all items. */
class AllocationIndexCostTest {
  private static final int N = 10_000;

  private static KeyTree fleet() {
    List<KeyValue> kvs = new ArrayList<>();
    kvs.add(new KeyValue("/r/members/m1", "", 1, 1, 1, 7));
    kvs.add(new KeyValue("/r/members/m2", "", 2, 2, 1, 8));
    long rev = 3;
    for (int i = 0; i < N; i++) {
      String item = String.format("item-%05d", i);
      kvs.add(new KeyValue("/r/items/" + item, "", rev, rev, 1, 0));
      rev++;
      kvs.add(new KeyValue("/r/items/" + item + "/" + (i % 2 == 0 ? "m1" : "m2"), "ready", rev, rev, 1,
          i % 2 == 0 ? 7 : 8));
      rev++;
    }
    return KeyTree.fromSnapshot("/r", rev, kvs);
  }

  @Test
  void aRevisionTouchingKItemsReclassifiesKItems() {
    AllocationIndex idx = new AllocationIndex("m1", 7, 1, List.of(), (i, s) -> true);
    KeyTree tree = fleet();
    idx.rebuild(tree);
    assertThat(idx.itemCount()).isEqualTo(N);
    long before = idx.reclassified();

    long rev = tree.revision() + 1;
    List<KeyEvent> events = List.of(
        KeyEvent.put(new KeyValue("/r/items/item-00001/m1", "warming", rev, rev, 1, 7)),
        KeyEvent.put(new KeyValue("/r/items/item-00002/m2", "warming", rev, rev, 1, 8)),
        KeyEvent.delete("/r/items/item-00003/m2", rev));
    WatchUpdate.Changes c = new WatchUpdate.Changes(rev, events);
    KeyTree next = tree.apply(c);
    Set<String> changed = idx.apply(next, c);

    assertThat(idx.reclassified() - before).isEqualTo(3);
    assertThat(changed).containsExactlyInAnyOrder("item-00001", "item-00002", "item-00003");
    assertThat(idx.summary("item-00001").myIndex()).isEqualTo(1);
  }

  @Test
  void aSlicedRebuildListsEveryItemOnceAndMatchesAWholeOne() {
    List<String> fixed = List.of("item-00005", "zz-fixed-only");
    AllocationIndex whole = new AllocationIndex("m1", 7, 1, fixed, (i, s) -> true);
    AllocationIndex sliced = new AllocationIndex("m1", 7, 1, fixed, (i, s) -> true);
    KeyTree tree = fleet();
    whole.rebuild(tree);
    // The sliced one knew an item that has gone since: the rebuild drops it.
    sliced.update(KeyTree.fromSnapshot("/r", 1, List.of(new KeyValue("/r/items/gone/m2", "", 1, 1, 1, 8))),
        Set.of("gone"));
    assertThat(sliced.summary("gone")).isNotNull();
    Iterator<String> work = sliced.beginRebuild(tree);
    Set<String> listed = new LinkedHashSet<>();
    List<String> chunk = new ArrayList<>();
    while (work.hasNext()) {
      String item = work.next();
      assertThat(listed.add(item)).as("listed once: " + item).isTrue();
      chunk.add(item);
      if (chunk.size() == 100 || !work.hasNext()) {
        sliced.reclassify(chunk);
        chunk.clear();
      }
    }
    sliced.end();
    assertThat(listed).hasSize(N + 2).contains("zz-fixed-only", "gone");
    assertThat(sliced.summary("gone")).isNull();
    assertThat(sliced.itemCount()).isEqualTo(whole.itemCount()).isEqualTo(N + 1);
    assertThat(sliced.mastersHeld()).isEqualTo(whole.mastersHeld());
    assertThat(sliced.itemsShortOfReplicas()).isEqualTo(whole.itemsShortOfReplicas());
  }

  @Test
  void theItemOfAKeyIsFoundWithoutSplittingIt() {
    KeyTree t = KeyTree.empty("/r");
    assertThat(AllocationIndex.itemOf(t, "/r/items/a/m1")).isEqualTo("a");
    assertThat(AllocationIndex.itemOf(t, "/r/items/a")).isEqualTo("a");
    assertThat(AllocationIndex.itemOf(t, "/r/items/a/m1/moved")).isEqualTo("a");
    assertThat(AllocationIndex.itemOf(t, "/r/members/m1")).isNull();
    assertThat(AllocationIndex.itemOf(t, "/r/itemsx/a")).isNull();
    assertThat(AllocationIndex.itemOf(t, "/rr/items/a")).isNull();
    assertThat(AllocationIndex.itemOf(t, "/r/items")).isNull();
  }
}
