package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.route.Keys;
import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.tree.KeyValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Minimal movement against real etcd: a master hands off in place (the application sees
 * MASTER -> REPLICA, never NONE in between), and a restart within {@code restartGraceSeconds}
 * places no copy anew.
 */
class RestartGraceTest extends FleetTest {
  static final List<String> ITEMS = List.of("i1", "i2", "i3", "i4", "i5", "i6");

  Keys keys;

  @BeforeEach
  void setUp() {
    keys = new Keys(fleet.root);
  }

  AllocatorOptions options(String member, int grace) {
    return fleet.options(member, 1, ITEMS).setRestartGraceSeconds(grace);
  }

  static boolean staffed(Map<String, Route> routes, int entries) {
    return routes.size() == ITEMS.size() && routes.values().stream().allMatch(r -> r.size() == entries);
  }

  boolean balanced(Map<String, Route> routes, int members) {
    Map<String, Integer> masters = fleet.mastersPerMember(routes);
    return masters.size() == members && masters.values().stream().allMatch(n -> n == ITEMS.size() / members);
  }

  /** Create revision of {@code member}'s entry per item it holds. */
  static Map<String, Long> entriesOf(Map<String, Route> routes, String member) {
    Map<String, Long> out = new TreeMap<>();
    routes.forEach((item, r) -> {
      int i = r.index(member);
      if (i >= 0) {
        out.put(item, r.entries().get(i).createRevision());
      }
    });
    return out;
  }

  Optional<KeyValue> key(String key) {
    return fleet.keys().stream().filter(kv -> kv.key().equals(key)).findFirst();
  }

  @Test
  void aMasterHandsOffInPlaceAndItsApplicationSeesMasterToReplica() {
    fleet.deploy(options("m1", 0), ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "m1 masters everything", r -> staffed(r, 1));
    fleet.deploy(options("m2", 0), ItemHandler.DEFAULT);
    Map<String, Route> routes = fleet.awaitRoutes(ITEMS, "master + replica, 3/3",
        r -> staffed(r, 2) && balanced(r, 2));
    fleet.awaitQuiet();
    // m1 mastered all six and handed three to m2 without giving up their copies.
    for (String item : ITEMS) {
      List<Role> all = fleet.routeLog.get("m1").stream().filter(c -> c.item().equals(item))
          .map(RouteChange::role).toList();
      // Before m1 took the item it had no role; from then on it always has one.
      List<Role> roles = all.subList(all.indexOf(Role.MASTER), all.size());
      assertThat(roles).as("m1's roles of %s", item).doesNotContain(Role.NONE);
      if (routes.get(item).master().member().equals("m2")) {
        assertThat(roles).as("m1's roles of %s", item).endsWith(Role.REPLICA);
        List<Role> theirs = fleet.routeLog.get("m2").stream().filter(c -> c.item().equals(item))
            .map(RouteChange::role).filter(r -> r != Role.NONE).toList();
        assertThat(theirs).as("m2's roles of %s", item).containsExactly(Role.REPLICA, Role.MASTER);
      }
    }
    assertThat(fleet.members.get("m1").stats().moves()).isEqualTo(3);
    assertThat(fleet.members.get("m2").stats().mastershipChanges()).isEqualTo(3);
    // m2 placed one copy per item (a replica each), m1 none after the first six.
    assertThat(fleet.members.get("m2").stats().placements()).isEqualTo(ITEMS.size());
    assertThat(fleet.members.get("m1").stats().placements()).isEqualTo(ITEMS.size());
  }

