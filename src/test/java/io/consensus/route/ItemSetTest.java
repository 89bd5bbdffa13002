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

  /**
   * Edits against a TreeSet: names added before every other (a new first name of the first chunk),
   * chunks split, emptied and dropped, first names of chunks removed; after each revision every
   * name is found (the search goes by the chunks' first names) and names absent are not, and the
   * set it started from is unchanged. From a built set (half-full chunks) and from the empty set.
   */
  @Test
  void editsBehaveAsASortedSetAndFindEveryName() {
    for (int start = 0; start < 2; start++) {
      Random rnd = new Random(23 + start);
      TreeSet<String> model = new TreeSet<>();
      ItemSet.Builder b = new ItemSet.Builder();
      if (start == 0) {
        for (int i = 0; i < 3000; i += 2) {
          String name = String.format("m%05d", i);
          b.add(name);
          model.add(name);
        }
      }
      ItemSet set = b.build();
      for (int round = 0; round < 400; round++) {
        ItemSet before = set;
        List<String> beforeNames = new ArrayList<>(model);
        ItemSet.Edit edit = set.edit();
        int changes = rnd.nextInt(150);
        // Some rounds empty a whole range (chunks dropped), others grow one place (chunks split).
        int from = rnd.nextInt(3000);
        int span = rnd.nextInt(4) == 0 ? 40 : 3000;
        for (int i = 0; i < changes; i++) {
          int n = from + rnd.nextInt(span);
          String name = rnd.nextInt(20) == 0 ? "a" + rnd.nextInt(100) : String.format("m%05d", n % 3000);
          if (rnd.nextInt(span == 40 ? 2 : 3) == 0) {
            edit.remove(name);
            model.remove(name);
          } else {
            edit.add(name);
            model.add(name);
          }
          assertThat(edit.isEmpty()).isEqualTo(model.isEmpty());
        }
        set = edit.done();
        assertThat(new ArrayList<>(set.asList())).as("round %d", round).isEqualTo(new ArrayList<>(model));
        assertThat(set.size()).isEqualTo(model.size());
        ItemSet made = set;
        assertThat(model.stream().filter(name -> !made.contains(name))).as("round %d", round).isEmpty();
        for (int i = 0; i < 50; i++) {
          String absent = String.format("m%05d", rnd.nextInt(3000)) + "x";
          assertThat(set.contains(absent)).isFalse();
        }
        assertThat(set.contains("0")).isFalse();
        assertThat(set.contains("z")).isFalse();
        assertThat(new ArrayList<>(before.asList())).isEqualTo(beforeNames);
        if (rnd.nextInt(50) == 0) {
          ItemSet.Edit all = set.edit();
          model.forEach(all::remove);
          model.clear();
          set = all.done();
          assertThat(set).isSameAs(ItemSet.EMPTY);
        }
      }
    }
  }

  @Test
  void anEditIsDoneOnceItsSetIsMadeAndTheSetKeepsItsNames() {
    ItemSet.Edit e = ItemSet.EMPTY.edit();
    e.add("b");
    e.add("a");
    ItemSet made = e.done();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> e.add("c")).isInstanceOf(IllegalStateException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> e.remove("a")).isInstanceOf(IllegalStateException.class);
    ItemSet.Edit next = made.edit();
    next.add("0");
    next.remove("b");
    assertThat(next.done().asList()).containsExactly("0", "a");
    assertThat(made.asList()).containsExactly("a", "b");
    assertThat(made.contains("0")).isFalse();
  }
}
