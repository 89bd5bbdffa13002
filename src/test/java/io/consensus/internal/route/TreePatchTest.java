package io.consensus.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.allocation.ItemSummary;
import io.consensus.route.MemberInfo;
import io.consensus.route.RoutingTable;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.consensus.tree.Node;
import io.consensus.tree.TouchedNodes;
import io.consensus.tree.WatchUpdate;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A patch reports each touched item's node before and after the update as its own descents found
 * them: over random updates (puts and deletes of a few items' entries, an item touched several
 * times, emptied and re-created in one update, markers, member keys) the reported nodes are the
 * very nodes of the two trees, and the routing table and the index brought forward through them
 * equal those brought forward by searching the trees (the way kept for a plain set of names).
 */
class TreePatchTest {
  private static final String ROOT = "/t";
  private static final List<String> MEMBERS = List.of("m0", "m1", "m2", "m3");
  private static final List<String> FIXED = List.of("i00", "i05", "i17");
  private static final int ITEMS = 24; // past Children.SMALL: the items node is an AVL tree, rotated and shrunk

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void reportedNodesAreTheTreesOwnAndFollowersMatchSearching(long seed) {
    Random rnd = new Random(seed);
    TreeMap<String, KeyValue> store = new TreeMap<>();
    long[] rev = {1};
    KeyTree tree = KeyTree.empty(ROOT);
    RoutingTable viaNodes = RoutingTable.empty(ROOT, FIXED, 2, Map.of("i05", 1));
    RoutingTable viaNames = viaNodes;
    AllocationIndex ixNodes = new AllocationIndex("m0", 0, 2, FIXED, (i, s) -> true);
    AllocationIndex ixNames = new AllocationIndex("m0", 0, 2, FIXED, (i, s) -> true);
    ixNodes.rebuild(tree);
    ixNames.rebuild(tree);
    Map<String, MemberInfo> members = Map.of();
    for (int round = 0; round < 300; round++) {
      List<KeyEvent> events = randomUpdate(rnd, store, rev);
      WatchUpdate.Changes update = new WatchUpdate.Changes(rev[0], events);
      TreePatch patch = new TreePatch(tree, update);
      while (!patch.step(1 + rnd.nextInt(3))) {
        // a few keys per step, as a member slices it
      }
      KeyTree next = patch.tree();
      TouchedNodes touched = patch.touched();
      assertThat(next.terminals()).as("round %d", round).isEqualTo(new ArrayList<>(store.values()));

      // The names: the items the events touch, in the order first touched, as the tree's own strings.
      assertThat(new ArrayList<>(touched.names())).as("round %d", round)
          .isEqualTo(new ArrayList<>(AllocationIndex.touchedItems(next, events)));
      Node oldItems = Items.itemsNode(tree);
      Node newItems = Items.itemsNode(next);
      for (String item : touched.names()) {
        TouchedNodes.Change c = touched.change(item);
        Node before = oldItems == null ? null : oldItems.child(item);
        Node after = newItems == null ? null : newItems.child(item);
        assertThat(c.before()).as("before of %s, round %d", item, round).isSameAs(before);
        assertThat(c.after()).as("after of %s, round %d", item, round).isSameAs(after);
        Node named = after != null ? after : before;
        if (named != null) {
          assertThat(item).as("the node's own name").isSameAs(named.name());
        }
      }
      assertThat(touched.startsAt(tree)).isTrue();
      assertThat(touched.endsAt(next)).isTrue();

      if (rnd.nextInt(8) == 0) { // now and then a member's metadata changes: its other items are looked at too
        members = randomMembers(rnd);
      }
      RoutingTable.Update a = viaNodes.update(next, members, touched);
      RoutingTable.Update b = viaNames.update(next, members, new LinkedHashSet<>(touched.names()));
      while (!a.step(1 + rnd.nextInt(4))) {
        // steps of a few items
      }
      while (!b.step(7)) {
        // steps of a few items
      }
      assertThat(a.changed()).as("round %d", round).isEqualTo(b.changed());
      viaNodes = a.table();
      viaNames = b.table();
      assertSameTables(viaNodes, viaNames, round);
      assertSameTables(viaNodes, RoutingTable.of(next, FIXED, 2, Map.of("i05", 1), members), round);

      List<String> work = new ArrayList<>();
      ixNodes.begin(next, touched).forEachRemaining(work::add);
      Set<String> changedNodes = new LinkedHashSet<>(ixNodes.reclassify(work).items());
      ixNodes.end();
      Set<String> changedNames = ixNames.update(next, new LinkedHashSet<>(touched.names()));
      assertThat(changedNodes).as("round %d", round).isEqualTo(changedNames);
      assertThat(summaries(ixNodes)).as("round %d", round).isEqualTo(summaries(ixNames));
      tree = next;
    }
    AllocationIndex fresh = new AllocationIndex("m0", 0, 2, FIXED, (i, s) -> true);
    fresh.rebuild(tree);
    assertThat(summaries(ixNodes)).isEqualTo(summaries(fresh));
  }

