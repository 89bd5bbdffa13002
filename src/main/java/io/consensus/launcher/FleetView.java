package io.consensus.launcher;

import io.consensus.route.RoutingTable;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.verticle.AllocatorHealth;
import io.consensus.verticle.AllocatorVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * What the status server shows, whichever role the process has: a member (its allocator's
 * view) or a spectator. Every method is non-blocking; both read the live {@link RoutingTable}
 * their watch keeps (no rebuild per request).
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

  /** The whole fleet's table now (the live immutable snapshot), for the route page. */
  RoutingTable table();

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
        AllocatorHealth h = allocator.health();
        return new JsonObject().put("eventLoopLag", h.eventLoopLagJson()).put("loopWork", h.loopWork().toJson());
      }

      @Override
      public Future<JsonObject> routes() {
        return onCaller(vertx, allocator.tableJson());
      }

      @Override
      public RoutingTable table() {
        return allocator.routingTable();
      }

      @Override
      public String changeAddress() {
        return allocator.options().getAddress();
      }
    };
  }

  /** {@code answer}, built on another verticle's context, completed back on the caller's. */
  private static <T> Future<T> onCaller(Vertx vertx, Future<T> answer) {
    Context caller = vertx.getOrCreateContext();
    Promise<T> p = Promise.promise();
    answer.onComplete(ar -> caller.runOnContext(v -> p.handle(ar)));
    return p.future();
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
        return onCaller(spectator.getVertx(), spectator.tableJson());
      }

      @Override
      public RoutingTable table() {
        return spectator.table();
      }

      @Override
      public String changeAddress() {
        return spectator.options().getAddress();
      }
    };
  }
}
