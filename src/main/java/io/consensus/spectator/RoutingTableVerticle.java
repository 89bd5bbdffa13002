package io.consensus.spectator;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.route.Keys;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.route.Route;
import io.consensus.tree.KeyEvent;
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
import io.consensus.internal.watch.RevisionWaiters;
import io.consensus.route.MemberInfo;
import io.consensus.route.RouteEntry;
import io.consensus.tree.Node;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p>Never stalls its event loop: a revision (or a snapshot of 100,000 items) is applied in
 * slices of at most {@value #SLICE_ITEMS} items or {@value #SLICE_MILLIS} ms that yield to the
 * loop between them, with work proportional to the items the revision touches; the table is
 * replaced only once a revision is fully applied, and its changes are published after that.
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
  /** Most items one slice of a revision's work handles before yielding the loop. */
  static final int SLICE_ITEMS = 2000;
  /** Longest one slice runs before yielding the loop. */
  static final long SLICE_MILLIS = 10;

  private RoutingTableOptions options;
  private EtcdConnection conn;
  private RetryWatcher watcher;
  private KeyTree tree;
  private final MemberDirectory directory = new MemberDirectory();
  private volatile RoutingTable table;
  private MessageConsumer<JsonObject> tableConsumer;
  private final List<Handler<RouteChange>> listeners = new CopyOnWriteArrayList<>();
  // Updates the watcher delivered that the table has not applied yet (in order).
  private final ArrayDeque<WatchUpdate> pending = new ArrayDeque<>();
  private boolean applying;
  private boolean stopped;
  private volatile boolean caughtUp;
  // The revision whose changes have all been published (awaitRevision waits for it).
  private long publishedRevision;
  private final Promise<Void> firstApplied = Promise.promise();
  private final RevisionWaiters waiters = new RevisionWaiters();
  private final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
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
    List<String> fixedItems = options.getItems().stream().sorted().distinct().toList();
    tree = KeyTree.empty(keys.root());
    table = RoutingTable.empty(tree, fixedItems, RoutingTable.itemReplicas(tree, options.getReplicas(),
        options.getItemReplicas()));
    conn = EtcdConnection.open(vertx, options.getEtcdClientOptions());
    tableConsumer = vertx.eventBus().localConsumer(options.getAddress() + ".table",
        msg -> msg.reply(table.toJson(options.getName())));
    watcher = RetryWatcher.start(vertx, conn, new RetryWatcherOptions().setPrefix(keys.rootPrefix()).setPrevKv(false),
        this::onUpdate);
    watcher.firstSnapshot().compose(v -> firstApplied.future()).onSuccess(v -> LOG.info(
        "spectator {} following {} at revision {}", options.getName(), keys.root(), tree.revision()))
        .onComplete(startPromise);
  }

  @Override
  public void stop(Promise<Void> stopPromise) {
    stopped = true;
    pending.clear();
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
    pending.add(update);
    caughtUp = false;
    if (!applying) {
      applying = true;
      slice(this::applyNext);
    }
  }

  /** Runs one slice of work now, keeping the CPU time it took. */
  private void slice(Runnable work) {
    long cpu = threads.getCurrentThreadCpuTime();
    try {
      work.run();
    } finally {
      long used = threads.getCurrentThreadCpuTime() - cpu;
      if (used > maxSliceCpuNanos) {
        maxSliceCpuNanos = used;
      }
    }
  }

  /**
   * Runs {@code work} as a slice of its own, on a 1 ms timer: netty runs queued tasks back to
   * back and fetches due timers and network input only between batches of 64, so a chain of
   * runOnContext continuations would hold them for up to 64 slices (see LoopSlices).
   */
  private void nextSlice(Runnable work) {
    vertx.setTimer(1, t -> slice(work));
  }

  /** Applies the next pending update, in slices; then the one after it. */
  private void applyNext() {
    WatchUpdate update = pending.poll();
    if (update == null || stopped) {
      applying = false;
      caughtUp = !stopped && firstApplied.future().isComplete();
      return;
    }
    applying = true;
    if (update instanceof WatchUpdate.Progress) {
      RoutingTable old = table;
      tree = tree.atRevision(update.revision());
      finish(old.next(tree, old.members(), old.index()), List.of());
      return;
    }
    // A snapshot is the empty tree plus a put per key: both patch the tree a slice at a time.
    List<KeyEvent> events;
    KeyTree base;
    if (update instanceof WatchUpdate.Snapshot snap) {
      base = KeyTree.empty(tree.rootKey());
      List<io.consensus.tree.KeyValue> kvs = snap.kvs();
      events = new java.util.AbstractList<>() { // a view: no pass over every key in this slice
        @Override
        public KeyEvent get(int index) {
          return KeyEvent.put(kvs.get(index));
        }

        @Override
        public int size() {
          return kvs.size();
        }
      };
    } else {
      base = tree;
      events = ((WatchUpdate.Changes) update).events();
    }
    patchFrom(update, base, events, 0, new LinkedHashSet<>());
  }

  /**
   * Patches {@code events} from index {@code from} onto {@code t}, a slice per loop turn,
   * collecting the items they touch; then the old items (a snapshot), then the index.
   */
  private void patchFrom(WatchUpdate update, KeyTree t, List<KeyEvent> events, int from, Set<String> touched) {
    if (stopped) {
      return;
    }
    long deadline = System.nanoTime() + SLICE_MILLIS * 1_000_000;
    int i = from;
    int end = Math.min(events.size(), from + SLICE_ITEMS);
    try {
      while (i < end && System.nanoTime() < deadline) {
        KeyEvent e = events.get(i++);
        t = t.patch(e);
        String[] segs = t.segments(e.kv().key());
        if (segs.length >= 2 && segs[0].equals(Keys.ITEMS_PREFIX)) {
          touched.add(segs[1]);
        }
      }
    } catch (TreePatchException e) {
      LOG.error("spectator {}: watch event does not fit the view ({}); re-reading", options.getName(), e.getMessage());
      pending.clear();
      applying = false;
      watcher.resnapshot();
      return;
    }
    if (i < events.size()) {
      KeyTree partial = t;
      int at = i;
      nextSlice(() -> patchFrom(update, partial, events, at, touched));
      return;
    }
    KeyTree next = t.atRevision(update.revision());
    if (update instanceof WatchUpdate.Snapshot) {
      nextSlice(() -> addOldItems(update, next, touched, 0));
    } else {
      nextSlice(() -> index(update, next, touched));
    }
  }

  /** A snapshot also touches every item of the table it replaces, and the fixed ones. */
  private void addOldItems(WatchUpdate update, KeyTree next, Set<String> touched, int from) {
    Node items = table.tree().child(Keys.ITEMS_PREFIX);
    int inTree = items == null ? 0 : items.childCount();
    List<String> fixed = table.sortedFixedItems();
    List<String> names = new java.util.AbstractList<>() { // a view: no pass over every item in one slice
      @Override
      public String get(int i) {
        return i < inTree ? items.childAt(i).name() : fixed.get(i - inTree);
      }

      @Override
      public int size() {
        return inTree + fixed.size();
      }
    };
    addAll(touched, names, 0, () -> index(update, next, touched));
  }

  /** Adds {@code names} from {@code from} to {@code touched}, a slice per loop turn, then runs {@code then}. */
  private void addAll(Set<String> touched, List<String> names, int from, Runnable then) {
    if (stopped) {
      return;
    }
    long deadline = System.nanoTime() + SLICE_MILLIS * 1_000_000;
    int i = from;
    int end = Math.min(names.size(), from + SLICE_ITEMS);
    while (i < end && System.nanoTime() < deadline) {
      touched.add(names.get(i++));
    }
    if (i < names.size()) {
      int at = i;
      nextSlice(() -> addAll(touched, names, at, then));
      return;
    }
    nextSlice(then);
  }

  /** Starts indexing the items {@code update} touched, now that {@code next} is its whole tree. */
  private void index(WatchUpdate update, KeyTree next, Set<String> touched) {
    if (stopped) {
      return;
    }
    RoutingTable old = table;
    tree = next;
    Map<String, MemberInfo> members = directory.update(next) || old.revision() == 0 ? directory.members()
        : old.members();
    Set<String> metadataChanged = metadataChanged(old.members(), members);
    // Their items are published with the new metadata: added a slice at a time too.
    List<String> held;
    if (metadataChanged.size() == 1) {
      held = old.itemsOf(metadataChanged.iterator().next()); // a view, no copy
    } else {
      held = new ArrayList<>();
      metadataChanged.forEach(m -> held.addAll(old.itemsOf(m)));
    }
    addAll(touched, held, 0, () -> new Slices(old, next, members, touched.iterator(), metadataChanged).run());
  }

  /** Members whose metadata differs between two directories (appeared, changed or forgotten). */
  private static Set<String> metadataChanged(Map<String, MemberInfo> before, Map<String, MemberInfo> after) {
    if (before == after) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>();
    after.forEach((name, info) -> {
      MemberInfo was = before.get(name);
      if (was == null || !was.metadata().equals(info.metadata())) {
        out.add(name);
      }
    });
    before.keySet().stream().filter(n -> !after.containsKey(n)).forEach(out::add);
    return out;
  }

  /** One revision's work over its touched items, a slice per loop turn. */
  private final class Slices {
    private final RoutingTable old;
    private final KeyTree next;
    private final Map<String, MemberInfo> members;
    private final java.util.Iterator<String> touched;
    private final Set<String> metadataChanged;
    private final RouteIndex.Editor index;
    private final Node oldItems;
    private final Node newItems;
    private final List<String> changed = new ArrayList<>();

    Slices(RoutingTable old, KeyTree next, Map<String, MemberInfo> members, java.util.Iterator<String> touched,
        Set<String> metadataChanged) {
      this.old = old;
      this.next = next;
      this.members = members;
      this.touched = touched;
      this.metadataChanged = metadataChanged;
      this.index = old.index().edit();
      this.oldItems = old.tree().child(Keys.ITEMS_PREFIX);
      this.newItems = next.child(Keys.ITEMS_PREFIX);
    }

    void run() {
      if (stopped) {
        return;
      }
      long deadline = System.nanoTime() + SLICE_MILLIS * 1_000_000;
      int n = 0;
      ItemReplicas r = old.itemReplicas();
      while (touched.hasNext() && n++ < SLICE_ITEMS && System.nanoTime() < deadline) {
        String item = touched.next();
        Node was = oldItems == null ? null : oldItems.child(item);
        Node now = newItems == null ? null : newItems.child(item);
        Route before = was == null && !old.isFixed(item) ? null : Route.of(item, was);
        Route after = now == null && !old.isFixed(item) ? null : Route.of(item, now);
        index.remove(before, r.of(item, was)).add(after, r.of(item, now));
        if (!Objects.equals(before, after) || after != null && holdsChangedMember(after)) {
          changed.add(item);
        }
      }
      if (touched.hasNext()) {
        nextSlice(this::run);
        return;
      }
      RoutingTable t = old.next(next, members, index.done());
      nextSlice(() -> finish(t, changed));
    }

    private boolean holdsChangedMember(Route route) {
      if (metadataChanged.isEmpty()) {
        return false;
      }
      for (RouteEntry e : route.entries()) {
        if (metadataChanged.contains(e.member())) {
          return true;
        }
      }
      return false;
    }
  }

  /** Makes {@code t} the table, then publishes {@code changed} in slices, then applies the next update. */
  private void finish(RoutingTable t, List<String> changed) {
    table = t;
    publishFrom(t, changed, 0);
  }

  private void publishFrom(RoutingTable t, List<String> changed, int from) {
    if (stopped) {
      return;
    }
    long deadline = System.nanoTime() + SLICE_MILLIS * 1_000_000;
    int i = from;
    int end = Math.min(changed.size(), from + SLICE_ITEMS);
    while (i < end && System.nanoTime() < deadline) {
      publish(t.change(options.getName(), changed.get(i++)));
    }
    if (i < changed.size()) {
      int at = i;
      nextSlice(() -> publishFrom(t, changed, at));
      return;
    }
    publishedRevision = t.revision();
    firstApplied.tryComplete();
    waiters.reached(t.revision());
    nextSlice(this::applyNext);
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
