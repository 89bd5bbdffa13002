package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.RoutingTable;
import io.consensus.tree.KeyTree;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The route page's event stream follows route changes only while a page listens: with no client
 * it has no consumer on the route address (every delivered change is encoded for each consumer),
 * a client gets {@code hello} and then the changed items, and the last client leaving ends it.
 */
class RouteStreamTest {
  private static final String ADDRESS = "routes.m1";
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** {@code fn} on {@code ctx}, its result here. */
  private static <T> T on(Context ctx, Supplier<T> fn) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    ctx.runOnContext(v -> out.complete(fn.get()));
    return out.get(10, TimeUnit.SECONDS);
  }

  /** Asks {@code fn} on {@code ctx} until it says true (10 s at most). */
  private static boolean eventually(Context ctx, Supplier<Boolean> fn) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      if (on(ctx, fn)) {
        return true;
      }
      Thread.onSpinWait();
    }
    return false;
  }

  @Test
  void followsRouteChangesOnlyWhileAPageListens() throws Exception {
    RoutingTable table = RoutingTable.of(KeyTree.empty("/fleet"), List.of("a", "b"), 2, Map.of());
    FleetView view = new StubView(table);
    Context ctx = vertx.getOrCreateContext();
    RouteStream stream = on(ctx, () -> new RouteStream(vertx, view));
    HttpServer server = await(Future.<HttpServer>future(p -> ctx.runOnContext(v ->
        vertx.createHttpServer().requestHandler(stream::subscribe).listen(0).onComplete(p))));
    assertThat(on(ctx, stream::following)).as("no page: no consumer").isFalse();
    vertx.eventBus().publish(ADDRESS, new JsonObject().put("item", "a")); // nobody to tell

    HttpClient client = vertx.createHttpClient();
    StringBuilder received = new StringBuilder();
    Promise<Void> hello = Promise.promise();
    Promise<Void> delta = Promise.promise();
    // The body handler is set as the response's head arrives, on its event loop: set later from
    // this thread, the hello written right after the head could come before it and be dropped.
    await(client.request(HttpMethod.GET, server.actualPort(), "localhost", "/fleet/events")
        .compose(req -> req.send())
        .map((HttpClientResponse resp) -> resp.handler((Buffer b) -> {
          synchronized (received) {
            received.append(b.toString());
            if (received.indexOf("event: hello") >= 0) {
              hello.tryComplete();
            }
            if (received.indexOf("[\"b\"") >= 0) {
              delta.tryComplete();
            }
          }
        })));
    await(hello.future());
    assertThat(on(ctx, stream::following)).as("a page listens").isTrue();
    vertx.eventBus().publish(ADDRESS, new JsonObject().put("item", "b"));
    await(delta.future());
    synchronized (received) {
      // Items go as [name, entries]: b, changed while the page listened, and not a, changed before.
      assertThat(received.toString()).contains("[\"b\"").doesNotContain("[\"a\"");
    }

    await(client.close());
    assertThat(eventually(ctx, () -> !stream.following())).as("the last page left: no consumer").isTrue();
    Throwable failure = vertx.eventBus().request(ADDRESS, new JsonObject().put("item", "a"),
            new DeliveryOptions().setSendTimeout(5_000))
        .toCompletionStage().toCompletableFuture().handle((r, e) -> e).get(10, TimeUnit.SECONDS);
    assertThat(failure).as("no handler left on the address").isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
    on(ctx, () -> {
      stream.close();
      return null;
    });
  }

  /** What the stream reads of a view: the table and the address. */
  private record StubView(RoutingTable table) implements FleetView {
    @Override
    public String name() {
      return "m1";
    }

    @Override
    public String role() {
      return "member";
    }

    @Override
    public boolean isHealthy() {
      return true;
    }

    @Override
    public String healthReason() {
      return "";
    }

    @Override
    public Readiness readiness() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> ping() {
      return Future.succeededFuture();
    }

    @Override
    public Future<JsonObject> routes() {
      throw new UnsupportedOperationException();
    }

    @Override
    public String changeAddress() {
      return ADDRESS;
    }
  }
}
