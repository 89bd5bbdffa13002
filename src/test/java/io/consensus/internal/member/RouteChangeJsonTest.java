package io.consensus.internal.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.verticle.RouteChange;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RouteChangeJsonTest {
  @Test
  void everyConsumerGetsTheChangesJsonAsAnObjectOfItsOwn() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      RouteChangeJson.registerOn(vertx.eventBus());
      RouteChangeJson.registerOn(vertx.eventBus()); // a second member of the same Vert.x
      RouteChange change = new RouteChange("m1", "a", 42,
          new Route("a", List.of(new RouteEntry("m1", "ready", 17, 17, 7), new RouteEntry("m2", "", 20, 20, 8))),
          0, Role.MASTER, false, RouteChange.ROUTE);
      CompletableFuture<JsonObject> first = new CompletableFuture<>();
      CompletableFuture<JsonObject> second = new CompletableFuture<>();
      vertx.eventBus().<JsonObject>consumer("routes", m -> first.complete(m.body().put("mine", 1)));
      vertx.eventBus().<JsonObject>consumer("routes", m -> second.complete(m.body()));
      vertx.runOnContext(v -> vertx.eventBus().publish("routes", change,
          new DeliveryOptions().setLocalOnly(true).setCodecName(RouteChangeJson.NAME)));
      JsonObject a = first.get(10, TimeUnit.SECONDS);
      JsonObject b = second.get(10, TimeUnit.SECONDS);
      assertThat(b).isEqualTo(change.toJson());
      assertThat(a.getInteger("mine")).isEqualTo(1);
      assertThat(b.containsKey("mine")).isFalse(); // not the same object
      assertThat(b.getString("role")).isEqualTo("MASTER");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
