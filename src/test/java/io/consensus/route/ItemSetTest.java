package io.consensus.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ItemSetTest {
  @Test
  void behavesAsASortedSetAndLeavesEarlierVersionsAlone() {
    Random rnd = new Random(7);
    TreeSet<String> expected = new TreeSet<>();
    ItemSet set = ItemSet.EMPTY;
    List<ItemSet> versions = new ArrayList<>();
    List<List<String>> contents = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String name = "item-" + rnd.nextInt(3000);
      if (rnd.nextInt(3) == 0) {
        expected.remove(name);
        set = set.without(name);
      } else {
        expected.add(name);
        set = set.with(name);
      }
      if (i % 997 == 0) {
        versions.add(set);
        contents.add(new ArrayList<>(expected));
      }
    }
    assertThat(set.asList()).containsExactlyElementsOf(expected);
    assertThat(set.size()).isEqualTo(expected.size());
    assertThat(set.contains(expected.first())).isTrue();
    assertThat(set.contains("item-x")).isFalse();
    for (int v = 0; v < versions.size(); v++) {
      assertThat(versions.get(v).asList()).as("version %d", v).containsExactlyElementsOf(contents.get(v));
    }
  }

  @Test
  void removingEverythingLeavesTheEmptySet() {
    ItemSet s = ItemSet.EMPTY;
    for (int i = 0; i < 1000; i++) {
      s = s.with(String.format("%04d", i));
    }
    assertThat(s.with("0001")).isSameAs(s);
    for (int i = 999; i >= 0; i--) {
      s = s.without(String.format("%04d", i));
    }
    assertThat(s.isEmpty()).isTrue();
    assertThat(s.asList()).isEmpty();
    assertThat(s.without("0001")).isSameAs(s);
  }

  @Test
  void aBuiltSetEqualsTheSameNamesAddedOneByOneAndKeepsChanging() {
    ItemSet added = ItemSet.EMPTY;
    ItemSet.Builder b = new ItemSet.Builder();
    TreeSet<String> expected = new TreeSet<>();
    for (int i = 0; i < 1000; i++) {
      String name = String.format("%04d", i * 3);
      added = added.with(name);
      b.add(name);
      expected.add(name);
    }
    ItemSet built = b.build();
    assertThat(built.asList()).containsExactlyElementsOf(added.asList());
    assertThat(built.size()).isEqualTo(1000);
    // Changes to a built set (half-full chunks) work as on any other.
    Random rnd = new Random(3);
    for (int i = 0; i < 5000; i++) {
      String name = String.format("%04d", rnd.nextInt(3000));
      if (rnd.nextBoolean()) {
        built = built.with(name);
        expected.add(name);
      } else {
        built = built.without(name);
        expected.remove(name);
      }
    }
    assertThat(built.asList()).containsExactlyElementsOf(expected);
    assertThat(new ItemSet.Builder().build()).isSameAs(ItemSet.EMPTY);
  }

  @Test
  void theBuilderRefusesNamesOutOfOrder() {
    ItemSet.Builder b = new ItemSet.Builder().add("b");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.add("a")).isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.add("b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEditMakesTheSameSetAsOneChangeAtATimeAndLeavesItsStartAlone() {
    Random rnd = new Random(11);
    ItemSet one = ItemSet.EMPTY;
    for (int round = 0; round < 300; round++) {
      ItemSet start = one;
      List<String> before = new ArrayList<>(start.asList());
      ItemSet.Edit edit = start.edit();
      int changes = rnd.nextInt(80);
      for (int i = 0; i < changes; i++) {
        String name = "item-" + rnd.nextInt(2000);
        if (rnd.nextInt(3) == 0) {
          one = one.without(name);
          edit.remove(name);
        } else {
          one = one.with(name);
          edit.add(name);
        }
      }
      ItemSet edited = edit.done();
      assertThat(edited.asList()).as("round %d", round).containsExactlyElementsOf(one.asList());
      assertThat(edited.size()).isEqualTo(one.size());
      assertThat(start.asList()).containsExactlyElementsOf(before);
      if (changes == 0) {
        assertThat(edited).isSameAs(start);
      }
      one = rnd.nextInt(10) == 0 ? edited : one; // go on from either
    }
    ItemSet.Edit all = one.edit();
    one.asList().forEach(all::remove);
    assertThat(all.done()).isSameAs(ItemSet.EMPTY);
  }
}
