package io.consensus.launcher;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /fleet/events}: server-sent events for the route page. Route changes from the
 * event bus are coalesced per item and sent at most every {@value #FLUSH_MILLIS} ms as one
 * {@link FleetJson#delta} event, so a converging fleet of 10,000 items costs the browser a
 * few events a second, not one per change. Lives on the status server's context.
 */
final class RouteStream {
  static final long FLUSH_MILLIS = 250;

  private final Vertx vertx;
  private final FleetView view;
  private final List<HttpServerResponse> clients = new ArrayList<>();
  private final Set<String> changed = new LinkedHashSet<>();
  // Registered only while a page listens: every delivered route change is encoded for its
  // consumer (2.3 KB of JSON per change), for nothing when no browser is connected.
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;

  RouteStream(Vertx vertx, FleetView view) {
    this.vertx = vertx;
    this.view = view;
  }

  private void onChange(JsonObject change) {
    if (clients.isEmpty() || change == null) {
      return;
    }
    String item = change.getString("item");
    if (item != null) {
      changed.add(item);
      if (timer < 0) {
        timer = vertx.setTimer(FLUSH_MILLIS, t -> flush());
      }
    }
  }

  /**
   * Answers {@code req} with an event stream: a {@code hello} event, then deltas. The page loads
   * a snapshot on {@code hello}, so changes from before the first client's subscription are not missed.
   */
  void subscribe(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    resp.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
    if (consumer == null) { // a local registration takes effect at once, before hello goes out
      consumer = vertx.eventBus().consumer(view.changeAddress(), msg -> onChange(msg.body()));
    }
    resp.write("retry: 2000\nevent: hello\ndata: {}\n\n");
    clients.add(resp);
    resp.closeHandler(v -> drop(resp));
    resp.exceptionHandler(e -> drop(resp));
  }

  /** Whether route changes are being followed (a client is connected). */
  boolean following() {
    return consumer != null;
  }

  private void drop(HttpServerResponse resp) {
    clients.remove(resp);
    if (clients.isEmpty() && consumer != null) {
      consumer.unregister();
      consumer = null;
      changed.clear();
    }
  }

  private void flush() {
    timer = -1;
    if (changed.isEmpty() || clients.isEmpty()) {
      changed.clear();
      return;
    }
    List<String> items = new ArrayList<>(changed);
    changed.clear();
    String event = "data: " + FleetJson.delta(view, view.table(), items).encode() + "\n\n";
    for (HttpServerResponse c : new ArrayList<>(clients)) {
      if (c.writeQueueFull()) {
        c.reset(); // a browser that cannot keep up reconnects and reloads the snapshot
        drop(c);
      } else {
        c.write(event);
      }
    }
  }

  void close() {
    if (consumer != null) {
      consumer.unregister();
      consumer = null;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    new ArrayList<>(clients).forEach(HttpServerResponse::end);
    clients.clear();
  }
}
