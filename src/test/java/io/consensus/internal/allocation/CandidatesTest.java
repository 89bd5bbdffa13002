package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Role;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The candidate sets kept by member (successor, later member, master and first replica) stay equal
 * to their definitions computed from scratch from the item summaries, and to a rebuild's, after
 * random edits of entries, states and member keys.
 */
class CandidatesTest {
  private static final List<String> MEMBERS = List.of("me", "a", "b", "c", "d");
  private static final long MY_LEASE = 7;

  @Test
  void keptByMemberEqualsAFromScratchComputationAfterRandomEdits() {
    Random rnd = new Random(17);
    List<String> fixed = new ArrayList<>();
    Map<String, Integer> fixedR = new TreeMap<>();
    for (int i = 0; i < 40; i++) {
      fixed.add("i" + i);
      if (i % 5 == 0) {
        fixedR.put("i" + i, i % 15 == 0 ? 0 : i % 10 == 0 ? 1 : 3); // per-item R among the fleet's 2
      }
    }
    List<KeyValue> kvs = new ArrayList<>();
    long rev = 1;
    for (String m : MEMBERS) {
      kvs.add(new KeyValue("/r/members/" + m, "{}", ++rev, rev, 1, leaseOf(m)));
    }
    KeyTree tree = KeyTree.fromSnapshot("/r", rev, kvs);
    AllocationIndex inc = index(fixed, fixedR);
    inc.rebuild(tree);
    Map<String, KeyValue> entries = new TreeMap<>();
    Set<String> absent = new TreeSet<>();
    Set<String> reached = new TreeSet<>();
    for (int round = 0; round < 400; round++) {
      List<String> touched = new ArrayList<>();
      for (int e = 1 + rnd.nextInt(4); e > 0; e--) {
        rev++;
        int what = rnd.nextInt(20);
        String m = MEMBERS.get(rnd.nextInt(MEMBERS.size()));
        if (what == 0) {
          // A member key comes or goes (readiness for hand-off reads the replicas' member keys).
          String key = "/r/members/" + m;
          tree = absent.remove(m)
              ? tree.patch(KeyEvent.put(new KeyValue(key, "{}", rev, rev, 1, leaseOf(m))))
              : tree.patch(KeyEvent.delete(key, rev));
          if (tree.child("members", m) == null) {
            absent.add(m);
          }
          continue;
        }
        String item = fixed.get(rnd.nextInt(fixed.size()));
        String key = "/r/items/" + item + "/" + m;
        KeyValue old = entries.get(key);
        if (old != null && what < 8) {
          entries.remove(key);
          tree = tree.patch(KeyEvent.delete(key, rev));
        } else {
          String state = rnd.nextInt(4) == 0 ? "loading" : "ready";
          KeyValue kv = new KeyValue(key, state, old == null ? rev : old.createRevision(), rev,
              old == null ? 1 : old.version() + 1, leaseOf(m));
          entries.put(key, kv);
          tree = tree.patch(KeyEvent.put(kv));
        }
        touched.add(item);
      }
      inc.update(tree, touched);
      AllocationIndex fresh = index(fixed, fixedR);
      fresh.rebuild(tree);
      for (AllocationIndex idx : List.of(inc, fresh)) {
        Candidates c = idx.candidates();
        Expected x = new Expected(idx);
        assertThat(sets(c.myReadyBySuccessor())).as("round %d", round).isEqualTo(x.bySuccessor);
        assertThat(sets(c.myHandOffBySuccessor())).as("round %d", round).isEqualTo(x.handOffBySuccessor);
        assertThat(sets(c.myMovable())).as("round %d", round).isEqualTo(x.movable);
        assertThat(sets(c.myReadyByLater())).as("round %d", round).isEqualTo(x.byLater);
        assertThat(new TreeSet<>(c.myReadyUnreplicated().all())).isEqualTo(x.unreplicated);
        for (String m : MEMBERS) {
          assertThat(c.myHandOffBehind(m)).as("round %d behind %s", round, m).isEqualTo(x.behind.getOrDefault(m, 0));
        }
        Map<String, Map<String, Set<String>>> firstInLine = new TreeMap<>();
        c.myNextInLine().forEach((master, byBehind) -> firstInLine.put(master, sets(byBehind)));
        assertThat(firstInLine).as("round %d", round).isEqualTo(x.firstInLine);
        Map<String, Map<String, Integer>> behindFirst = new TreeMap<>();
        c.myBehindFirst().forEach((master, byFirst) -> {
          Map<String, Integer> counts = new TreeMap<>();
          byFirst.forEach((first, n) -> counts.put(first, n[0]));
          behindFirst.put(master, counts);
        });
        assertThat(behindFirst).as("round %d", round).isEqualTo(x.behindFirst);
      }
      Candidates c = inc.candidates();
      Map<String, Boolean> now = Map.of("bySuccessor", !c.myReadyBySuccessor().isEmpty(),
          "handOffBySuccessor", !c.myHandOffBySuccessor().isEmpty(), "movable", !c.myMovable().isEmpty(),
          "byLater", !c.myReadyByLater().isEmpty(), "unreplicated", !c.myReadyUnreplicated().isEmpty(),
          "behind", MEMBERS.stream().anyMatch(m -> c.myHandOffBehind(m) > 0),
          "firstInLine", !c.myNextInLine().isEmpty(), "behindFirst", !c.myBehindFirst().isEmpty());
      now.forEach((k, v) -> {
        if (v) {
          reached.add(k);
        }
      });
    }
    // The edits reached every set (the test would pass on empty ones otherwise).
    assertThat(reached).containsExactlyInAnyOrder("bySuccessor", "handOffBySuccessor", "movable", "byLater",
        "unreplicated", "behind", "firstInLine", "behindFirst");
  }

