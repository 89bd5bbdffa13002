package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static io.consensus.verticle.TestFleet.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Go package's single-member and nested-key scenarios, against real etcd. */
class SingleMemberTest extends FleetTest {
  static final List<String> FIXED = List.of("bar", "baz", "foo");

  @Test
  void singleMemberMastersAllThenReleasesEverythingOnCancel() {
    AllocatorVerticle m = fleet.deploy("my-key", 0, FIXED);
    fleet.awaitRoutes(FIXED, "my-key masters bar, baz and foo", routes -> routes.values().stream()
        .allMatch(r -> r.size() == 1 && r.master().member().equals("my-key")));
    fleet.awaitQuiet();

    // A second member of the same name is refused: the Go package's ErrAllocatorInstanceExists.
    Throwable err = awaitFailure(fleet.vertx.deployVerticle(
        new AllocatorVerticle(fleet.options("my-key", 0, FIXED))));
    assertThat(err).isInstanceOf(MemberExistsException.class).hasMessageContaining(fleet.root + "/members/my-key");

    // Cancelling item bar's entry makes the member take it again.
    long bar = fleet.routes(FIXED).get("bar").master().createRevision();
    await(m.cancelItem("bar"));
    fleet.awaitRoutes(FIXED, "bar re-acquired", routes -> routes.get("bar").size() == 1
        && routes.get("bar").master().createRevision() > bar);
    fleet.awaitQuiet(); // the member's view, and so its table, has caught up

    // The published route table agrees, and every route message names this member as master.
    Map<String, RouteChange> table = await(m.routes());
    assertThat(table.values()).allSatisfy(c -> {
      assertThat(c.role()).isEqualTo(Role.MASTER);
      assertThat(c.index()).isZero();
    });
    // The fencing token of bar grew with the re-acquisition.
    List<RouteChange> barLog = fleet.routeLog.get("my-key").stream().filter(c -> c.item().equals("bar")).toList();
    assertThat(barLog.get(barLog.size() - 1).fencingToken()).isGreaterThan(bar);

    long exitedAt = await(fleet.cancel("my-key"));
    assertThat(exitedAt).isPositive();
    assertThat(fleet.routes(FIXED).values()).allSatisfy(r -> assertThat(r.isEmpty()).isTrue());
    assertThat(fleet.keys()).noneMatch(kv -> kv.key().contains("/members/"));
    // The application was told it holds nothing.
    Map<String, RouteChange> after = await(m.routes());
    assertThat(after.values()).allSatisfy(c -> assertThat(c.role()).isEqualTo(Role.NONE));
    assertThat(fleet.events.get("my-key")).anySatisfy(
        e -> assertThat(e.kind()).isEqualTo(AllocatorEvent.Kind.EXITED));
  }

  @Test
  void nestedKeysMakeTheMemberAReplica() {
    etcd.server().put(fleet.root + "/items/some/nested/item", "");
    fleet.deploy("my-key", 1, List.of());
    Map<String, Route> routes = fleet.awaitRoutes(List.of(), "my-key replica of some",
        r -> r.get("some") != null && r.get("some").size() == 2);
    assertThat(routes.get("some").entries()).extracting(RouteEntry::member).containsExactly("nested", "my-key");
    fleet.awaitQuiet();
    RouteChange some = await(fleet.members.get("my-key").routes()).get("some");
    assertThat(some.index()).isEqualTo(1);
    assertThat(some.role()).isEqualTo(Role.REPLICA);
  }

  @Test
  void stateReportedOnTheEventBusIsWrittenPromptly() {
    fleet.deploy("my-key", 0, List.of("a"));
    fleet.awaitRoutes(List.of("a"), "a taken", r -> r.get("a").size() == 1);
    fleet.request(fleet.members.get("my-key").options().getAddress() + ".state.my-key",
        new io.vertx.core.json.JsonObject().put("item", "a").put("state", "warming"));
    fleet.awaitRoutes(List.of("a"), "state warming", r -> r.get("a").master().state().equals("warming"));
    // The member's own table follows once its watch has delivered the write.
    io.vertx.core.json.JsonObject[] table = new io.vertx.core.json.JsonObject[1];
    TestFleet.awaitCondition("the route table shows warming", () -> {
      table[0] = fleet.request(AllocatorOptions.DEFAULT_ADDRESS + ".table.my-key", new io.vertx.core.json.JsonObject());
      return table[0].getJsonArray("routes").size() == 1 && "warming".equals(table[0].getJsonArray("routes")
          .getJsonObject(0).getJsonArray("entries").getJsonObject(0).getString("state"));
    }, () -> "table " + table[0]);
    assertThat(table[0].getString("member")).isEqualTo("my-key");
  }

  @Test
  void initialStateAppliesUntilReportedAndAgainAfterRelease() {
    // A pure event-bus application: no ItemHandler, entries start as "warming".
    AllocatorVerticle m = new AllocatorVerticle(fleet.options("my-key", 0, List.of("a")).setInitialState("warming"));
    String id = await(fleet.vertx.deployVerticle(m));
    try {
      fleet.awaitRoutes(List.of("a"), "a taken warming", r -> r.get("a").size() == 1
          && r.get("a").master().state().equals("warming"));
      await(m.reportState("a", "ready"));
      fleet.awaitRoutes(List.of("a"), "a ready", r -> r.get("a").master().state().equals("ready"));
      long first = fleet.routes(List.of("a")).get("a").master().createRevision();
      await(m.cancelItem("a"));
      // Re-taken: the report described the earlier holding, so it starts warming again.
      fleet.awaitRoutes(List.of("a"), "a re-taken warming", r -> r.get("a").size() == 1
          && r.get("a").master().createRevision() > first && r.get("a").master().state().equals("warming"));
    } finally {
      m.handoffTimeoutSeconds(0);
      await(fleet.vertx.undeploy(id));
    }
  }
}
