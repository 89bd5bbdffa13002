package io.consensus.examples;

import io.consensus.route.Role;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.ItemHandler;
import io.consensus.verticle.RouteChange;
import io.vertx.core.AbstractVerticle;
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
 *   <li>It deploys an {@link AllocatorVerticle} and consumes route changes from the event bus
 *       ({@code <address>}), keeping only those of its own {@code member}.</li>
 *   <li>When it gains an item (master or replica) it reports {@code "warming"}, loads the
 *       item (here: a timer), then reports {@code "ready"} on {@code <address>.state.<member>}.
 *       The allocator hands an item's mastership over only to a replica that reported
 *       {@code "ready"}.</li>
 *   <li>It serves an item only while the latest route says it is the master <em>and</em> the
 *       item is loaded; it stops the moment a route says otherwise (hand-off, lease lost,
 *       item removed).</li>
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
  // Latest route per item, as published: only touched on this verticle's context.
  private final Map<String, Role> roles = new HashMap<>();
  private final Map<String, Long> tokens = new HashMap<>();
  private final Map<String, String> local = new ConcurrentHashMap<>();
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

  private void onRoute(RouteChange c) {
    String item = c.item();
    Role role = c.removed() ? Role.NONE : c.role();
    roles.put(item, role);
    tokens.put(item, c.fencingToken());
    if (role != Role.MASTER) {
      stopServing(item, c.reason());
    }
    switch (role) {
      case MASTER, REPLICA -> {
        if (!local.containsKey(item)) {
          load(item);
        } else if (role == Role.MASTER && READY.equals(local.get(item))) {
          serve(item, c.fencingToken());
        }
      }
      default -> {
        if (local.remove(item) != null) {
          // Forget the item, and reset the reported state: a later take starts warming again.
          report(item, WARMING);
          log.add("dropped " + item);
        }
      }
    }
  }

  private void load(String item) {
    local.put(item, WARMING);
    report(item, WARMING);
    vertx.setTimer(warmupMillis, t -> {
      if (!WARMING.equals(local.get(item))) {
        return; // dropped while loading
      }
      local.put(item, READY);
      report(item, READY);
      if (roles.get(item) == Role.MASTER) {
        serve(item, tokens.get(item));
      }
    });
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
