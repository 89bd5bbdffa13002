package com.example.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.consensus.testing.Await;
import io.consensus.testing.EtcdExtension;
import io.consensus.testing.EtcdServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The application against a real etcd from the test kit. */
class FleetAppTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  // [snippet:testkit]
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();   // one real etcd per test class

  @Test
  void mastersEveryItemAndShowsWhereItIs(EtcdServer server) {
    JsonObject config = new JsonObject().put("allocator", new JsonObject()
        .put("etcd", new JsonObject().put("endpoints", new JsonArray(server.endpoints())))
        .put("root", "/example").put("member", "m1").put("items", new JsonArray().add("a").add("b"))
        .put("metadata", new JsonObject().put("host", "10.0.0.1").put("port", 8080)));
    Vertx vertx = Vertx.vertx();
    try {
      FleetApp app = new FleetApp();
      Await.result(vertx.deployVerticle(app, new DeploymentOptions().setConfig(config)), TIMEOUT);
      Await.until("m1 masters a and b", TIMEOUT, () -> app.mastered().equals(Set.of("a", "b")));
      Await.until("the spectator knows where a is", TIMEOUT, () -> app.whereIs("a") != null);
      assertEquals("10.0.0.1", app.whereIs("a").getString("host"));
      assertNull(app.whereIs("no-such-item"));

      server.signal("STOP");                          // fault injection: etcd frozen
      server.signal("CONT");
      Await.result(app.leave(), TIMEOUT);
      Await.until("m1 masters nothing after leaving", TIMEOUT, () -> app.mastered().isEmpty());
    } finally {
      Await.result(vertx.close(), TIMEOUT);
    }
  }
  // [/snippet:testkit]
}
