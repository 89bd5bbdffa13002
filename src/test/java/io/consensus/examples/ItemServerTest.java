package io.consensus.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.consensus.route.Role;
import io.consensus.testing.EtcdExtension;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.RouteChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example application against a real etcd: warming then ready, serving only as master. */
class ItemServerTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();
  static final List<String> ITEMS = List.of("a", "b", "c", "d");
  static final Duration WAIT = Duration.ofSeconds(30);

  final Vertx vertx = Vertx.vertx();
  final List<ItemServer> deployed = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    // The last member has nobody to hand off to: do not wait for its hand-off timeout.
    deployed.forEach(s -> s.allocator().handoffTimeoutSeconds(0));
    await(vertx.close());
  }

  ItemServer deploy(String member) {
    AllocatorOptions o = new AllocatorOptions().setEndpoints(etcd.server().endpoints()).setRoot("/test/example")
        .setMember(member).setReplicas(1).setItems(ITEMS).setLeaseTtlSeconds(4).setHandoffTimeoutSeconds(10)
        .setStateCheckMillis(100);
    ItemServer s = new ItemServer(o, 150);
    await(vertx.deployVerticle(s));
    deployed.add(s);
    return s;
  }

  @Test
  void servesWhatItMastersOnlyWhileItIsMaster() {
    ItemServer w1 = deploy("w1");
    ItemServer w2 = deploy("w2");
    List<ItemServer> both = List.of(w1, w2);

    // Converged: every item has a ready master and a ready replica, masters are balanced, and
    // exactly its master serves it.
    awaitCondition("both serve what they master, all entries ready, masters balanced", () -> {
      Map<String, RouteChange> routes = await(w1.allocator().routes());
      if (routes.size() != ITEMS.size()) {
        return false;
      }
      long mastersOfW1 = routes.values().stream()
          .filter(c -> !c.entries().isEmpty() && c.entries().get(0).member().equals(w1.allocator().member())).count();
      if (Math.abs(2 * mastersOfW1 - ITEMS.size()) > 1) {
        return false; // a transient view (one member mastering all) is not the converged one
      }
      for (RouteChange c : routes.values()) {
        if (c.entries().size() != 2 || !c.entries().stream().allMatch(e -> e.state().equals("ready"))) {
          return false;
        }
        String master = c.entries().get(0).member();
        for (ItemServer s : both) {
          String me = s.allocator().member();
          if (s.serving().contains(c.item()) != me.equals(master)) {
            return false;
          }
        }
      }
      return true;
    });
    assertThat(w1.serving().size() + w2.serving().size()).isEqualTo(ITEMS.size());
    assertThat(w1.serving()).isNotEmpty();
    assertThat(w2.serving()).isNotEmpty();

    // Every item went warming -> ready before it was served.
    for (ItemServer s : both) {
      for (String item : s.serving()) {
        List<String> log = s.log();
        assertThat(log.indexOf("warming " + item)).isNotNegative()
            .isLessThan(log.indexOf("ready " + item));
        assertThat(log.indexOf("ready " + item)).isLessThan(log.indexOf("serving " + item));
      }
    }

    // A request for an item is answered by its master.
    Map<String, RouteChange> routes = await(w2.allocator().routes());
    for (String item : ITEMS) {
      JsonObject reply = await(vertx.eventBus().<JsonObject>request(ItemServer.SERVE_PREFIX + item, "")).body();
      assertThat(reply.getString("servedBy")).isEqualTo(routes.get(item).entries().get(0).member());
    }

    // w1 leaves gracefully: it stops serving what it mastered, w2 takes over everything.
    java.util.Set<String> w1Mastered = w1.serving();
    await(w1.allocator().cancel());
    awaitCondition("w2 serves everything", () -> w2.serving().equals(java.util.Set.copyOf(ITEMS)));
    assertThat(w1.serving()).isEmpty();
    for (String item : w1Mastered) {
      assertThat(w1.log()).anyMatch(l -> l.startsWith("stopped " + item));
    }
    // w1 unloaded every item it had loaded, through its ItemHandler's per-item queue.
    awaitCondition("w1 unloaded everything", () -> ITEMS.stream().allMatch(i -> w1.log().contains("dropped " + i)));
    Map<String, RouteChange> after = await(w1.allocator().routes());
    assertThat(after.values()).allSatisfy(c -> assertThat(c.role()).isEqualTo(Role.NONE));
    for (String item : ITEMS) {
      JsonObject reply = await(vertx.eventBus().<JsonObject>request(ItemServer.SERVE_PREFIX + item, "")).body();
      assertThat(reply.getString("servedBy")).isEqualTo("w2");
    }
  }

  static void awaitCondition(String what, Supplier<Boolean> condition) {
    io.consensus.testing.Await.until(what, WAIT, condition::get);
  }

  static <T> T await(Future<T> f) {
    return io.consensus.testing.Await.result(f, WAIT);
  }
}
