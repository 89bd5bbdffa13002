package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.verticle.RouteChange;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving log read from published route changes (their JSON, as the event bus delivers it):
 * a start line when the member becomes master, under the master's create revision, a stop line
 * when it no longer is or the token changes, nothing for repeats or other members' changes.
 */
class ServingLogTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void startsAndStopsServingAsTheRoutesSay(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m1.serving.jsonl");
    ServingLog log = ServingLog.open(vertx, file.toString(), "m1", "routes")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<RouteChange> changes = List.of(
        change("m1", "a", 30, Role.MASTER, 0, entry("m1", 17), entry("m2", 18)), // start a @17
        change("m1", "a", 31, Role.MASTER, 0, entry("m1", 17), entry("m2", 18)), // same token: nothing
        change("m2", "b", 32, Role.MASTER, 0, entry("m2", 19)), // another member's: ignored
        change("m1", "b", 33, Role.REPLICA, 1, entry("m2", 19), entry("m1", 21)), // not serving b: nothing
        change("m1", "a", 34, Role.MASTER, 0, entry("m1", 25)), // re-created: stop @17, start @25
        change("m1", "c", 35, Role.MASTER, 0, entry("m1", 26)), // start c @26
        change("m1", "a", 36, Role.REPLICA, 1, entry("m2", 18), entry("m1", 25)), // handed off: stop a @25
        new RouteChange("m1", "c", 37, new Route("c", List.of(entry("m1", 26))), -1, Role.NONE, false,
            RouteChange.LEASE_LOST)); // lease lost: stop c @26
    Promise<Void> closed = Promise.promise();
    vertx.runOnContext(v -> { // the consumer's context: then close, which waits for the writes
      changes.forEach(c -> log.onRoute(c.toJson()));
      log.close().onComplete(closed);
    });
    closed.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    List<JsonObject> lines = Files.readAllLines(file).stream().map(JsonObject::new).toList();
    assertThat(lines).extracting(l -> l.getString("event") + " " + l.getString("item") + " @" + l.getLong("token")
        + " rev " + l.getLong("revision") + " " + l.getString("reason")).containsExactly(
            "start a @17 rev 30 route",
            "stop a @17 rev 34 route",
            "start a @25 rev 34 route",
            "start c @26 rev 35 route",
            "stop a @25 rev 36 route",
            "stop c @26 rev 37 lease-lost");
    assertThat(lines).allSatisfy(l -> {
      assertThat(l.getString("member")).isEqualTo("m1");
      assertThat(l.getLong("t")).isPositive();
      assertThat(l.getLong("mono")).isNotNull();
    });
  }

  private static RouteEntry entry(String member, long created) {
    return new RouteEntry(member, "ready", created, created, 1);
  }

  private static RouteChange change(String publisher, String item, long revision, Role role, int index,
      RouteEntry... entries) {
    return new RouteChange(publisher, item, revision, new Route(item, List.of(entries)), index, role, false,
        RouteChange.ROUTE);
  }
}
