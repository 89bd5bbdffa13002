package io.consensus.spectator;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.member.LoopSlices;
import io.consensus.internal.route.Keys;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.internal.route.TreePatch;
import io.consensus.internal.watch.RetryWatcher;
import io.consensus.internal.watch.RetryWatcherOptions;
import io.consensus.internal.watch.RevisionWaiters;
import io.consensus.route.MemberInfo;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.route.RoutingTable;
import io.consensus.tree.KeyTree;
import io.consensus.tree.TreePatchException;
import io.consensus.tree.WatchUpdate;
import io.consensus.verticle.RouteChange;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A spectator: follows a fleet's routes without taking part. It takes no lease and writes
 * nothing; it watches {@code ROOT/} (snapshot, then the watch, resuming after failures) and
 * keeps the full route table with every member's metadata, so a gateway or client can find
 * the master of an item and how to reach it.
 *
 * <p>{@link #table()} is an immutable {@link RoutingTable} readable from any thread;
 * {@link #masterOf}, {@link #routeOf}, {@link #items()}, {@link #mastersOf} and {@link #itemsOf}
 * read the current one. {@link #awaitRevision(long)} completes once the table has reached a
 * revision: after it, the table never shows a master that etcd no longer had at that revision.
 *
 * <p>Never stalls its event loop: a revision (or a snapshot of 100,000 items) is applied as a
 * sliced job (the member's {@code LoopSlices}: steps of {@value #STEP} keys or items, slices of
 * {@value #SLICE_BUDGET_MILLIS} ms that yield to the loop between them), with work proportional
 * to the items the revision touches; the table is replaced only once a revision is fully
 * applied, and its changes are published after that.
 * The watch asks for no previous values ({@code prev_kv}): nothing reads them, and etcd delivers
 * a large lease expiry seconds later with them.
 *
 * <p>Event bus (A = {@code address}, default {@code consensus.spectator}):
 * <ul>
 *   <li>{@code A}: published {@link RouteChange} JSON (publisher = {@code name}, index -1,
 *       role NONE, entries with member metadata) whenever any item's route changes, including
 *       its removal, and for every item of a member whose metadata changed;</li>
 *   <li>{@code A.table}: request/reply, answers {@code {"member": name, "revision", "routes"}}.</li>
 * </ul>
 * Both are local to this Vert.x instance, as a member's are: on a clustered event bus each
 * node that wants the fleet's routes deploys its own spectator (it is cheap: one watch), so
 * no node gets every change once per spectator in the cluster, and a request is answered by
 * the spectator of the asking node.
 * Deployable from JSON config ({@link RoutingTableOptions} keys).
 */
public class RoutingTableVerticle extends AbstractVerticle {
  private static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true);

  private static final Logger LOG = LoggerFactory.getLogger(RoutingTableVerticle.class);
  /** Keys or items one step of a revision's work handles. */
  static final int STEP = 256;
  /** How long one slice of steps runs before yielding the loop. */
  static final long SLICE_BUDGET_MILLIS = 10;

  private RoutingTableOptions options;
  private EtcdConnection conn;
  private RetryWatcher watcher;
  private KeyTree tree;
  private final MemberDirectory directory = new MemberDirectory();
  private volatile RoutingTable table;
  private MessageConsumer<JsonObject> tableConsumer;
  private final List<Handler<RouteChange>> listeners = new CopyOnWriteArrayList<>();
  // Watch updates, applied in order as sliced jobs; table replies built the same way.
  private LoopSlices slices;
  // Updates delivered and not applied in full yet.
  private int queued;
  // Moves on when an update did not fit the view: the updates queued behind it are dropped.
  private long generation;
  private boolean stopped;
  private volatile boolean caughtUp;
  // The revision whose changes have all been published (awaitRevision waits for it).
  private long publishedRevision;
  private final Promise<Void> firstApplied = Promise.promise();
  private final RevisionWaiters waiters = new RevisionWaiters();
  private volatile long maxSliceCpuNanos;

  /** Configured from {@link #config()}. */
  public RoutingTableVerticle() {
  }

  /** Configured by {@code options} (copied). */
  public RoutingTableVerticle(RoutingTableOptions options) {
    this.options = new RoutingTableOptions(options);
  }

  @Override
  public void start(Promise<Void> startPromise) {
    RoutingTableOptions given = options;
    JsonObject json = config();
    // The checks of the fixed items and the empty table grow with them (~0.1 s at 100,000, more
    // on a crowded machine): built on a worker, not on this event loop.
    vertx.executeBlocking(() -> {
      RoutingTableOptions o = given != null ? given : new RoutingTableOptions(json);
      o.validate();
      Keys keys = new Keys(o.getRoot());
      return Map.entry(o, RoutingTable.empty(keys.root(), o.getItems().stream().sorted().distinct().toList(),
          o.getReplicas(), o.getItemReplicas()));
    }, false).onComplete(prepared -> {
      if (prepared.failed()) {
        startPromise.fail(prepared.cause());
      } else {
        options = prepared.result().getKey();
        startWith(new Keys(options.getRoot()), prepared.result().getValue(), startPromise);
      }
    });
  }

  private void startWith(Keys keys, RoutingTable empty, Promise<Void> startPromise) {
    tree = KeyTree.empty(keys.root());
    table = empty;
    slices = new LoopSlices(vertx, SLICE_BUDGET_MILLIS * 1_000_000, (wall, cpu) -> {
      if (cpu > maxSliceCpuNanos) {
        maxSliceCpuNanos = cpu;
      }
      if (wall >= LoopSlices.SLOW_SLICE_NANOS) {
        LOG.info("spectator {}: a slice of update work held the event loop for {} ms ({} ms of CPU)",
            options.getName(), wall / 1_000_000, cpu / 1_000_000);
      }
    });
    conn = EtcdConnection.open(vertx, options.getEtcdClientOptions());
    tableConsumer = vertx.eventBus().localConsumer(options.getAddress() + ".table",
        msg -> readTable(table, msg::reply));
    watcher = RetryWatcher.start(vertx, conn, new RetryWatcherOptions().setPrefix(keys.rootPrefix()).setPrevKv(false),
        this::onUpdate);
    watcher.firstSnapshot().compose(v -> firstApplied.future()).onSuccess(v -> LOG.info(
        "spectator {} following {} at revision {}", options.getName(), keys.root(), tree.revision()))
        .onComplete(startPromise);
  }

  @Override
  public void stop(Promise<Void> stopPromise) {
    stopped = true;
    if (slices != null) {
      slices.close();
    }
    waiters.failAll(new IllegalStateException("spectator stopped"));
    if (tableConsumer != null) {
      tableConsumer.unregister();
    }
    Future<Void> w = watcher != null ? watcher.close() : Future.succeededFuture();
    w.transform(x -> conn != null ? conn.close() : Future.succeededFuture()).onComplete(x -> stopPromise.complete());
  }

  /** The effective options (a copy). */
  public RoutingTableOptions options() {
    return new RoutingTableOptions(options);
  }

  /** The current table: an immutable snapshot. */
  public RoutingTable table() {
    return table;
  }

  /** The master's entry of {@code item} in the current table, or null. */
  public RouteEntry masterOf(String item) {
    return table.masterOf(item);
  }

  /** The route of {@code item} in the current table, or null when the item does not exist. */
  public Route routeOf(String item) {
    return table.routeOf(item);
  }

  /** Every item of the current table, in name order. */
  public List<String> items() {
    return table.items();
  }

  /** The items {@code member} masters in the current table, in name order (no walk over other items). */
  public List<String> mastersOf(String member) {
    return table.mastersOf(member);
  }

  /** The items in which {@code member} has an entry in the current table, in name order. */
  public List<String> itemsOf(String member) {
    return table.itemsOf(member);
  }

  /**
   * Completes with the table once it reflects at least revision {@code rev} and every change
   * up to it has been published (call after deployment).
   */
  public Future<RoutingTable> awaitRevision(long rev) {
    Promise<RoutingTable> p = Promise.promise();
    context.runOnContext(v -> {
      if (publishedRevision >= rev) {
        p.complete(table);
      } else if (stopped) {
        p.fail(new IllegalStateException("spectator stopped"));
      } else {
        waiters.await(rev).onComplete(ar -> p.handle(ar.map(r -> table)));
      }
    });
    return p.future();
  }

  /**
   * The current table in the shape of a member's table reply ({@code {"member": name, "revision",
   * "routes": [...]}}), built on this verticle's loop in slices (100,000 routes are far more
   * than one handler's worth); completes on that context.
   */
  public Future<JsonObject> tableJson() {
    Promise<JsonObject> p = Promise.promise();
    context.runOnContext(v -> readTable(table, p::complete));
    return p.future();
  }

  /** Builds {@code t}'s reply JSON as a sliced job, then hands it to {@code reply}. */
  private void readTable(RoutingTable t, Handler<JsonObject> reply) {
    if (slices.isClosed()) {
      reply.handle(RouteChange.tableJson(t, options.getName(), List.of()));
      return;
    }
    JsonArray routes = new JsonArray();
    String[] after = {null};
    slices.submit(new LoopSlices.Job() {
      @Override
      public boolean step() {
        List<Route> chunk = t.routesAfter(after[0], STEP);
        if (chunk.isEmpty()) {
          return true;
        }
        routes.addAll(RouteChange.tableJson(t, options.getName(), chunk).getJsonArray("routes"));
        after[0] = chunk.get(chunk.size() - 1).item();
        return false;
      }

      @Override
      public boolean blocksDecisions() {
        return false;
      }

      @Override
      public void finished() {
        reply.handle(RouteChange.tableJson(t, options.getName(), List.of()).put("routes", routes));
      }
    });
  }

  /** Whether the watch is established (for health checks). */
  public boolean isLive() {
    return watcher != null && watcher.isLive();
  }

  /**
   * Whether the table has applied everything the watch delivered (for readiness): false before
   * the first snapshot is applied and while a revision is being applied in slices.
   */
  public boolean isCaughtUp() {
    return caughtUp;
  }

  /** Completes once this verticle's event loop has run a task (for liveness checks). */
  public Future<Void> ping() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> p.complete());
    return p.future();
  }

  /**
   * The most CPU time one slice of this spectator's work took on its event loop since it was
   * deployed, in milliseconds (listeners included): what it can add to the loop's lag, whatever
   * else the machine runs.
   */
  public double maxSliceCpuMillis() {
    return maxSliceCpuNanos / 1e6;
  }

  /** Adds a listener for route changes (as published); called on this verticle's context. */
  public RoutingTableVerticle onChange(Handler<RouteChange> listener) {
    listeners.add(Objects.requireNonNull(listener));
    return this;
  }

  private void onUpdate(WatchUpdate update) {
    if (stopped) {
      return;
    }
    queued++;
    caughtUp = false;
    slices.submit(new ApplyUpdate(update, generation));
  }

  /**
   * One watch update as a sliced job: the tree is patched aside ({@link TreePatch}), then the
   * table brought to it per touched item ({@link RoutingTable.Update}) and made current, then
   * its changes published, each phase {@value #STEP} keys or items per step.
   */
  private final class ApplyUpdate implements LoopSlices.Job {
    private final WatchUpdate update;
    private final long generationAtSubmit;
    private TreePatch patch;
    private RoutingTable.Update tableUpdate;
    private RoutingTable next;
    private List<String> changed;
    private int published;

    ApplyUpdate(WatchUpdate update, long generation) {
      this.update = update;
      this.generationAtSubmit = generation;
    }

    @Override
    public boolean step() {
      if (stopped || generationAtSubmit != generation) {
        return true; // stopping, or queued behind an update that did not fit: the re-read replaces it
      }
      if (tableUpdate == null) {
        if (patch == null) {
          patch = new TreePatch(tree, update); // now: the update before it is applied in full
        }
        try {
          if (!patch.step(STEP)) {
            return false;
          }
        } catch (TreePatchException e) {
          LOG.error("spectator {}: watch event does not fit the view ({}); re-reading", options.getName(),
              e.getMessage());
          generation++;
          watcher.resnapshot();
          return true;
        }
        tree = patch.tree();
        RoutingTable old = table;
        Map<String, MemberInfo> members = directory.update(tree) || old.revision() == 0 ? directory.members()
            : old.members();
        tableUpdate = patch.isSnapshot() ? old.rebuild(tree, members) : old.update(tree, members, patch.touched());
        return false;
      }
      if (next == null) {
        if (!tableUpdate.step(STEP)) {
          return false;
        }
        next = tableUpdate.table();
        changed = tableUpdate.changed();
        table = next;
        return false;
      }
      int end = Math.min(changed.size(), published + STEP);
      while (published < end) {
        publish(RouteChange.of(next, options.getName(), changed.get(published++)));
      }
      return published == changed.size();
    }

    @Override
    public void finished() {
      queued--;
      if (next == null || stopped) {
        return;
      }
      publishedRevision = next.revision();
      firstApplied.tryComplete();
      // Caught up as soon as nothing else waits: a reader woken by awaitRevision below sees it.
      caughtUp = queued == 0;
      waiters.reached(next.revision());
    }
  }

  private void publish(RouteChange change) {
    for (Handler<RouteChange> l : listeners) {
      try {
        l.handle(change);
      } catch (RuntimeException e) {
        LOG.error("spectator {}: route listener failed", options.getName(), e);
      }
    }
    vertx.eventBus().publish(options.getAddress(), change.toJson(), LOCAL_ONLY);
  }
}
