package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.route.MemberDirectory;
import io.consensus.route.Route;
import io.consensus.route.RoutingTable;
import io.consensus.tree.KeyTree;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A member's live {@link RoutingTable} (kept per touched item on its watch path) against a
 * table built in one walk of the member's own tree at the same revision, through convergence,
 * a metadata change, an item's removal and a member's departure, on a real etcd.
 */
class MemberRoutingTableTest extends FleetTest {
  static final List<String> FIXED = List.of("a", "b", "c");

  @Test
  void theLiveTableEqualsAFullWalkOfTheMembersTreeAfterEveryStep() {
    AllocatorVerticle m1 = fleet.deploy("m1", 1, FIXED);
    fleet.deploy("m2", 1, FIXED);
    for (int i = 0; i < 40; i++) {
      etcd.server().put(fleet.root + "/items/x" + i, i % 4 == 0 ? "{\"replicas\":1}" : "");
    }
    fleet.awaitRoutes(FIXED, "43 items staffed", r -> r.size() == 43 && r.values().stream().allMatch(route -> route.size() == 2));
    fleet.awaitQuiet();
    RoutingTable t = assertLiveTableMatchesAFullWalk(m1);
    assertThat(t.counters()).isEqualTo(new RoutingTable.Counters(43, 2, 0, 0));
    assertThat(t.holders()).containsExactlyInAnyOrder("m1", "m2");
    assertThat(t.mastersOf("m1").size() + t.mastersOf("m2").size()).isEqualTo(43);

    etcd.server().put(fleet.root + "/items/x5", "{\"replicas\":5}"); // short of replicas now
    etcd.server().delete(fleet.root + "/items/x7");
    etcd.server().deletePrefix(fleet.root + "/items/x7/");
    fleet.awaitRoutes(FIXED, "x7 gone", r -> !r.containsKey("x7"));
    fleet.awaitQuiet();
    t = assertLiveTableMatchesAFullWalk(m1);
    assertThat(t.routeOf("x7")).isNull();
    assertThat(t.counters().itemsShortOfReplicas()).isEqualTo(1);

    fleet.undeploy("m2");
    fleet.awaitRoutes(FIXED, "m1 holds everything", r -> r.values().stream()
        .allMatch(route -> route.size() == 1 && route.master().member().equals("m1")));
    fleet.awaitQuiet();
    t = assertLiveTableMatchesAFullWalk(m1);
    assertThat(t.holders()).containsExactly("m1");
    assertThat(t.members().get("m2").present()).isFalse(); // remembered as departed
  }

  /** Waits until the live table reached the member's tree, then compares it with a full walk of that tree. */
  static RoutingTable assertLiveTableMatchesAFullWalk(AllocatorVerticle member) {
    TestFleet.awaitCondition("the live table reached the member's tree", () -> {
      long rev = await(member.inspect(KeyTree::revision));
      return member.routingTable().revision() == rev;
    }, () -> "live table at " + member.routingTable().revision());
    RoutingTable t = member.routingTable();
    KeyTree tree = t.tree();
    MemberDirectory d = new MemberDirectory();
    d.update(tree);
    AllocatorOptions o = member.options();
    RoutingTable walked = RoutingTable.of(tree, o.getItems(), o.getReplicas(), o.getItemReplicas(), d.members());
    assertThat(t.counters()).isEqualTo(walked.counters());
    assertThat(t.holders()).isEqualTo(walked.holders());
    assertThat(t.routes()).isEqualTo(walked.routes());
    for (String m : walked.holders()) {
      assertThat(t.mastersOf(m)).as("masters of %s", m).containsExactlyElementsOf(walked.mastersOf(m));
      assertThat(t.itemsOf(m)).as("items of %s", m).containsExactlyElementsOf(walked.itemsOf(m));
    }
    for (Map.Entry<String, io.consensus.route.MemberInfo> e : walked.members().entrySet()) {
      if (e.getValue().present()) {
        assertThat(t.members().get(e.getKey())).isEqualTo(e.getValue());
      }
    }
    List<Route> sliced = new java.util.ArrayList<>();
    for (List<Route> chunk = t.routesAfter(null, 7); !chunk.isEmpty();
        chunk = t.routesAfter(chunk.get(chunk.size() - 1).item(), 7)) {
      sliced.addAll(chunk);
    }
    assertThat(sliced).isEqualTo(walked.routes());
    return t;
  }
}
