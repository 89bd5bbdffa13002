package io.consensus.route;

import io.consensus.internal.route.Items;
import io.consensus.internal.route.Keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTest {
  static KeyTree tree() {
    return KeyTree.fromSnapshot("/r", 30, List.of(
        KeyValue.of("/r/items/a", "", 1, 1),
        KeyValue.of("/r/items/a/m3", "ready", 9, 9),
        KeyValue.of("/r/items/a/m1", "ready", 12, 12),
        KeyValue.of("/r/items/a/m2", "warming", 10, 20),
        KeyValue.of("/r/items/c", "", 2, 2),
        KeyValue.of("/r/items/some/nested/item", "x", 5, 5)));
  }

  @Test
  void entriesAreOrderedByCreateRevision() {
    Route a = Route.of("a", tree().child("items", "a"));
    assertThat(a.entries()).extracting(RouteEntry::member).containsExactly("m3", "m2", "m1");
    assertThat(a.index("m2")).isEqualTo(1);
    assertThat(a.index("zz")).isEqualTo(-1);
    assertThat(a.master().member()).isEqualTo("m3");
    assertThat(a.role("m3", 1)).isEqualTo(Role.MASTER);
    assertThat(a.role("m2", 1)).isEqualTo(Role.REPLICA);
    assertThat(a.role("m1", 1)).isEqualTo(Role.EXTRA);
    assertThat(a.role("m0", 1)).isEqualTo(Role.NONE);
  }

  @Test
  void nestedKeysMakeDirectoryEntries() {
    Route some = Route.of("some", tree().child("items", "some"));
    assertThat(some.entries()).extracting(RouteEntry::member).containsExactly("nested");
    assertThat(some.master().createRevision()).isEqualTo(5);
    assertThat(some.master().state()).isEmpty();
  }

  @Test
  void readyForHandoffNeedsReadyReplicas() {
    Route a = Route.of("a", tree().child("items", "a"));
    assertThat(a.isReadyForHandoff(1, (item, state) -> state.equals("ready"))).isFalse();
    assertThat(a.isReadyForHandoff(1, (item, state) -> true)).isTrue();
    assertThat(a.isReadyForHandoff(3, (item, state) -> true)).isFalse();
    assertThat(a.isReadyForHandoff(0, (item, state) -> false)).isTrue();
  }

  @Test
  void walkIsAnOuterJoinWithFixedItems() {
    List<String> seen = new ArrayList<>();
    Items.walk(tree(), List.of("a", "b", "d"), (name, route) -> seen.add(name + ":" + route.size()));
    assertThat(seen).containsExactly("a:3", "b:0", "c:0", "d:0", "some:1");
    List<String> none = new ArrayList<>();
    Items.walk(KeyTree.empty("/r"), List.of("x"), (name, route) -> none.add(name));
    assertThat(none).containsExactly("x");
  }

  @Test
  void routesAreValues() {
    assertThat(Route.of("a", tree().child("items", "a"))).isEqualTo(Route.of("a", tree().child("items", "a")));
    assertThatThrownBy(() -> Route.of("a", tree().child("items", "a")).entries().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void namesAndKeys() {
    Keys keys = new Keys("/consensus/demo");
    assertThat(keys.entry("a", "m1")).isEqualTo("/consensus/demo/items/a/m1");
    assertThat(keys.itemEntriesPrefix("a")).isEqualTo("/consensus/demo/items/a/");
    assertThat(keys.member("m1")).isEqualTo("/consensus/demo/members/m1");
    assertThatThrownBy(() -> keys.entry("a/b", "m1")).hasMessageContaining("invalid item name 'a/b'");
    assertThatThrownBy(() -> keys.member("")).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> new Keys("consensus")).hasMessageContaining("must start with '/'");
    assertThatThrownBy(() -> new Keys("/a/")).hasMessageContaining("must not end with '/'");
    assertThatThrownBy(() -> new Keys("/a//b")).hasMessageContaining("segment");
    assertThatThrownBy(() -> new Keys("")).hasMessageContaining("must not be empty");
  }
}