  @Test
  void nodesCollectedOverOtherTreesAreNotUsed() {
    KeyTree a = KeyTree.empty(ROOT).patch(KeyEvent.put(KeyValue.of(ROOT + "/items/x/m1", "{}", 2, 2)));
    KeyTree b = a.patch(KeyEvent.put(KeyValue.of(ROOT + "/items/x/m2", "{}", 3, 3)));
    // Collected from a to b, but handed to a table still at the empty tree (it missed a).
    TreePatch patch = new TreePatch(a, new WatchUpdate.Changes(3,
        List.of(KeyEvent.put(KeyValue.of(ROOT + "/items/x/m2", "{}", 3, 3)))));
    patch.step(10);
    RoutingTable empty = RoutingTable.empty(ROOT, List.of(), 1, Map.of());
    assertThat(patch.touched().startsAt(empty.tree())).isFalse();
    RoutingTable.Update u = empty.update(patch.tree(), Map.of(), patch.touched());
    u.step(10);
    assertSameTables(u.table(), RoutingTable.of(b, List.of(), 1, Map.of(), Map.of()), 0);
    assertThat(u.table().routeOf("x").size()).isEqualTo(2);

    // The index searches a tree the nodes do not end at.
    AllocationIndex ix = new AllocationIndex("m1", 0, 1, List.of(), (i, s) -> true);
    ix.rebuild(a);
    KeyTree c = b.patch(KeyEvent.delete(ROOT + "/items/x/m1", 4));
    List<String> work = new ArrayList<>();
    ix.begin(c, patch.touched()).forEachRemaining(work::add);
    ix.reclassify(work);
    ix.end();
    assertThat(ix.summary("x").route().size()).isEqualTo(1);
  }

  @Test
  void aCollectorFollowsOneChainOfPatches() {
    KeyTree a = KeyTree.empty(ROOT);
    TouchedNodes touched = new TouchedNodes(a, Keys.ITEMS_PREFIX);
    KeyTree b = a.patch(KeyEvent.put(KeyValue.of(ROOT + "/items/x/m1", "{}", 2, 2)), touched);
    assertThatThrownBy(() -> a.patch(KeyEvent.put(KeyValue.of(ROOT + "/items/y/m1", "{}", 3, 3)), touched))
        .isInstanceOf(IllegalArgumentException.class);
    KeyTree c = b.patch(KeyEvent.put(KeyValue.of(ROOT + "/members/m1", "{}", 3, 3)), touched);
    assertThat(touched.names()).containsExactly("x");
    assertThat(touched.change("x").before()).isNull();
    assertThat(touched.change("x").after()).isSameAs(c.child("items", "x"));
    assertThat(touched.endsAt(c)).isTrue();
    assertThat(touched.endsAt(b)).isFalse();
  }

