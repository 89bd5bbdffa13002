package io.consensus.launcher;

import io.consensus.verticle.AllocatorVerticle;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * A member's HTTP status endpoints, on plain vertx-core HTTP:
 * <ul>
 *   <li>{@code GET /routes}: {@code {"member", "revision", "routes": [RouteChange JSON...]}},
 *       the reply of the allocator's {@code <address>.table.<member>} event-bus endpoint;</li>
 *   <li>{@code GET /health}: 200 while {@link AllocatorVerticle#isHealthy()}, else 503, with
 *       {@code {"member", "healthy", "reason"}};</li>
 *   <li>{@code GET /metrics}: the Prometheus text of the registry.</li>
 * </ul>
 * Handlers only read thread-safe state or ask the allocator's context, so they never block.
 * Started from a verticle, the server lives on that verticle's context and closes with it.
 */
public final class StatusServer {
  private final Vertx vertx;
  private final AllocatorVerticle allocator;
  private final PrometheusMeterRegistry registry;

  public StatusServer(Vertx vertx, AllocatorVerticle allocator, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.allocator = allocator;
    this.registry = registry;
  }

  /** Listens on all interfaces; {@code port} 0 picks a free port ({@link HttpServer#actualPort()}). */
  public Future<HttpServer> listen(int port) {
    return vertx.createHttpServer().requestHandler(this::handle).listen(port);
  }

  private void handle(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET) {
      json(req, 405, new JsonObject().put("error", "only GET"));
      return;
    }
    switch (req.path()) {
      case "/routes" -> routes(req);
      case "/health" -> {
        boolean ok = allocator.isHealthy();
        json(req, ok ? 200 : 503, new JsonObject().put("member", allocator.member()).put("healthy", ok)
            .put("reason", allocator.healthReason()));
      }
      case "/metrics" -> req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(registry.scrape());
      default -> json(req, 404, new JsonObject().put("error", "not found")
          .put("paths", new io.vertx.core.json.JsonArray().add("/routes").add("/health").add("/metrics")));
    }
  }

  private void routes(HttpServerRequest req) {
    String address = allocator.options().getAddress() + ".table." + allocator.member();
    vertx.eventBus().<JsonObject>request(address, null)
        .map(Message::body)
        .onSuccess(body -> json(req, 200, body))
        .onFailure(err -> json(req, 503, new JsonObject().put("error", "route table unavailable: " + err.getMessage())));
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
