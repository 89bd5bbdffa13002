package io.consensus.verticle;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.etcd.EtcdValues;
import io.consensus.internal.route.Items;
import io.consensus.route.Route;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdServer;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Several allocator members on one Vert.x against a real etcd, with blocking helpers for
 * test threads: deploy, undeploy, read the truth from etcd, and wait on conditions with a
 * deadline (polling, never sleeping blindly).
 */
public final class TestFleet implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(60);

  public final Vertx vertx;
  public final EtcdServer etcd;
  public final String root;
  public final Map<String, AllocatorVerticle> members = new ConcurrentHashMap<>();
  public final Map<String, String> deployments = new ConcurrentHashMap<>();
  public final Map<String, List<RouteChange>> routeLog = new ConcurrentHashMap<>();
  public final Map<String, List<AllocatorEvent>> events = new ConcurrentHashMap<>();
  private final Context ctx;
  private final EtcdConnection conn;

  public TestFleet(EtcdServer etcd, String root) {
    this(etcd, root, new VertxOptions());
  }

  /** A fleet on a Vert.x with {@code vertxOptions} (e.g. a lenient blocked-thread checker). */
  public TestFleet(EtcdServer etcd, String root, VertxOptions vertxOptions) {
    this.vertx = Vertx.vertx(vertxOptions);
    this.ctx = vertx.getOrCreateContext();
    this.etcd = etcd;
    this.root = root;
    this.conn = onContext(() -> new EtcdConnection(vertx, etcd.endpoints(), Duration.ofSeconds(5)));
  }

  public AllocatorOptions options(String member, int replicas, List<String> items) {
    return new AllocatorOptions().setEndpoints(etcd.endpoints()).setRoot(root).setMember(member)
        .setReplicas(replicas).setItems(items).setLeaseTtlSeconds(4).setHandoffTimeoutSeconds(20)
        .setStateCheckMillis(200).setDeadlockBackoffMillis(50);
  }

  public AllocatorVerticle deploy(String member, int replicas, List<String> items) {
    return deploy(options(member, replicas, items), ItemHandler.DEFAULT);
  }

  public AllocatorVerticle deploy(AllocatorOptions o, ItemHandler handler) {
    String member = o.getMember();
    List<RouteChange> log = routeLog.computeIfAbsent(member, k -> new CopyOnWriteArrayList<>());
    List<AllocatorEvent> ev = events.computeIfAbsent(member, k -> new CopyOnWriteArrayList<>());
    AllocatorVerticle v = new AllocatorVerticle(o, new ItemHandler() {
      @Override
      public String itemState(String item) {
        return handler.itemState(item);
      }

      @Override
      public boolean isReadyForPromotion(String item, String state) {
        return handler.isReadyForPromotion(item, state);
      }

      @Override
      public Future<Void> onRoute(RouteChange change) {
        log.add(change);
        return handler.onRoute(change);
      }
    });
    v.onEvent(ev::add);
    String id = await(vertx.deployVerticle(v));
    members.put(member, v);
    deployments.put(member, id);
    return v;
  }

  /** Undeploys {@code member}: a graceful cancel with hand-off. */
  void undeploy(String member) {
    await(vertx.undeploy(deployments.remove(member)));
    members.remove(member);
  }

  /** Starts a graceful cancel without waiting for it. */
  public Future<Long> cancel(String member) {
    return members.get(member).cancel();
  }

  /** The fleet's own connection to etcd (use on its context, see {@link #onContext}). */
  public EtcdConnection conn() {
    return conn;
  }

  /** All key-values under the root, read from etcd now. */
  public List<KeyValue> keys() {
    return keys(0);
  }

  /** All key-values under the root as etcd held them at {@code revision} (0: now). */
  public List<KeyValue> keys(long revision) {
    return await(onContext(() -> conn.unary(KVGrpc.getRangeMethod(), RangeRequest.newBuilder()
        .setKey(EtcdKeys.bytes(root + "/")).setRangeEnd(EtcdKeys.prefixEnd(root + "/")).setRevision(revision).build())
        .map(r -> r.getKvsList().stream().map(EtcdValues::keyValue).toList())));
  }

  /** The truth: every item's route as etcd holds it now. */
  public Map<String, Route> routes(List<String> fixedItems) {
    return routes(fixedItems, 0);
  }

  /** Every item's route as etcd held it at {@code revision} (0: now). */
  public Map<String, Route> routes(List<String> fixedItems, long revision) {
    KeyTree t = KeyTree.fromSnapshot(root, 0, keys(revision));
    Map<String, Route> out = new TreeMap<>();
    Items.walk(t, fixedItems.stream().sorted().toList(), out::put);
    return out;
  }

  public Map<String, Integer> mastersPerMember(Map<String, Route> routes) {
    Map<String, Integer> out = new TreeMap<>();
    routes.values().forEach(r -> {
      if (!r.isEmpty()) {
        out.merge(r.master().member(), 1, Integer::sum);
      }
    });
    return out;
  }

  /** Waits until the routes in etcd satisfy {@code condition}; returns them. */
  public Map<String, Route> awaitRoutes(List<String> fixedItems, String what, Predicate<Map<String, Route>> condition) {
    Map<String, Route>[] last = new Map[1];
    awaitCondition(what, () -> {
      last[0] = routes(fixedItems);
      return condition.test(last[0]);
    }, () -> "last routes: " + last[0]);
    return last[0];
  }

  static void awaitCondition(String what, Supplier<Boolean> condition, Supplier<String> detail) {
    Await.until(what, WAIT, condition::get, detail);
  }

  /** Waits until every member's latest event is IDLE at etcd's current revision. */
  void awaitQuiet() {
    awaitCondition("all members idle at the current revision", () -> {
      long rev = etcd.currentRevision();
      for (String m : members.keySet()) {
        List<AllocatorEvent> ev = events.get(m);
        AllocatorEvent last = ev.isEmpty() ? null : ev.get(ev.size() - 1);
        if (last == null || last.kind() != AllocatorEvent.Kind.IDLE || last.revision() != rev) {
          return false;
        }
      }
      return true;
    }, () -> "events: " + lastEvents());
  }

  private Map<String, AllocatorEvent> lastEvents() {
    Map<String, AllocatorEvent> out = new TreeMap<>();
    events.forEach((m, ev) -> {
      if (!ev.isEmpty()) {
        out.put(m, ev.get(ev.size() - 1));
      }
    });
    return out;
  }

  public JsonObject request(String address, Object body) {
    return await(vertx.eventBus().<JsonObject>request(address, body)).body();
  }

  public <T> T onContext(Supplier<T> fn) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> p.complete(fn.get()));
    return await(p.future());
  }

  public static <T> T await(Future<T> f) {
    return io.consensus.testing.Await.result(f, WAIT);
  }

  public static Throwable awaitFailure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("expected a failure");
  }

  @Override
  public void close() {
    // The last members cannot hand off to anyone: do not wait for their hand-off timeout.
    members.values().forEach(v -> v.handoffTimeoutSeconds(0));
    for (String m : new ArrayList<>(deployments.keySet())) {
      try {
        undeploy(m);
      } catch (RuntimeException e) {
        // best effort
      }
    }
    onContext(conn::close);
    await(vertx.close());
  }

  public static Consumer<AllocatorOptions> none() {
    return o -> { };
  }
}
