package io.consensus.examples;

import io.consensus.route.Role;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.ItemHandler;
import io.consensus.verticle.RouteChange;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An application built on the allocator: it serves each item it masters on the event bus at
 * {@code example.items.<item>}, and keeps a warm copy of each item it is a replica of.
 *
 * <ul>
 *   <li>It loads and unloads items in its {@link ItemHandler#onRoute}, which returns a future
 *       for the work: the allocator hands over an item's changes one at a time and in order,
 *       items load concurrently, and a burst of changes for an item that is still loading
 *       collapses to the latest one.</li>
 *   <li>When it gains an item (master or replica) it reports {@code "warming"}, loads the
 *       item (here: a timer), then reports {@code "ready"} on {@code <address>.state.<member>}.
 *       The allocator hands an item's mastership over only to a replica that reported
 *       {@code "ready"}. When it loses an item it unloads it.</li>
 *   <li>Serving follows the route changes on the event bus ({@code <address>}, its own
 *       {@code member}'s only), which are never held up by a slow load: it serves an item only
 *       while the latest route says it is the master <em>and</em> the item is loaded, and stops
 *       the moment a route says otherwise (hand-off, lease lost, item removed).</li>
 * </ul>
 *
 * <p>The {@link ItemHandler} makes items this process has not loaded start as
 * {@code "warming"} (the default would be {@code "ready"}), so a fresh entry is never taken
 * for a ready replica.
 */
public class ItemServer extends AbstractVerticle {
  /** Event-bus address prefix of the served items. */
  public static final String SERVE_PREFIX = "example.items.";
  static final String WARMING = "warming";
  static final String READY = ItemHandler.READY;

  private final AllocatorOptions options;
  private final long warmupMillis;
  private final AllocatorVerticle allocator;
  // Latest route per item, from the event bus: only touched on this verticle's context.
  private final Map<String, RouteChange> latest = new HashMap<>();
  // Loaded items and their state: written by the loads (on the allocator's context).
  private final Map<String, String> local = new ConcurrentHashMap<>();
  // Served items: only touched on this verticle's context.
  private final Map<String, MessageConsumer<JsonObject>> serving = new ConcurrentHashMap<>();
  private final List<String> log = new CopyOnWriteArrayList<>();

  /** @param warmupMillis how long loading an item takes */
  public ItemServer(AllocatorOptions options, long warmupMillis) {
    this.options = options;
    this.warmupMillis = warmupMillis;
    this.allocator = new AllocatorVerticle(options, new ItemHandler() {
      @Override
      public String itemState(String item) {
        return local.getOrDefault(item, WARMING);
      }

      @Override
      public Future<Void> onRoute(RouteChange change) {
        return loadOrUnload(change);
      }
    });
  }

  @Override
  public void start(Promise<Void> startPromise) {
    String me = options.getMember();
    vertx.eventBus().<JsonObject>consumer(options.getAddress(), msg -> {
      if (me.equals(msg.body().getString("member"))) { // every member publishes on this address
        onRoute(RouteChange.fromJson(msg.body()));
      }
    });
    vertx.deployVerticle(allocator).<Void>mapEmpty().onComplete(startPromise);
  }

  /** Serving: on this verticle's context, at once for every change. */
  private void onRoute(RouteChange c) {
    latest.put(c.item(), c);
    if (isMaster(c)) {
      maybeServe(c.item());
    } else {
      stopServing(c.item(), c.reason());
    }
  }

  /** Loading and unloading: on the item's queue, one change at a time. */
  private Future<Void> loadOrUnload(RouteChange c) {
    String item = c.item();
    boolean holds = !c.removed() && (c.role() == Role.MASTER || c.role() == Role.REPLICA);
    if (holds && !local.containsKey(item)) {
      return load(item);
    }
    if (!holds && local.containsKey(item)) {
      return unload(item);
    }
    return Future.succeededFuture();
  }

  private Future<Void> load(String item) {
    local.put(item, WARMING);
    report(item, WARMING);
    Promise<Void> loaded = Promise.promise();
    vertx.setTimer(warmupMillis, t -> {
      local.put(item, READY);
      report(item, READY);
      context.runOnContext(v -> maybeServe(item));
      loaded.complete();
    });
    return loaded.future();
  }

  private Future<Void> unload(String item) {
    Promise<Void> unloaded = Promise.promise();
    context.runOnContext(v -> {
      stopServing(item, "unloaded"); // already stopped by the route, unless it was never served
      local.remove(item);
      // Reset the reported state: a later take starts warming again.
      report(item, WARMING);
      log.add("dropped " + item);
      unloaded.complete();
    });
    return unloaded.future();
  }

  private static boolean isMaster(RouteChange c) {
    return c != null && !c.removed() && c.role() == Role.MASTER;
  }

  private void maybeServe(String item) {
    RouteChange c = latest.get(item);
    if (isMaster(c) && READY.equals(local.get(item))) {
      serve(item, c.fencingToken());
    }
  }

  private void report(String item, String state) {
    log.add(state + " " + item);
    vertx.eventBus().request(options.getAddress() + ".state." + options.getMember(),
        new JsonObject().put("item", item).put("state", state));
  }

  private void serve(String item, long fencingToken) {
    if (serving.containsKey(item)) {
      return;
    }
    MessageConsumer<JsonObject> c = vertx.eventBus().consumer(SERVE_PREFIX + item, msg -> msg.reply(
        new JsonObject().put("item", item).put("servedBy", options.getMember()).put("fencingToken", fencingToken)));
    serving.put(item, c);
    log.add("serving " + item);
  }

  private void stopServing(String item, String why) {
    MessageConsumer<JsonObject> c = serving.remove(item);
    if (c != null) {
      c.unregister();
      log.add("stopped " + item + " (" + why + ")");
    }
  }

  /** The allocator this server runs. */
  public AllocatorVerticle allocator() {
    return allocator;
  }

  /** Items served right now. */
  public Set<String> serving() {
    return Set.copyOf(serving.keySet());
  }

  /** What happened, in order: "warming a", "ready a", "serving a", "stopped a (route)", "dropped a". */
  public List<String> log() {
    return List.copyOf(log);
  }
}
