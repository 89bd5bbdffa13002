package io.consensus.spectator;

import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.route.Keys;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.route.Route;
import io.consensus.tree.KeyTree;
import io.consensus.tree.TreePatchException;
import io.consensus.verticle.RouteChange;
import io.consensus.internal.watch.RetryWatcher;
import io.consensus.internal.watch.RetryWatcherOptions;
import io.consensus.tree.WatchUpdate;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
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
 * {@link #masterOf}, {@link #routeOf} and {@link #items()} read the current one.
 * {@link #awaitRevision(long)} completes once the table has reached a revision: after it, the
 * table never shows a master that etcd no longer had at that revision.
 *
 * <p>Event bus (A = {@code address}, default {@code consensus.spectator}):
 * <ul>
 *   <li>{@code A}: published {@link RouteChange} JSON (publisher = {@code name}, index -1,
 *       role NONE, entries with member metadata) whenever any item's route changes, including
 *       its removal;</li>
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

  private RoutingTableOptions options;
  private EtcdConnection conn;
  private RetryWatcher watcher;
  private KeyTree tree;
  private List<String> fixedItems;
  private final MemberDirectory directory = new MemberDirectory();
  private volatile RoutingTable table;
  private MessageConsumer<JsonObject> tableConsumer;
  private final List<Handler<RouteChange>> listeners = new CopyOnWriteArrayList<>();

  /** Configured from {@link #config()}. */
  public RoutingTableVerticle() {
  }

  /** Configured by {@code options} (copied). */
  public RoutingTableVerticle(RoutingTableOptions options) {
    this.options = new RoutingTableOptions(options);
  }

  @Override
  public void start(Promise<Void> startPromise) {
    try {
      if (options == null) {
        options = new RoutingTableOptions(config());
      }
      options.validate();
    } catch (RuntimeException e) {
      startPromise.fail(e);
      return;
    }
    Keys keys = new Keys(options.getRoot());
    fixedItems = options.getItems().stream().sorted().distinct().toList();
    tree = KeyTree.empty(keys.root());
    table = RoutingTable.of(tree, fixedItems, options.getReplicas(), directory.members());
    conn = EtcdConnection.open(vertx, options.getEtcdClientOptions());
    tableConsumer = vertx.eventBus().localConsumer(options.getAddress() + ".table",
        msg -> msg.reply(table.toJson(options.getName())));
    watcher = RetryWatcher.start(vertx, conn, new RetryWatcherOptions().setPrefix(keys.rootPrefix()), this::onUpdate);
    watcher.firstSnapshot().onSuccess(v -> LOG.info("spectator {} following {} at revision {}",
        options.getName(), keys.root(), tree.revision())).onComplete(startPromise);
  }

  @Override
  public void stop(Promise<Void> stopPromise) {
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
  public io.consensus.route.RouteEntry masterOf(String item) {
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

  /** Completes with the table once it reflects at least revision {@code rev} (call after deployment). */
  public Future<RoutingTable> awaitRevision(long rev) {
    return watcher.awaitRevision(rev).map(r -> table);
  }

  /** Whether the watch is established (for health checks). */
  public boolean isLive() {
    return watcher != null && watcher.isLive();
  }

  /** Adds a listener for route changes (as published); called on this verticle's context. */
  public RoutingTableVerticle onChange(Handler<RouteChange> listener) {
    listeners.add(Objects.requireNonNull(listener));
    return this;
  }

  private void onUpdate(WatchUpdate update) {
    KeyTree next;
    try {
      next = tree.apply(update);
    } catch (TreePatchException e) {
      LOG.error("spectator {}: watch event does not fit the view ({}); re-reading", options.getName(), e.getMessage());
      watcher.resnapshot();
      return;
    }
    RoutingTable old = table;
    tree = next;
    directory.update(tree);
    table = old.next(tree, directory.members());
    Collection<String> touched;
    if (update instanceof WatchUpdate.Changes c) {
      touched = AllocationIndex.touchedItems(tree, c.events());
    } else if (update instanceof WatchUpdate.Snapshot) {
      TreeSet<String> all = new TreeSet<>(old.items());
      all.addAll(table.items());
      touched = all;
    } else {
      return;
    }
    for (String item : touched) {
      if (!Objects.equals(old.routeOf(item), table.routeOf(item))) {
        publish(table.change(options.getName(), item));
      }
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