  /** 1-8 events valid in turn against {@code store} (kept up to date), over a few items at a time. */
  private static List<KeyEvent> randomUpdate(Random rnd, TreeMap<String, KeyValue> store, long[] rev) {
    List<KeyEvent> events = new ArrayList<>();
    int n = 1 + rnd.nextInt(8);
    // Few items per update, so that one is touched several times.
    List<String> items = new ArrayList<>();
    for (int i = 0, k = 1 + rnd.nextInt(3); i < k; i++) {
      items.add(String.format("i%02d", rnd.nextInt(ITEMS)));
    }
    rev[0]++;
    for (int e = 0; e < n; e++) {
      String item = items.get(rnd.nextInt(items.size()));
      String itemKey = ROOT + "/items/" + item;
      String member = MEMBERS.get(rnd.nextInt(MEMBERS.size()));
      int what = rnd.nextInt(20);
      if (what < 8) { // an entry put (new, or rewritten: its create revision stays)
        put(events, store, itemKey + "/" + member, rnd.nextBoolean() ? "{}" : "{\"state\":\"ready\"}", rev[0]);
      } else if (what < 12) { // an entry deleted
        delete(events, store, itemKey + "/" + member, rev[0]);
      } else if (what < 14) { // the item emptied: every key of it deleted (then perhaps re-created)
        for (String key : new ArrayList<>(store.subMap(itemKey, true, itemKey + "0", false).keySet())) {
          if (key.equals(itemKey) || key.startsWith(itemKey + "/")) {
            delete(events, store, key, rev[0]);
          }
        }
      } else if (what < 15) { // its marker, now and then with its own R
        put(events, store, itemKey, rnd.nextBoolean() ? "{\"replicas\": 1}" : "", rev[0]);
      } else if (what < 16) {
        delete(events, store, itemKey, rev[0]);
      } else if (what < 17) { // a key deeper than an entry
        put(events, store, itemKey + "/" + member + "/moved", "{}", rev[0]);
      } else if (what < 18) { // a member key comes or goes: not an item
        String key = ROOT + "/members/" + member;
        if (store.containsKey(key) && rnd.nextBoolean()) {
          delete(events, store, key, rev[0]);
        } else {
          put(events, store, key, "{}", rev[0]);
        }
      } else if (what < 19) { // ROOT/items itself: touches no item
        put(events, store, ROOT + "/items", "", rev[0]);
      } else {
        delete(events, store, ROOT + "/items", rev[0]);
      }
    }
    if (events.isEmpty()) {
      put(events, store, ROOT + "/items/" + items.get(0) + "/m1", "{}", rev[0]);
    }
    return events;
  }

  private static void put(List<KeyEvent> events, Map<String, KeyValue> store, String key, String value, long rev) {
    KeyValue old = store.get(key);
    KeyValue kv = old == null ? new KeyValue(key, value, rev, rev, 1, 0)
        : new KeyValue(key, value, old.createRevision(), rev, old.version() + 1, 0);
    store.put(key, kv);
    events.add(KeyEvent.put(kv));
  }

  private static void delete(List<KeyEvent> events, Map<String, KeyValue> store, String key, long rev) {
    if (store.remove(key) != null) {
      events.add(KeyEvent.delete(key, rev));
    }
  }

  private static Map<String, MemberInfo> randomMembers(Random rnd) {
    Map<String, MemberInfo> out = new TreeMap<>();
    for (String m : MEMBERS) {
      if (rnd.nextInt(4) > 0) {
        out.put(m, new MemberInfo(m, new JsonObject().put("v", rnd.nextInt(3)), true));
      }
    }
    return out;
  }

  private static void assertSameTables(RoutingTable t, RoutingTable u, int round) {
    assertThat(t.routes()).as("round %d", round).isEqualTo(u.routes());
    assertThat(t.counters()).as("round %d", round).isEqualTo(u.counters());
    assertThat(t.holders()).as("round %d", round).isEqualTo(u.holders());
    for (String m : MEMBERS) {
      assertThat(t.mastersOf(m)).as("masters of %s, round %d", m, round).isEqualTo(u.mastersOf(m));
      assertThat(t.itemsOf(m)).as("items of %s, round %d", m, round).isEqualTo(u.itemsOf(m));
    }
    for (int i = 0; i < ITEMS; i++) {
      String item = String.format("i%02d", i);
      assertThat(t.replicasOf(item)).isEqualTo(u.replicasOf(item));
    }
  }

  private static List<ItemSummary> summaries(AllocationIndex ix) {
    return ix.summaries().stream().sorted(Comparator.comparing(ItemSummary::item)).collect(Collectors.toList());
  }
}
