package com.example.fleet;

import io.consensus.route.MemberInfo;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.route.RoutingTable;
import io.consensus.spectator.RoutingTableOptions;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.RouteChange;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An application of a fleet: it deploys an allocator member from the {@code "allocator"} object
 * of its JSON config, keeps the set of items this member masters from the route changes on the
 * event bus, and answers where an item's master is from a spectator's routing table. The
 * README's "Use it from Java" snippets are the marked parts of this class.
 */
public class FleetApp extends AbstractVerticle {
  private final Set<String> mastered = ConcurrentHashMap.newKeySet();
  private RoutingTableVerticle routing;
  private String deploymentId;

  @Override
  public void start(Promise<Void> startPromise) {
    JsonObject config = config().getJsonObject("allocator");
    // [snippet:member]
    // config: the keys of AllocatorOptions, e.g. {"etcd": {"endpoints": ["http://127.0.0.1:2379"]},
    //         "root": "/consensus/demo", "member": "member-1", "replicas": 1, "items": ["a", "b"]}
    String member = new AllocatorOptions(config).getMember();   // a ConfigException names a bad key
    // Route changes arrive on the event bus as JSON (this process's members only):
    vertx.eventBus().<JsonObject>consumer(AllocatorOptions.DEFAULT_ADDRESS, msg -> {
      RouteChange c = RouteChange.fromJson(msg.body());
      if (!c.member().equals(member)) {
        return;                                                  // another member in this process
      }
      if (c.isMaster()) {
        mastered.add(c.item());                                  // c.fencingToken() guards its writes
      } else {
        mastered.remove(c.item());
      }
    });
    Future<String> deployed = vertx.deployVerticle(AllocatorVerticle.class.getName(),
        new DeploymentOptions().setConfig(config));              // fails with MemberExistsException
    deployed.onSuccess(id -> deploymentId = id);                 // if the member runs elsewhere
    // [/snippet:member]
    // [snippet:spectator-deploy]
    routing = new RoutingTableVerticle(new RoutingTableOptions()
        .setEtcdClientOptions(new AllocatorOptions(config).getEtcdClientOptions())   // endpoints, TLS, user
        .setRoot(config.getString("root"))
        .setReplicas(config.getInteger("replicas", 0))   // the fleet's R, to tell replicas from extras
        .setItems(new AllocatorOptions(config).getItems()));   // the fleet's fixed items (listed even when unstaffed)
    // ... or from JSON: new DeploymentOptions().setConfig(<the same etcd.* keys> + "root", ...)
    // [/snippet:spectator-deploy]
    deployed.compose(id -> vertx.deployVerticle(routing)).<Void>mapEmpty().onComplete(startPromise);
  }

  /** Leaves the fleet gracefully: hands off masters, drops replicas, revokes the lease. */
  public Future<Void> leave() {
    // [snippet:leave]
    return vertx.undeploy(deploymentId);   // graceful: hands off masters, drops replicas, revokes the lease
    // [/snippet:leave]
  }

  /** Items this member masters now. */
  public Set<String> mastered() {
    return Set.copyOf(mastered);
  }

  /** Where {@code item}'s master can be reached (its member metadata), or null when it has none. */
  public JsonObject whereIs(String item) {
    // [snippet:spectator]
    RoutingTable table = routing.table();          // immutable snapshot, any thread, keep it as long as you like
    RouteEntry master = table.masterOf(item);       // null when the item has no master (or does not exist)
    MemberInfo info = table.masterInfoOf(item);     // null then too
    JsonObject where = info == null ? null : info.metadata();   // {"host": ..., "port": ...}
    // [/snippet:spectator]
    return master == null ? null : where;
  }

  /** The rest of the spectator's API, as the README shows it. */
  void spectatorTour(String item, long rev) {
    RoutingTable table = routing.table();
    // [snippet:spectator-more]
    Route route = table.routeOf(item);              // master first, then replicas; null when it does not exist
    List<String> items = table.items();
    List<String> mastered = table.mastersOf("m1");   // the items m1 masters, in name order
    List<String> held = table.itemsOf("m1");         // the items m1 has an entry in (master or replica)
    table.counters();                         // items, members, without master, short of their own R
    Map<String, MemberInfo> members = table.members();   // name -> metadata, present
    routing.awaitRevision(rev).onSuccess(t -> { /* t reflects etcd at >= rev */ });
    routing.isCaughtUp();                     // the table applied everything the watch delivered

    // Every route change of every item, as JSON on the event bus of this Vert.x instance (default
    // address "consensus.spectator"; publisher = the spectator's name, index -1, role NONE):
    vertx.eventBus().<JsonObject>consumer(RoutingTableOptions.DEFAULT_ADDRESS, msg -> {
      RouteChange c = RouteChange.fromJson(msg.body());
      JsonObject masterAt = c.masterMetadata();   // null when removed or masterless
    });
    // The whole table on request: "consensus.spectator.table" answers {"member", "revision", "routes"}.
    // [/snippet:spectator-more]
  }
}