  private static long leaseOf(String member) {
    return member.equals("me") ? MY_LEASE : 100 + MEMBERS.indexOf(member);
  }

  private static AllocationIndex index(List<String> fixed, Map<String, Integer> fixedR) {
    return new AllocationIndex("me", MY_LEASE, 2, fixed, (i, s) -> s.equals("ready")).fixedReplicas(fixedR);
  }

  private static Map<String, Set<String>> sets(Map<String, IndexedSet> m) {
    Map<String, Set<String>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, new TreeSet<>(v.all())));
    return out;
  }

  /** The sets by their definitions, from the summaries alone. */
  private static final class Expected {
    final Map<String, Set<String>> bySuccessor = new TreeMap<>();
    final Map<String, Set<String>> handOffBySuccessor = new TreeMap<>();
    final Map<String, Set<String>> movable = new TreeMap<>();
    final Map<String, Set<String>> byLater = new TreeMap<>();
    final Set<String> unreplicated = new TreeSet<>();
    final Map<String, Integer> behind = new TreeMap<>();
    final Map<String, Map<String, Set<String>>> firstInLine = new TreeMap<>();
    final Map<String, Map<String, Integer>> behindFirst = new TreeMap<>();

    Expected(AllocationIndex idx) {
      Function<String, Set<String>> newSet = k -> new TreeSet<>();
      for (ItemSummary s : idx.summaries()) {
        if (!s.mine()) {
          continue;
        }
        int r = s.replicas();
        int size = s.size();
        String item = s.item();
        if (s.role() == Role.MASTER && s.readyForHandoff()) {
          bySuccessor.computeIfAbsent(size > 1 ? s.route().memberAt(1) : "", newSet).add(item);
          if (r == 0) {
            unreplicated.add(item);
          }
          if (r >= 1 && size >= 2) {
            handOffBySuccessor.computeIfAbsent(s.route().memberAt(1), newSet).add(item);
            for (int j = 2; j <= r && j < size; j++) {
              behind.merge(s.route().memberAt(j), 1, Integer::sum);
            }
          }
          if (r >= 1 && size == r + 1) {
            movable.computeIfAbsent(s.route().memberAt(1), newSet).add(item);
          }
          if (size == idx.replicas() + 1) {
            for (int j = 2; j < size; j++) {
              byLater.computeIfAbsent(s.route().memberAt(j), newSet).add(item);
            }
          }
        }
        if (s.role() == Role.REPLICA && s.myIndex() == 1 && r >= 2 && size == r + 1) {
          firstInLine.computeIfAbsent(s.route().memberAt(0), k -> new TreeMap<>())
              .computeIfAbsent(s.route().memberAt(2), newSet).add(item);
        }
        if (s.role() == Role.REPLICA && s.myIndex() >= 2) {
          behindFirst.computeIfAbsent(s.route().memberAt(0), k -> new TreeMap<>())
              .merge(s.route().memberAt(1), 1, Integer::sum);
        }
      }
    }
  }
}
