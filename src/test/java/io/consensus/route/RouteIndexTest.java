package io.consensus.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The index a follower keeps revision by revision equals the one a table builds from its tree in one walk. */
class RouteIndexTest {
  private static final String ROOT = "/r";
  private static final List<String> MEMBERS = List.of("m0", "m1", "m2", "m3", "m4");
  private static final List<String> FIXED = List.of("i00", "i03", "i07");

  @Test
  void updatesPerTouchedItemMatchAFreshWalk() {
    Random rnd = new Random(17);
    KeyTree tree = KeyTree.empty(ROOT);
    RoutingTable table = RoutingTable.empty(ROOT, FIXED, 2, Map.of("i03", 1));
    long rev = 1;
    for (int round = 0; round < 400; round++) {
      Set<String> touched = new LinkedHashSet<>();
      int events = 1 + rnd.nextInt(6);
      for (int e = 0; e < events; e++) {
        String item = String.format("i%02d", rnd.nextInt(12));
        String member = MEMBERS.get(rnd.nextInt(MEMBERS.size()));
        String entry = ROOT + "/items/" + item + "/" + member;
        int what = rnd.nextInt(10);
        rev++;
        if (what < 5) { // a new entry (or its value rewritten: its create revision stays)
          var old = tree.find(entry);
          long created = old == null ? rev : old.createRevision();
          tree = tree.patch(KeyEvent.put(KeyValue.of(entry, "{}", created, rev)));
        } else if (what < 8 && tree.find(entry) != null) {
          tree = tree.patch(KeyEvent.delete(entry, rev));
        } else if (what == 8) { // the item's marker, with its own R now and then
          String marker = ROOT + "/items/" + item;
          tree = tree.patch(KeyEvent.put(KeyValue.of(marker, rnd.nextBoolean() ? "{\"replicas\": 1}" : "", rev, rev)));
        } else if (tree.find(entry + "/moved") == null && tree.find(entry) != null) {
          // the entry moves behind the others: its create revision grows, the master may change
          tree = tree.patch(KeyEvent.delete(entry, rev));
          tree = tree.patch(KeyEvent.put(KeyValue.of(entry, "{}", rev, rev)));
        }
        touched.add(item);
      }
      RoutingTable.Update u = table.update(tree, Map.of(), touched);
      while (!u.step(1 + rnd.nextInt(3))) {
        // steps of a few items
      }
      table = u.table();
      RoutingTable fresh = RoutingTable.of(tree, FIXED, 2, Map.of("i03", 1), Map.of());
      assertThat(table.counters()).as("round %d", round).isEqualTo(fresh.counters());
      assertThat(table.holders()).as("round %d", round).isEqualTo(fresh.holders());
      for (String m : MEMBERS) {
        assertThat(table.mastersOf(m)).as("masters of %s, round %d", m, round).isEqualTo(fresh.mastersOf(m));
        assertThat(table.itemsOf(m)).as("items of %s, round %d", m, round).isEqualTo(fresh.itemsOf(m));
      }
    }
  }
}
