package com.example.fleet;

import io.consensus.ring.RingTaskQueues;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.ItemHandler;
import io.consensus.verticle.RouteChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A member set up in code rather than from JSON, with an {@link ItemHandler}, and route changes
 * applied per item in order with {@link RingTaskQueues}: the README's snippets of the same
 * names. Compiled by .ci/run with the rest of this project, so the snippets cannot rot.
 */
public final class ProgrammaticMember {
  private final Set<String> warm = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> serving = new ConcurrentHashMap<>();

  /** Deploys a member that serves what it masters; the future completes with the deployment id. */
  public Future<String> deploy(Vertx vertx, List<String> endpoints) {
    // [snippet:programmatic]
    AllocatorOptions options = new AllocatorOptions()
        .setEndpoints(endpoints)                  // e.g. List.of("http://127.0.0.1:2379")
        .setRoot("/consensus/demo")
        .setMember("member-1")
        .setReplicas(1)
        .setItems(List.of("a", "b", "c"));

    // The application side (all optional; defaults: every item "ready",
    // a replica is promotable iff its state is "ready").
    ItemHandler handler = new ItemHandler() {
      @Override
      public String itemState(String item) {
        return warm.contains(item) ? "ready" : "warming";
      }

      @Override
      public Future<Void> onRoute(RouteChange c) {
        if (c.isMaster()) {
          serve(c.item(), c.fencingToken());
        } else {
          stopServing(c.item());
        }
        return Future.succeededFuture();      // or the future of asynchronous work, see below
      }
    };
    AllocatorVerticle allocator = new AllocatorVerticle(options, handler);
    Future<String> deployed = vertx.deployVerticle(allocator);   // fails with MemberExistsException
                                                                // if member-1 runs elsewhere
    // Report an item's state without an ItemHandler:
    vertx.eventBus().request("consensus.routes.state.member-1",
        new JsonObject().put("item", "a").put("state", "ready"));
    // [/snippet:programmatic]
    return deployed;
  }

  /** Applies each item's route changes in arrival order, items in parallel. */
  public void applyInOrder(Vertx vertx) {
    // [snippet:ring]
    RingTaskQueues<ItemState> items = new RingTaskQueues<>(vertx, 4096, previous -> new ItemState());

    // Apply route changes for one item strictly in arrival order, even when the work is
    // asynchronous (open a file, warm a cache); other items proceed in parallel.
    vertx.eventBus().<JsonObject>consumer("consensus.routes", msg -> {
      RouteChange c = RouteChange.fromJson(msg.body());
      items.submit(c.item(), slot -> {                 // String keys are hashed with hash64()
        ItemState state = slot.get();                   // no other task for this item is running
        return state.apply(c).map(next -> {
          slot.set(next);
          return null;
        });
      });
    });
    // [/snippet:ring]
  }

  /** What the application keeps per item: here only the latest route change applied. */
  static final class ItemState {
    private final RouteChange last;

    ItemState() {
      this(null);
    }

    private ItemState(RouteChange last) {
      this.last = last;
    }

    Future<ItemState> apply(RouteChange c) {
      return Future.succeededFuture(new ItemState(c));
    }

    RouteChange last() {
      return last;
    }
  }

  private void serve(String item, long fencingToken) {
    warm.add(item);
    serving.put(item, fencingToken);
  }

  private void stopServing(String item) {
    serving.remove(item);
  }
}
