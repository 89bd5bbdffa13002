package io.consensus.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Children#update} over random inserts, replaces and removes (a set growing past an array
 * into an AVL tree and shrinking back): the set holds what a sorted map holds, stays balanced, and
 * an update replaces no node but the one named (a sibling's node is the same instance after
 * rotations and unlinks: what {@link TouchedNodes} relies on).
 */
class ChildrenTest {

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void updatesKeepContentsBalanceAndSiblings(long seed) {
    Random rnd = new Random(seed);
    TreeMap<String, Node> model = new TreeMap<>();
    Object set = null;
    int names = 40 + rnd.nextInt(200);
    for (int step = 0; step < 2_000; step++) {
      String name = "n" + rnd.nextInt(names);
      // Grow, then shrink towards empty, then grow again: every representation is crossed.
      boolean remove = (step / 500) % 2 == 1 ? rnd.nextInt(4) > 0 : rnd.nextInt(4) == 0;
      Node replacement = remove ? null
          : Node.leaf(name, false, KeyValue.of("/k/" + name, "v" + step, 1 + rnd.nextInt(1_000), step + 1));
      Object before = set;
      set = Children.update(set, name, existing -> {
        assertThat(existing).isSameAs(model.get(name));
        return replacement;
      });
      if (remove) {
        model.remove(name);
      } else {
        model.put(name, replacement);
      }
      if (remove && before != null && Children.get(before, name) == null) {
        assertThat(set).as("removing an absent child changes nothing").isSameAs(before);
      }
      List<Node> nodes = Children.toList(set);
      assertThat(nodes).containsExactlyElementsOf(new ArrayList<>(model.values()));
      assertThat(Children.size(set)).isEqualTo(model.size());
      if (set == null) {
        assertThat(model).isEmpty();
      } else if (set instanceof Children c) {
        assertThat(c.size).isGreaterThan(Children.SHRINK);
        assertBalanced(c);
      } else {
        assertThat(((Node[]) set).length).isLessThanOrEqualTo(Children.SMALL);
      }
      long min = model.values().stream().mapToLong(Node::createRevision).min().orElse(Long.MAX_VALUE);
      assertThat(Children.minCreateRevision(set)).isEqualTo(min);
      if (before != null) {
        for (Node n : Children.toList(before)) {
          if (!n.name().equals(name)) {
            assertThat(Children.get(set, n.name())).as("sibling %s", n.name()).isSameAs(n);
          }
        }
      }
    }
  }

  /** Returns the height after checking the AVL invariant and cached sizes and heights. */
  private static int assertBalanced(Children c) {
    if (c == null) {
      return 0;
    }
    int l = assertBalanced(c.left);
    int r = assertBalanced(c.right);
    assertThat(Math.abs(l - r)).as("balance at %s", c.name).isLessThanOrEqualTo(1);
    assertThat(c.height).isEqualTo(Math.max(l, r) + 1);
    assertThat(c.size).isEqualTo((c.left == null ? 0 : c.left.size) + (c.right == null ? 0 : c.right.size) + 1);
    assertThat(c.name).isSameAs(c.node.name());
    return c.height;
  }
}
