package io.consensus.verticle;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.spectator.RoutingTableOptions;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdExtension;
import io.consensus.internal.etcdprocess.FreePorts;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a clustered event bus (Hazelcast on loopback, TCP join, no multicast) a member's route
 * changes and events, and a spectator's route changes, reach consumers of their own node only:
 * node B, listening on the same addresses, gets none of node A's. A marker that node A
 * publishes cluster-wide on each address after its changes is the barrier: the event bus keeps
 * one sender's order, so once B has the markers, any change sent cluster-wide would have come
 * first.
 */
class ClusteredEventBusTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final List<String> ITEMS = List.of("a", "b", "c");

  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  Vertx nodeA;
  Vertx nodeB;

  @BeforeEach
  void cluster() {
    String name = "allocator-test-" + UUID.randomUUID();
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    nodeA = Await.result(Vertx.clusteredVertx(options(name, portA, portB)), TIMEOUT);
    nodeB = Await.result(Vertx.clusteredVertx(options(name, portB, portA)), TIMEOUT);
  }

  @AfterEach
  void close() {
    for (Vertx v : new Vertx[] {nodeA, nodeB}) {
      if (v != null) {
        Await.result(v.close(), TIMEOUT);
      }
    }
  }

  private static VertxOptions options(String clusterName, int port, int otherPort) {
    Config hz = ConfigUtil.loadConfig().setClusterName(clusterName).setProperty("hazelcast.phone.home.enabled", "false");
    hz.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of("127.0.0.1"));
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + port, "127.0.0.1:" + otherPort));
    VertxOptions o = new VertxOptions().setClusterManager(new HazelcastClusterManager(hz));
    o.getEventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1");
    return o;
  }

  /** Waits until the cluster knows {@code c}: a publish from the other node reaches it from then on. */
  private static void registered(MessageConsumer<JsonObject> c) {
    Promise<Void> done = Promise.promise();
    c.completionHandler(done);
    Await.result(done.future(), TIMEOUT);
  }

  @Test
  void routeChangesAndEventsStayOnTheirNode() {
    String root = "/clustered-" + UUID.randomUUID().toString().substring(0, 8);
    String address = AllocatorOptions.DEFAULT_ADDRESS;
    String spectatorAddress = RoutingTableOptions.DEFAULT_ADDRESS;
    List<String> addresses = List.of(address, address + ".events", spectatorAddress);
    List<JsonObject> onA = new CopyOnWriteArrayList<>();
    List<String> onB = new CopyOnWriteArrayList<>();
    for (String a : addresses) {
      registered(nodeA.eventBus().<JsonObject>consumer(a, m -> onA.add(m.body().put("_address", a))));
      registered(nodeB.eventBus().<JsonObject>consumer(a, m -> onB.add(a + " " + m.body().encode())));
    }

    AllocatorOptions member = new AllocatorOptions().setEndpoints(etcd.server().endpoints()).setRoot(root)
        .setMember("m1").setItems(ITEMS).setLeaseTtlSeconds(4);
    Await.result(nodeA.deployVerticle(new AllocatorVerticle(member)), TIMEOUT);
    Await.result(nodeA.deployVerticle(new RoutingTableVerticle(new RoutingTableOptions()
        .setEndpoints(etcd.server().endpoints()).setRoot(root).setItems(ITEMS))), TIMEOUT);

    Await.until("node A's consumers get m1's routes, an event and the spectator's routes", TIMEOUT, () ->
        ITEMS.stream().allMatch(i -> onA.stream().anyMatch(m -> m.getString("_address").equals(address)
            && i.equals(m.getString("item"))))
        && onA.stream().anyMatch(m -> m.getString("_address").equals(address + ".events"))
        && ITEMS.stream().allMatch(i -> onA.stream().anyMatch(m -> m.getString("_address").equals(spectatorAddress)
            && i.equals(m.getString("item")))), onA::toString);

    for (String a : addresses) {
      nodeA.eventBus().publish(a, new JsonObject().put("marker", true));
    }
    Await.until("node B gets the cluster-wide markers", TIMEOUT, () -> onB.size() >= addresses.size(), onB::toString);
    assertThat(onB).as("what node B received").containsExactlyInAnyOrderElementsOf(
        addresses.stream().map(a -> a + " {\"marker\":true}").toList());
  }
}
