package io.consensus.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of puts and deletes applied by patching equal a fresh snapshot of the
 * same keyspace: the invariant the allocator relies on between re-snapshots.
 */
class KeyTreePropertyTest {
  static final String ROOT = "/p";
  static final String[] SEGMENTS = {"a", "b", "c", "ab", "items", "m1", "m2", "x"};

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
  void patchingEqualsSnapshot(long seed) {
    Random rnd = new Random(seed);
    Map<String, KeyValue> store = new TreeMap<>();
    KeyTree tree = KeyTree.empty(ROOT);
    long rev = 1;
    for (int step = 0; step < 400; step++) {
      rev++;
      if (!store.isEmpty() && rnd.nextInt(3) == 0) {
        List<String> keys = new ArrayList<>(store.keySet());
        String key = keys.get(rnd.nextInt(keys.size()));
        store.remove(key);
        tree = tree.patch(KeyEvent.delete(key, rev));
      } else {
        String key = randomKey(rnd);
        KeyValue old = store.get(key);
        KeyValue kv = old == null
            ? new KeyValue(key, "v" + rev, rev, rev, 1, 0)
            : new KeyValue(key, "v" + rev, old.createRevision(), rev, old.version() + 1, 0);
        store.put(key, kv);
        tree = tree.patch(KeyEvent.put(kv));
      }
      if (step % 50 == 0 || step == 399) {
        KeyTree fresh = KeyTree.fromSnapshot(ROOT, rev, new ArrayList<>(store.values()));
        assertThat(tree.terminals()).isEqualTo(fresh.terminals());
        assertThat(tree.terminals()).isEqualTo(new ArrayList<>(store.values()));
        assertSameShape(tree.root(), fresh.root());
      }
    }
  }

  private static String randomKey(Random rnd) {
    int depth = 1 + rnd.nextInt(4);
    StringBuilder sb = new StringBuilder(ROOT);
    for (int i = 0; i < depth; i++) {
      sb.append('/').append(SEGMENTS[rnd.nextInt(SEGMENTS.length)]);
    }
    return sb.toString();
  }

  private static void assertSameShape(Node a, Node b) {
    assertThat(a.name()).isEqualTo(b.name());
    assertThat(a.hasValue()).isEqualTo(b.hasValue());
    assertThat(a.createRevision()).isEqualTo(b.createRevision());
    assertThat(a.childCount()).isEqualTo(b.childCount());
    // No empty valueless levels linger after deletes.
    if (!a.name().isEmpty()) {
      assertThat(a.hasValue() || a.childCount() > 0).as("empty level %s", a.name()).isTrue();
    }
    for (int i = 0; i < a.childCount(); i++) {
      assertSameShape(a.childAt(i), b.childAt(i));
    }
  }
}
