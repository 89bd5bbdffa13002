package io.consensus.launcher;

import io.consensus.admin.AdminClient;
import io.consensus.admin.AdminException;
import io.consensus.admin.DrainResult;
import io.consensus.etcd.EtcdCallException;
import io.consensus.route.Route;
import io.consensus.route.RoutingTable;
import io.consensus.verticle.RouteChange;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The HTTP status server of a member or spectator, on plain vertx-core HTTP:
 * <ul>
 *   <li>{@code GET /}: the live route page (items x members grid, updated by server-sent
 *       events);</li>
 *   <li>{@code GET /fleet} and {@code GET /fleet/events}: the page's data (see {@link FleetJson}),
 *       as one snapshot and as a stream of changes;</li>
 *   <li>{@code GET /routes}: {@code {"member", "revision", "routes": [RouteChange JSON...]}};</li>
 *   <li>{@code GET /health}: 200 while healthy, else 503, with {@code {"member", "role", "healthy", "reason"}}
 *       and, for a member, {@code "eventLoopLag": {"allocator": {"maxMillis", "p99Millis",
 *       "recentMaxMillis", "runningMaxMillis"}, "keeper": {...}}} and {@code "loopWork":
 *       {"maxMillis", "maxCpuMillis", "longest", "slowCount"}} (our own longest work on the loop);</li>
 *   <li>{@code GET /livez}: 200 while the process and the event loop of its allocator or
 *       spectator answer (within {@value #LIVENESS_BOUND_MILLIS} ms), else 503; never fails for
 *       a hand-off, a lost lease or a rejoin: for a liveness probe;</li>
 *   <li>{@code GET /readyz}: 200 when ready, else 503, with {@code {"ready", "reasons": [...],
 *       "checks": {...}}} ({@link Readiness}): for a readiness probe;</li>
 *   <li>{@code GET /metrics}: the Prometheus text of the registry;</li>
 *   <li>{@code /admin/...}: the admin API ({@link AdminClient}), only with
 *       {@code Authorization: Bearer <http.adminToken>}; off (404) when no token is configured.</li>
 * </ul>
 * Handlers only read thread-safe state or ask another context, so they never block. Started
 * from a verticle, the server lives on that verticle's context and closes with it.
 */
public final class StatusServer {
  private static final String PAGE = "/io/consensus/launcher/route-page.html";
  /** How long {@code /livez} waits for the worker's event loop; below a probe's usual timeout. */
  static final long LIVENESS_BOUND_MILLIS = 2000;
  /** The paths a probe may use (the Kubernetes manifests are checked against them). */
  static final java.util.List<String> PROBE_PATHS = java.util.List.of("/livez", "/readyz", "/health");
  /** Items of {@code GET /fleet} encoded per step, and how long one slice of steps may run. */
  private static final int FLEET_STEP = 500;
  private static final long FLEET_SLICE_NANOS = 10_000_000L;

  private final Vertx vertx;
  private final FleetView view;
  private final PrometheusMeterRegistry registry;
  private final AdminClient admin;
  private final byte[] adminToken;
  private final Buffer page;
  private RouteStream stream;

  /**
   * @param admin      the admin operations, or null
   * @param adminToken the token {@code /admin} requires, or null: admin API off
   */
  StatusServer(Vertx vertx, FleetView view, PrometheusMeterRegistry registry, AdminClient admin, String adminToken) {
    this.vertx = vertx;
    this.view = view;
    this.registry = registry;
    this.admin = admin;
    this.adminToken = adminToken == null || admin == null ? null : adminToken.getBytes(StandardCharsets.UTF_8);
    this.page = loadPage();
  }

  /** Listens on {@code host}; {@code port} 0 picks a free port ({@link HttpServer#actualPort()}). */
  public Future<HttpServer> listen(String host, int port) {
    stream = new RouteStream(vertx, view);
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, host);
  }

  /** Stops the event stream and the admin connection (the server itself closes with its verticle). */
  void close() {
    if (stream != null) {
      stream.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.equals("/admin") || path.startsWith("/admin/")) {
      admin(req, path);
      return;
    }
    if (req.method() != HttpMethod.GET) {
      json(req, 405, new JsonObject().put("error", "only GET"));
      return;
    }
    switch (path) {
      case "/", "/index.html" -> req.response().putHeader("content-type", "text/html; charset=utf-8").end(page);
      case "/fleet" -> fleet(req);
      case "/fleet/events" -> stream.subscribe(req);
      case "/routes" -> view.routes().onSuccess(body -> streamJson(req, body, "routes"))
          .onFailure(err -> json(req, 503, error("route table unavailable: " + err.getMessage())));
      case "/health" -> {
        boolean ok = view.isHealthy();
        json(req, ok ? 200 : 503, new JsonObject().put("member", view.name()).put("role", view.role())
            .put("healthy", ok).put("reason", view.healthReason()).mergeIn(view.healthDetail()));
      }
      case "/livez" -> livez(req);
      case "/readyz" -> {
        Readiness r = view.readiness();
        json(req, r.ready() ? 200 : 503, r.toJson(view.name(), view.role()));
      }
      case "/metrics" -> req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(registry.scrape());
      default -> json(req, 404, error("not found").put("paths", new JsonArray().add("/").add("/routes")
          .add("/health").add("/livez").add("/readyz").add("/metrics").add("/fleet").add("/fleet/events").add("/admin/...")));
    }
  }

  /**
   * The page's snapshot of the live table, streamed: the header, then the items a slice at a
   * time (each slice yields the loop on a 1 ms timer, as {@code LoopSlices} does), so 100,000
   * items are no single long handler. The table is immutable: no copy, no lock.
   */
  private void fleet(HttpServerRequest req) {
    RoutingTable t = view.table();
    String head = FleetJson.header(view, t).encode();
    req.response().setChunked(true).putHeader("content-type", "application/json")
        .write(head.substring(0, head.length() - 1) + ",\"items\":[");
    fleetItems(req, t, null);
  }

  private void fleetItems(HttpServerRequest req, RoutingTable t, String after) {
    if (req.response().closed()) {
      return;
    }
    long deadline = System.nanoTime() + FLEET_SLICE_NANOS;
    String last = after;
    do {
      List<Route> chunk = t.routesAfter(last, FLEET_STEP);
      if (chunk.isEmpty()) {
        req.response().end("]}");
        return;
      }
      String items = FleetJson.items(chunk).encode();
      req.response().write((last == null ? "" : ",") + items.substring(1, items.length() - 1));
      last = chunk.get(chunk.size() - 1).item();
    } while (System.nanoTime() < deadline);
    String next = last;
    vertx.setTimer(1, x -> fleetItems(req, t, next));
  }

  /**
   * Answers 200 with {@code body}, whose array {@code field} is encoded a slice of elements at a
   * time (45 MB of routes at 100,000 items are no single handler's worth of encoding).
   */
  private void streamJson(HttpServerRequest req, JsonObject body, String field) {
    if (!(body.getValue(field) instanceof JsonArray)) {
      json(req, 200, body);
      return;
    }
    List<Object> elements = ((JsonArray) body.remove(field)).getList(); // the body was built for this answer
    String h = body.encode();
    req.response().setChunked(true).putHeader("content-type", "application/json")
        .write(h.substring(0, h.length() - 1) + (body.isEmpty() ? "" : ",") + "\"" + field + "\":[");
    streamElements(req, elements, 0);
  }

  private void streamElements(HttpServerRequest req, List<Object> elements, int from) {
    if (req.response().closed()) {
      return;
    }
    long deadline = System.nanoTime() + FLEET_SLICE_NANOS;
    int i = from;
    while (i < elements.size() && System.nanoTime() < deadline) {
      int end = Math.min(elements.size(), i + FLEET_STEP);
      String part = new JsonArray(elements.subList(i, end)).encode();
      req.response().write((i == 0 ? "" : ",") + part.substring(1, part.length() - 1));
      i = end;
    }
    if (i == elements.size()) {
      req.response().end("]}");
      return;
    }
    int next = i;
    vertx.setTimer(1, x -> streamElements(req, elements, next));
  }

  /** 200 once the worker's loop ran a task, 503 when it did not within the bound. */
  private void livez(HttpServerRequest req) {
    io.vertx.core.Context here = vertx.getOrCreateContext();
    long started = System.nanoTime();
    Promise<Void> answered = Promise.promise();
    long timer = vertx.setTimer(LIVENESS_BOUND_MILLIS, t -> answered.tryFail("the " + view.role()
        + "'s event loop did not answer within " + LIVENESS_BOUND_MILLIS + " ms"));
    view.ping().onComplete(ar -> here.runOnContext(v -> {
      vertx.cancelTimer(timer);
      // A failed ping is an answer too (e.g. the allocator already exited): the loop ran it.
      answered.tryComplete();
    }));
    answered.future().onComplete(ar -> {
      JsonObject body = new JsonObject().put("member", view.name()).put("role", view.role()).put("live", ar.succeeded())
          .put("answeredMillis", (System.nanoTime() - started) / 1_000_000);
      json(req, ar.succeeded() ? 200 : 503, ar.succeeded() ? body : body.put("reason", ar.cause().getMessage()));
    });
  }

  // ---------------------------------------------------------------- admin

  private void admin(HttpServerRequest req, String path) {
    if (adminToken == null) {
      json(req, 404, error("admin API disabled: set http.adminToken (or ALLOCATOR_HTTP_ADMIN_TOKEN)"));
      return;
    }
    String auth = req.getHeader("Authorization");
    if (auth == null || !auth.startsWith("Bearer ")) {
      req.response().putHeader("WWW-Authenticate", "Bearer realm=\"etcd-allocator admin\"");
      json(req, 401, error("admin API needs 'Authorization: Bearer <token>'"));
      return;
    }
    byte[] given = auth.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, adminToken)) { // constant time; the token is never logged
      json(req, 403, error("wrong admin token"));
      return;
    }
    HttpMethod m = req.method();
    String rest = path.substring("/admin".length());
    if (rest.equals("/routes") && m == HttpMethod.GET) {
      answer(req, 200, admin.table().map(t -> RouteChange.tableJson(t, view.name(), t.routes())
          .put("maintenance", AdminClient.maintenance(t))));
    } else if (rest.equals("/members") && m == HttpMethod.GET) {
      answer(req, 200, admin.members().map(AdminCli::membersJson));
    } else if (rest.equals("/items") && m == HttpMethod.GET) {
      answer(req, 200, admin.items().map(AdminCli::itemsJson));
    } else if (rest.startsWith("/items/") && (m == HttpMethod.PUT || m == HttpMethod.POST || m == HttpMethod.DELETE)) {
      String item = QueryStringDecoder.decodeComponent(rest.substring("/items/".length()));
      if (m == HttpMethod.DELETE) {
        answer(req, 200, admin.removeItem(item).map(rev -> new JsonObject().put("item", item).put("removed", true)
            .put("revision", rev)));
      } else {
        req.body().onSuccess(body -> {
          Integer replicas;
          try {
            replicas = replicasOf(body);
          } catch (AdminException e) {
            json(req, 400, error(e.getMessage()));
            return;
          }
          answer(req, 201, admin.addItem(item, replicas).map(rev -> new JsonObject().put("item", item)
              .put("added", true).put("revision", rev)));
        });
      }
    } else if (rest.startsWith("/drained/") && (m == HttpMethod.PUT || m == HttpMethod.DELETE)) {
      String member = QueryStringDecoder.decodeComponent(rest.substring("/drained/".length()));
      answer(req, 200, (m == HttpMethod.PUT ? admin.drain(member) : admin.undrain(member)).map(DrainResult::toJson));
    } else if (rest.equals("/maintenance") && (m == HttpMethod.PUT || m == HttpMethod.DELETE)) {
      boolean on = m == HttpMethod.PUT;
      answer(req, 200, admin.maintenance(on).map(rev -> new JsonObject().put("maintenance", on).put("revision", rev)));
    } else {
      json(req, 404, error("no such admin operation: " + m + " " + path).put("operations", new JsonArray()
          .add("GET /admin/routes").add("GET /admin/members").add("GET /admin/items")
          .add("PUT /admin/items/NAME [{\"replicas\": N}]").add("DELETE /admin/items/NAME")
          .add("PUT /admin/drained/MEMBER").add("DELETE /admin/drained/MEMBER")
          .add("PUT /admin/maintenance").add("DELETE /admin/maintenance")));
    }
  }

  private static Integer replicasOf(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object r = new JsonObject(body).getValue("replicas");
      if (r == null) {
        return null;
      }
      if (!(r instanceof Integer n)) {
        throw new AdminException(AdminException.Kind.BAD_INPUT, "'replicas' must be an integer, was " + r);
      }
      return n;
    } catch (DecodeException | ClassCastException e) {
      throw new AdminException(AdminException.Kind.BAD_INPUT, "body must be a JSON object like {\"replicas\": 2}");
    }
  }

  private static void answer(HttpServerRequest req, int status, Future<JsonObject> result) {
    result.onSuccess(body -> json(req, status, body)).onFailure(err -> {
      if (err instanceof AdminException e) {
        json(req, switch (e.kind()) {
          case BAD_INPUT -> 400;
          case NOT_FOUND -> 404;
          case CONFLICT -> 409;
        }, error(e.getMessage()));
      } else if (err instanceof EtcdCallException) {
        json(req, 503, error("etcd failed: " + err.getMessage()));
      } else {
        json(req, 500, error(String.valueOf(err.getMessage())));
      }
    });
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  private static Buffer loadPage() {
    try (InputStream in = StatusServer.class.getResourceAsStream(PAGE)) {
      if (in == null) {
        throw new IllegalStateException(PAGE + " missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
