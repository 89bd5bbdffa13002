package io.consensus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The harness's watcher fed by hand, without etcd: every check it makes must fire on a
 * violation and stay silent otherwise (R = 1: fully staffed is two entries of present members).
 */
class ChaosWatcherTest {
  private static final String ROOT = "/t";
  private Vertx vertx;
  private ChaosReport report;
  private ChaosWatcher w;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    report = new ChaosReport();
    w = ChaosWatcher.offline(vertx, ROOT, 1, report, List.of("x", "y"));
    // Members a, b, c; x on a (master) and b, y on b and c.
    w.accept(new WatchUpdate.Snapshot(20, List.of(
        member("a", 1, 2), member("b", 2, 3), member("c", 3, 4),
        KeyValue.of(ROOT + "/items/x", "", 5, 5), KeyValue.of(ROOT + "/items/y", "", 6, 6),
        entry("x", "a", 10, 1), entry("x", "b", 11, 2), entry("y", "b", 12, 2), entry("y", "c", 13, 3))));
  }

  @AfterEach
  void stop() {
    w.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static KeyValue member(String m, long lease, long rev) {
    return new KeyValue(ROOT + "/members/" + m, "{}", rev, rev, 1, lease);
  }

  private static KeyValue entry(String item, String m, long rev, long lease) {
    return new KeyValue(ROOT + "/items/" + item + "/" + m, "ready", rev, rev, 1, lease);
  }

  private static KeyEvent put(KeyValue kv) {
    return KeyEvent.put(kv);
  }

  private static KeyEvent del(String key, long rev) {
    return KeyEvent.delete(ROOT + key, rev);
  }

  private List<String> kinds() {
    List<String> out = new ArrayList<>();
    report.violations().forEach(v -> out.add(v.kind()));
    return out;
  }

  @Test
  void aHealthyHandOffIsNoViolationAndKeepsTheFleetStaffed() {
    assertTrue(w.staffed());
    // c joins x, then a leaves it: never below R = 1, b becomes master with a greater token.
    w.accept(new WatchUpdate.Changes(21, List.of(put(entry("x", "c", 21, 3)))));
    w.accept(new WatchUpdate.Changes(22, List.of(del("/items/x/a", 22))));
    assertEquals(List.of(), kinds());
    assertTrue(w.staffed());
    assertEquals(List.of("b", "c"), w.holders("x"));
    MovementTally.Counts m = w.movement();
    assertEquals(1, m.placements());
    assertEquals(1, m.releases());
    assertEquals(1, m.masterChanges());
    assertEquals(2, m.keyWrites());
  }

  @Test
  void aGracefulDropBelowRAndAMasterlessItemAreViolations() {
    w.accept(new WatchUpdate.Changes(21, List.of(del("/items/x/b", 21), del("/items/x/a", 21))));
    assertEquals(List.of("graceful: masterless"), kinds());
    assertFalse(w.staffed());
    assertEquals(1, w.unstaffedCount());
  }

  @Test
  void aDropUnderAFaultIsNoViolation() {
    w.disturb();
    w.accept(new WatchUpdate.Changes(21, List.of(del("/items/x/b", 21), del("/items/x/a", 21))));
    assertEquals(List.of(), kinds());
  }

  @Test
  void aLoweredFencingTokenIsAViolation() {
    // An entry created (as if) before the master's: it would master x with a smaller token.
    w.accept(new WatchUpdate.Changes(21, List.of(put(new KeyValue(ROOT + "/items/x/c", "ready", 9, 21, 1, 3)))));
    assertEquals(List.of("fencing token went down"), kinds());
  }

  @Test
  void anEntryForARemovedItemIsAViolation() {
    w.accept(new WatchUpdate.Changes(21, List.of(del("/items/y/b", 21), del("/items/y/c", 21), del("/items/y", 21))));
    w.removed("y", 21);
    assertEquals(List.of(), kinds());
    w.accept(new WatchUpdate.Changes(22, List.of(put(entry("y", "a", 22, 1)))));
    assertEquals(List.of("removed item resurrected"), kinds());
  }

  @Test
  void staffedFollowsEntriesAndMemberKeys() {
    w.accept(new WatchUpdate.Changes(21, List.of(del("/items/y/c", 21))));
    assertFalse(w.staffed());
    assertEquals(1, w.understaffed().size());
    assertTrue(w.understaffed().get(0).startsWith("y"));
    w.accept(new WatchUpdate.Changes(22, List.of(put(entry("y", "a", 22, 1)))));
    assertTrue(w.staffed());
    // A member key gone (its lease expired before its entries): every item it holds is unstaffed.
    w.accept(new WatchUpdate.Changes(23, List.of(del("/members/a", 23))));
    assertFalse(w.staffed());
    assertEquals(2, w.unstaffedCount());
    w.accept(new WatchUpdate.Changes(24, List.of(put(member("a", 1, 24)))));
    assertTrue(w.staffed());
    assertEquals(0, w.unstaffedCount());
  }

  @Test
  void failoverIsTimedFromTheVictimsKeyToItsItemsNewMasters() {
    assertEquals(1, w.expectFailover("a"));
    assertEquals(-1, w.victimGoneNanos);
    // The revoke: a's member key and entry in one revision; b masters x from then on.
    w.accept(new WatchUpdate.Changes(21, List.of(del("/members/a", 21), del("/items/x/a", 21))));
    assertTrue(w.victimGoneNanos > 0);
    assertTrue(w.failoverDoneNanos > 0);
    assertFalse(w.staffed());
    w.accept(new WatchUpdate.Changes(22, List.of(put(entry("x", "c", 22, 3)))));
    assertTrue(w.staffed());
    assertEquals(Set.of("b", "c"), Set.copyOf(w.holders("x")));
  }

  @Test
  void failoverIsNotDoneWhileTheVictimStillMasters() {
    assertEquals(1, w.expectFailover("a"));
    w.accept(new WatchUpdate.Changes(21, List.of(del("/members/a", 21))));
    assertTrue(w.victimGoneNanos > 0);
    assertEquals(-1, w.failoverDoneNanos);
  }
}
