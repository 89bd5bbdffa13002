package io.consensus.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KeyTree#patchAll} makes the tree, the touched children and the errors that patching the
 * same events one by one makes: over item levels wide enough to be AVL sets, with items and
 * entries created, replaced and deleted, several events on one key, and deletes of missing keys.
 */
class BatchPatchTest {
  static final String ROOT = "/b";

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void aRunPatchedAtOnceEqualsItsEventsOneByOne(long seed) {
    Random rnd = new Random(seed);
    Map<String, KeyValue> store = new TreeMap<>();
    long rev = 1;
    // A start: a few hundred items with entries (the items level an AVL set).
    List<KeyEvent> start = new ArrayList<>();
    for (int i = 0; i < 200 + rnd.nextInt(200); i++) {
      rev++;
      start.add(put(store, randomKey(rnd), rev));
    }
    KeyTree one = KeyTree.empty(ROOT);
    for (KeyEvent e : start) {
      one = one.patch(e);
    }
    KeyTree all = one;
    for (int run = 0; run < 60; run++) {
      rev++;
      List<KeyEvent> events = new ArrayList<>();
      int size = run % 10 == 0 ? 300 : 1 + rnd.nextInt(70);
      Map<String, KeyValue> after = new TreeMap<>(store);
      for (int k = 0; k < size; k++) {
        if (!after.isEmpty() && rnd.nextInt(5) < 2) {
          List<String> keys = new ArrayList<>(after.keySet());
          String key = keys.get(rnd.nextInt(keys.size()));
          after.remove(key);
          events.add(KeyEvent.delete(key, rev));
        } else {
          events.add(put(after, randomKey(rnd), rev));
        }
      }
      TouchedNodes seq = new TouchedNodes(one, "items");
      KeyTree t = one;
      for (KeyEvent e : events) {
        t = t.patch(e, seq);
      }
      TouchedNodes batch = new TouchedNodes(all, "items");
      KeyTree b = all.patchAll(events, batch);

      assertThat(b.terminals()).isEqualTo(t.terminals());
      assertThat(b.terminals()).isEqualTo(new ArrayList<>(after.values()));
      assertThat(b.revision()).isEqualTo(t.revision());
      assertSameShape(b.root(), t.root());
      assertThat(batch.endsAt(b)).isTrue();
      assertThat(batch.names()).containsExactlyElementsOf(seq.names()); // in the order first touched
      for (String name : seq.names()) {
        assertSameNode(batch.change(name).before(), seq.change(name).before(), name);
        assertSameNode(batch.change(name).after(), seq.change(name).after(), name);
        // The batch's "after" is the node in its tree, as one by one.
        assertThat(batch.change(name).after()).isSameAs(b.child("items", name));
      }
      store = after;
      one = t;
      all = b;
    }
  }

  @Test
  void aDeleteOfAMissingKeyFailsTheRunAsOneByOne() {
    KeyTree tree = KeyTree.empty(ROOT);
    List<KeyEvent> puts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      puts.add(KeyEvent.put(new KeyValue(ROOT + "/items/i" + i + "/m1", "ready", 2 + i, 2 + i, 1, 0)));
    }
    KeyTree full = tree.patchAll(puts, null);
    assertThat(full.child("items").childCount()).isEqualTo(40);
    List<KeyEvent> bad = List.of(KeyEvent.delete(ROOT + "/items/i3/m1", 50), KeyEvent.delete(ROOT + "/items/i3/m2", 50));
    assertThatThrownBy(() -> full.patchAll(bad, null)).isInstanceOf(TreePatchException.class)
        .hasMessageContaining("/items/i3/m2");
    // The same key put and then deleted in one run: gone, and its emptied item with it.
    List<KeyEvent> inAndOut = List.of(
        KeyEvent.put(new KeyValue(ROOT + "/items/new/m1", "ready", 60, 60, 1, 0)),
        KeyEvent.delete(ROOT + "/items/new/m1", 60));
    assertThat(full.patchAll(inAndOut, null).child("items", "new")).isNull();
    // Deleted first, then put: a missing key, as one by one.
    List<KeyEvent> outAndIn = List.of(KeyEvent.delete(ROOT + "/items/new/m1", 61),
        KeyEvent.put(new KeyValue(ROOT + "/items/new/m1", "ready", 61, 61, 1, 0)));
    assertThatThrownBy(() -> full.patchAll(outAndIn, null)).isInstanceOf(TreePatchException.class);
    assertThatThrownBy(() -> full.patch(outAndIn.get(0))).isInstanceOf(TreePatchException.class);
  }

  private static KeyEvent put(Map<String, KeyValue> store, String key, long rev) {
    KeyValue old = store.get(key);
    KeyValue kv = old == null
        ? new KeyValue(key, "v" + rev, rev, rev, 1, 0)
        : new KeyValue(key, "v" + rev, old.createRevision(), rev, old.version() + 1, 0);
    store.put(key, kv);
    return KeyEvent.put(kv);
  }

  /** Mostly items and their entries; now and then an item marker, a member key or a deeper key. */
  private static String randomKey(Random rnd) {
    String item = "item-" + rnd.nextInt(400);
    return switch (rnd.nextInt(10)) {
      case 0 -> ROOT + "/items/" + item;
      case 1 -> ROOT + "/members/m" + rnd.nextInt(6);
      case 2 -> ROOT + "/items/" + item + "/m" + rnd.nextInt(6) + "/deep";
      default -> ROOT + "/items/" + item + "/m" + rnd.nextInt(6);
    };
  }

  private static void assertSameNode(Node a, Node b, String name) {
    if (a == null || b == null) {
      assertThat(a).as(name).isSameAs(b);
      return;
    }
    assertSameShape(a, b);
  }

  private static void assertSameShape(Node a, Node b) {
    assertThat(a.name()).isEqualTo(b.name());
    assertThat(a.hasValue()).isEqualTo(b.hasValue());
    assertThat(a.value()).isEqualTo(b.value());
    assertThat(a.createRevision()).isEqualTo(b.createRevision());
    assertThat(a.modRevision()).isEqualTo(b.modRevision());
    assertThat(a.childCount()).isEqualTo(b.childCount());
    for (int i = 0; i < a.childCount(); i++) {
      assertSameShape(a.childAt(i), b.childAt(i));
    }
  }
}
