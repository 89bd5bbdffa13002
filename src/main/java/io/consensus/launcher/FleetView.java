package io.consensus.launcher;

import io.consensus.internal.route.MemberDirectory;
import io.consensus.spectator.RoutingTable;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.verticle.AllocatorVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * What the status server shows, whichever role the process has: a member (its allocator's
 * view) or a spectator. Every method is non-blocking.
 */
interface FleetView {
  /** The member's or spectator's name. */
  String name();

  /** {@code member} or {@code spectator}. */
  String role();

  boolean isHealthy();

  String healthReason();

  /** Whether this process should receive traffic, with the reasons when not ({@code GET /readyz}). */
  Readiness readiness();

  /**
   * Completes once the event loop doing this process's allocator or spectator work has run a
   * task: the loop answers ({@code GET /livez}). Never fails for the fleet's state.
   */
  Future<Void> ping();

  /** Extra fields of {@code GET /health} ({@code eventLoopLag} for a member), or none. */
  default JsonObject healthDetail() {
    return new JsonObject();
  }

  /** The body of {@code GET /routes}: {@code {"member", "revision", "routes": [...]}}. */
  Future<JsonObject> routes();

  /** The whole fleet's table now, for the route page. */
  Future<RoutingTable> table();

  /** Event-bus address on which every route change is published. */
  String changeAddress();

  /** A member's view: its allocator's routes and tree. */
  static FleetView of(Vertx vertx, AllocatorVerticle allocator) {
    return new FleetView() {
      @Override
      public String name() {
        return allocator.member();
      }

      @Override
      public String role() {
        return MemberConfig.ROLE_MEMBER;
      }

      @Override
      public boolean isHealthy() {
        return allocator.isHealthy();
      }

      @Override
      public String healthReason() {
        return allocator.healthReason();
      }

      @Override
      public Readiness readiness() {
        return Readiness.member(allocator.health());
      }

      @Override
      public Future<Void> ping() {
        return allocator.inspect(tree -> null).mapEmpty();
      }

      @Override
      public JsonObject healthDetail() {
        return new JsonObject().put("eventLoopLag", allocator.health().eventLoopLagJson());
      }

      @Override
      public Future<JsonObject> routes() {
        String address = allocator.options().getAddress() + ".table." + allocator.member();
        return vertx.eventBus().<JsonObject>request(address, null).map(Message::body);
      }

      @Override
      public Future<RoutingTable> table() {
        // The tree is taken on the allocator's context; the answer comes back to the caller's.
        Context caller = vertx.getOrCreateContext();
        Promise<RoutingTable> p = Promise.promise();
        allocator.inspect(tree -> tree).onComplete(ar -> caller.runOnContext(v -> {
          if (ar.failed()) {
            p.fail(ar.cause());
            return;
          }
          MemberDirectory d = new MemberDirectory();
          d.update(ar.result());
          p.complete(RoutingTable.of(ar.result(), allocator.options().getItems(), allocator.options().getReplicas(),
              allocator.options().getItemReplicas(), d.members()));
        }));
        return p.future();
      }

      @Override
      public String changeAddress() {
        return allocator.options().getAddress();
      }
    };
  }

  /** A spectator's view. */
  static FleetView of(RoutingTableVerticle spectator) {
    return new FleetView() {
      @Override
      public String name() {
        return spectator.options().getName();
      }

      @Override
      public String role() {
        return MemberConfig.ROLE_SPECTATOR;
      }

      @Override
      public boolean isHealthy() {
        return spectator.isLive();
      }

      @Override
      public String healthReason() {
        return spectator.isLive() ? "ok" : "watch not live";
      }

      @Override
      public Readiness readiness() {
        return Readiness.spectator(spectator.isLive(), spectator.isCaughtUp());
      }

      @Override
      public Future<Void> ping() {
        return spectator.ping();
      }

      @Override
      public Future<JsonObject> routes() {
        return Future.succeededFuture(spectator.table().toJson(name()));
      }

      @Override
      public Future<RoutingTable> table() {
        return Future.succeededFuture(spectator.table());
      }

      @Override
      public String changeAddress() {
        return spectator.options().getAddress();
      }
    };
  }
}