  @Test
  void aRestartWithinTheGraceIsAdoptedWithoutPlacingAnyCopy() {
    for (String m : List.of("m1", "m2", "m3")) {
      fleet.deploy(options(m, 60), ItemHandler.DEFAULT);
    }
    Map<String, Route> before = fleet.awaitRoutes(ITEMS, "staffed and balanced", r -> staffed(r, 2) && balanced(r, 3));
    fleet.awaitQuiet();
    Map<String, Long> held = entriesOf(before, "m1");
    assertThat(held).hasSize(4);

    await(fleet.members.get("m1").restart());
    fleet.undeploy("m1");
    // Away: m1 masters nothing; its entries stand (the masters moved behind in place), on the
    // declared lease.
    Map<String, Route> away = fleet.routes(ITEMS);
    assertThat(entriesOf(away, "m1").keySet()).isEqualTo(held.keySet());
    assertThat(fleet.mastersPerMember(away)).doesNotContainKey("m1");
    assertThat(staffed(away, 2)).as("every item keeps two entries: %s", away).isTrue();
    KeyValue declared = key(keys.restart("m1")).orElseThrow();
    long grace = Long.parseLong(declared.value());
    assertThat(declared.lease()).isEqualTo(grace);
    for (String item : held.keySet()) {
      RouteEntry e = away.get(item).entries().get(away.get(item).index("m1"));
      assertThat(e.lease()).as(item).isEqualTo(grace);
    }
    Map<String, Long> kept = entriesOf(away, "m1");

    AllocatorVerticle back = fleet.deploy(options("m1", 60), ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "m1 back with its share",
        r -> staffed(r, 2) && balanced(r, 3) && key(keys.restart("m1")).isEmpty());
    fleet.awaitQuiet();
    // Read again: the routes the wait saw were read before the declaration's absence, so an
    // entry adopted between the two reads could still show the grace lease there.
    Map<String, Route> after = fleet.routes(ITEMS);
    assertThat(staffed(after, 2) && balanced(after, 3)).as("still staffed and balanced: %s", after).isTrue();
    assertThat(back.stats().adoptions()).isEqualTo(held.size());
    assertThat(back.stats().placements()).isZero();
    // The copies m1 holds are the ones it held before: nothing placed anew, on its new lease
    // (an entry that took mastership back in place has a new create revision, the rest keep theirs).
    assertThat(entriesOf(after, "m1").keySet()).isEqualTo(held.keySet());
    kept.forEach((item, rev) -> {
      Route r = after.get(item);
      if (!r.master().member().equals("m1")) {
        assertThat(r.entries().get(r.index("m1")).createRevision()).as(item).isEqualTo(rev);
      }
    });
    after.values().forEach(r -> {
      int i = r.index("m1");
      if (i >= 0) {
        assertThat(r.entries().get(i).lease()).isEqualTo(back.leaseId());
      }
    });
  }

  @Test
  void entriesOfARestartThatDoesNotComeBackInTimeExpireAndAreReplaced() {
    for (String m : List.of("m1", "m2", "m3")) {
      fleet.deploy(options(m, 2), ItemHandler.DEFAULT);
    }
    fleet.awaitRoutes(ITEMS, "staffed and balanced", r -> staffed(r, 2) && balanced(r, 3));
    fleet.awaitQuiet();
    // With a grace set, undeploying (what SIGTERM does in the launcher) is a restart.
    fleet.undeploy("m1");
    assertThat(key(keys.restart("m1"))).isPresent();
    fleet.awaitRoutes(ITEMS, "m1's entries expired and re-placed on m2 and m3",
        r -> staffed(r, 2) && r.values().stream().allMatch(x -> x.index("m1") < 0));
    assertThat(key(keys.restart("m1"))).isEmpty();
  }

  @Test
  void aCrashIsNotARestartNothingIsAdopted() {
    for (String m : List.of("m1", "m2", "m3")) {
      fleet.deploy(options(m, 60), ItemHandler.DEFAULT);
    }
    fleet.awaitRoutes(ITEMS, "staffed and balanced", r -> staffed(r, 2) && balanced(r, 3));
    fleet.awaitQuiet();
    long oldLease = fleet.members.get("m1").leaseId();
    await(fleet.members.get("m1").kill());
    fleet.undeploy("m1");
    // A new process with the same name waits for the old member key to expire, adopts nothing.
    AllocatorVerticle again = fleet.deploy(options("m1", 60).setWaitForMemberSeconds(30), ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "staffed and balanced again", r -> staffed(r, 2) && balanced(r, 3)
        && r.values().stream().flatMap(x -> x.entries().stream()).noneMatch(e -> e.lease() == oldLease));
    assertThat(key(keys.restart("m1"))).isEmpty();
    assertThat(again.stats().adoptions()).isZero();
  }
}
