package io.consensus.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.tree.WatchUpdate;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyTreeTest {
  static final String ROOT = "/root";

  static KeyTree sample() {
    return KeyTree.fromSnapshot(ROOT, 10, List.of(
        KeyValue.of("/root/items/a", "", 2, 2),
        KeyValue.of("/root/items/a/m2", "ready", 5, 7),
        KeyValue.of("/root/items/a/m1", "ready", 4, 4),
        KeyValue.of("/root/members/m1", "{}", 3, 3)));
  }

  @Test
  void snapshotBuildsSortedTreeAndReplacesEarlierView() {
    KeyTree t = sample();
    assertThat(t.revision()).isEqualTo(10);
    assertThat(t.root().children()).extracting(Node::name).containsExactly("items", "members");
    Node a = t.child("items", "a");
    assertThat(a.hasValue()).isTrue();
    assertThat(a.children()).extracting(Node::name).containsExactly("m1", "m2");
    assertThat(a.createRevision()).isEqualTo(2);
    assertThat(t.child("items", "a", "m2").value()).isEqualTo("ready");
    assertThat(t.child("items", "a", "m2").modRevision()).isEqualTo(7);

    KeyTree replaced = t.apply(new WatchUpdate.Snapshot(20, List.of(KeyValue.of("/root/x", "1", 20, 20))));
    assertThat(replaced.revision()).isEqualTo(20);
    assertThat(replaced.terminals()).extracting(KeyValue::key).containsExactly("/root/x");
  }

  @Test
  void childSetsGrowPastAndShrinkBelowTheSmallArrayFormUnchangedInBehaviour() {
    // Small sets are arrays, large ones trees (Children): the view is the same either way.
    java.util.Random rnd = new java.util.Random(7);
    java.util.TreeMap<String, Long> model = new java.util.TreeMap<>();
    KeyTree t = KeyTree.empty(ROOT);
    long rev = 1;
    for (int step = 0; step < 2_000; step++) {
      String name = "m" + rnd.nextInt(40);
      KeyTree before = t;
      java.util.List<String> namesBefore = before.root().childCount() == 0 ? List.of()
          : before.child("items", "a").children().stream().map(Node::name).toList();
      if (model.containsKey(name) && rnd.nextBoolean()) {
        t = t.patch(KeyEvent.delete(ROOT + "/items/a/" + name, ++rev));
        model.remove(name);
      } else {
        long r = ++rev;
        long created = model.getOrDefault(name, r);
        t = t.patch(KeyEvent.put(KeyValue.of(ROOT + "/items/a/" + name, "s" + r, created, r)));
        model.put(name, created);
      }
      Node a = t.child("items", "a");
      if (model.isEmpty()) {
        assertThat(a).isNull();
        continue;
      }
      assertThat(a.children()).extracting(Node::name).containsExactlyElementsOf(model.keySet());
      assertThat(a.childCount()).isEqualTo(model.size());
      assertThat(a.createRevision()).isEqualTo(java.util.Collections.min(model.values()));
      int k = 0;
      for (String n : model.keySet()) {
        assertThat(a.indexOf(n)).isEqualTo(k);
        assertThat(a.childAt(k).name()).isEqualTo(n);
        k++;
      }
      assertThat(a.indexOf("m" + 99)).isEqualTo(-model.headMap("m99").size() - 1);
      // The tree handed out before the patch did not change.
      if (!namesBefore.isEmpty()) {
        assertThat(before.child("items", "a").children()).extracting(Node::name)
            .containsExactlyElementsOf(namesBefore);
      }
    }
  }

  @Test
  void patchingOutsideTheRootFails() {
    assertThatThrownBy(() -> sample().patch(KeyEvent.put(KeyValue.of("/other/items/a", "", 11, 11))))
        .isInstanceOf(TreePatchException.class).hasMessageContaining("outside root");
    // A sibling sharing the root as string prefix is outside too.
    assertThatThrownBy(() -> sample().patch(KeyEvent.put(KeyValue.of("/rootx/a", "", 11, 11))))
        .isInstanceOf(TreePatchException.class);
    assertThatThrownBy(() -> sample().patch(KeyEvent.put(KeyValue.of("/root", "", 11, 11))))
        .isInstanceOf(TreePatchException.class);
  }

  @Test
  void nestedPutsCreateIntermediateLevels() {
    KeyTree t = KeyTree.empty(ROOT).patch(KeyEvent.put(KeyValue.of("/root/items/some/nested/item", "v", 3, 3)));
    Node some = t.child("items", "some");
    assertThat(some.hasValue()).isFalse();
    assertThat(some.value()).isEmpty();
    assertThat(some.createRevision()).isEqualTo(3);
    assertThat(t.child("items", "some", "nested", "item").value()).isEqualTo("v");
    assertThat(t.revision()).isEqualTo(3);
  }

  @Test
  void insertsKeepNameOrderAndUpdatesReplace() {
    KeyTree t = sample();
    for (String name : List.of("m0", "m3", "m15", "m10")) {
      t = t.patch(KeyEvent.put(KeyValue.of("/root/items/a/" + name, "s", 11, 11)));
    }
    assertThat(t.child("items", "a").children()).extracting(Node::name)
        .containsExactly("m0", "m1", "m10", "m15", "m2", "m3");
    t = t.patch(KeyEvent.put(new KeyValue("/root/items/a/m1", "busy", 4, 12, 2, 0)));
    assertThat(t.child("items", "a", "m1").value()).isEqualTo("busy");
    assertThat(t.child("items", "a").childCount()).isEqualTo(6);
    assertThat(t.child("items", "a").indexOf("m10")).isEqualTo(2);
    assertThat(t.child("items", "a").indexOf("m11")).isEqualTo(-4);
    assertThat(t.child("items", "a").childAt(3).name()).isEqualTo("m15");
  }

  @Test
  void deletesOfMissingKeysFail() {
    assertThatThrownBy(() -> sample().patch(KeyEvent.delete("/root/items/b", 11)))
        .isInstanceOf(TreePatchException.class).hasMessageContaining("missing key");
    assertThatThrownBy(() -> sample().patch(KeyEvent.delete("/root/items/a/m1/deeper", 11)))
        .isInstanceOf(TreePatchException.class);
    // "items" exists only as a directory: deleting it as a key is inconsistent.
    assertThatThrownBy(() -> sample().patch(KeyEvent.delete("/root/items", 11)))
        .isInstanceOf(TreePatchException.class).hasMessageContaining("directory");
  }

  @Test
  void removingTheLastChildRemovesTheLevel() {
    KeyTree t = KeyTree.empty(ROOT).patch(KeyEvent.put(KeyValue.of("/root/items/some/nested/item", "v", 3, 3)));
    t = t.patch(KeyEvent.delete("/root/items/some/nested/item", 4));
    assertThat(t.child("items")).isNull();
    assertThat(t.root().childCount()).isZero();

    // A level that holds a value itself stays: the item marker outlives its entries.
    KeyTree s = sample().patch(KeyEvent.delete("/root/items/a/m1", 11)).patch(KeyEvent.delete("/root/items/a/m2", 12));
    assertThat(s.child("items", "a").hasValue()).isTrue();
    assertThat(s.child("items", "a").isDirectory()).isFalse();
    // Deleting the marker of an item with entries keeps the entries.
    KeyTree u = sample().patch(KeyEvent.delete("/root/items/a", 11));
    assertThat(u.child("items", "a").hasValue()).isFalse();
    assertThat(u.child("items", "a").childCount()).isEqualTo(2);
    assertThat(u.child("items", "a").createRevision()).isEqualTo(4);
  }

  @Test
  void patchedTreesLeaveEarlierTreesUntouched() {
    KeyTree before = sample();
    List<KeyValue> snapshot = before.terminals();
    Node aBefore = before.child("items", "a");
    KeyTree after = before.patch(KeyEvent.put(KeyValue.of("/root/items/a/m3", "x", 11, 11)))
        .patch(KeyEvent.delete("/root/items/a/m1", 12))
        .patch(KeyEvent.put(KeyValue.of("/root/members/m1", "changed", 3, 13)));
    assertThat(before.terminals()).isEqualTo(snapshot);
    assertThat(aBefore.children()).extracting(Node::name).containsExactly("m1", "m2");
    assertThat(after.child("items", "a").children()).extracting(Node::name).containsExactly("m2", "m3");
    // Unchanged subtrees are shared, not copied.
    KeyTree other = before.patch(KeyEvent.put(KeyValue.of("/root/members/m9", "", 11, 11)));
    assertThat(other.child("items")).isSameAs(before.child("items"));
  }

  @Test
  void terminalsAreInKeyOrder() {
    assertThat(sample().terminals()).extracting(KeyValue::key).containsExactly(
        "/root/items/a", "/root/items/a/m1", "/root/items/a/m2", "/root/members/m1");
    assertThat(sample().child("items", "a").terminals("/root/items/a")).extracting(KeyValue::value)
        .containsExactly("", "ready", "ready");
  }

  @Test
  void childLookupAndFind() {
    KeyTree t = sample();
    assertThat(t.child("items", "a", "m1").name()).isEqualTo("m1");
    assertThat(t.child("items", "zz")).isNull();
    assertThat(t.child("items", "a", "m1", "deeper")).isNull();
    assertThat(t.find("/root/members/m1").value()).isEqualTo("{}");
    assertThat(t.root().child()).isSameAs(t.root());
  }

  @Test
  void eventClassification() {
    KeyEvent put = KeyEvent.put(KeyValue.of("/root/a", "", 1, 1));
    KeyEvent del = KeyEvent.delete("/root/a", 2);
    assertThat(put.isUpsert()).isTrue();
    assertThat(put.isRemove()).isFalse();
    assertThat(put.isCreate()).isTrue();
    assertThat(del.isRemove()).isTrue();
    assertThat(del.isUpsert()).isFalse();
  }

  @Test
  void progressOnlyAdvancesTheRevision() {
    KeyTree t = sample();
    KeyTree p = t.apply(new WatchUpdate.Progress(42));
    assertThat(p.revision()).isEqualTo(42);
    assertThat(p.root()).isSameAs(t.root());
    assertThat(p.apply(new WatchUpdate.Progress(40)).revision()).isEqualTo(42);
  }
}
