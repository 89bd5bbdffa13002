package io.consensus.chaos;

import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.route.Items;
import io.consensus.internal.route.Keys;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.testing.ContextCalls;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.TouchedNodes;
import io.consensus.tree.KeyValue;
import io.consensus.tree.Node;
import io.consensus.tree.WatchUpdate;
import io.consensus.internal.watch.RetryWatcher;
import io.consensus.internal.watch.RetryWatcherOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The independent observer: rebuilds the keyspace under the root at every revision from its
 * own watch (straight to etcd, not through the members' proxies) and checks, revision by
 * revision, the properties that etcd alone shows:
 * <ul>
 *   <li>the fencing token (the master's create revision) of an item never goes down while
 *       the item exists;</li>
 *   <li>outside fault windows, an item that reached R+1 entries never has fewer than R and is
 *       never masterless (graceful leaves, joins, item changes, compaction, junk);</li>
 *   <li>a removed item gets no entry again;</li>
 * </ul>
 * and tells the driver when every managed item is fully staffed (R+1 entries, each of a
 * member whose key is present) to time recoveries. Runs on its own Vert.x context; the
 * driver's thread calls in through {@link #call}.
 */
final class ChaosWatcher implements AutoCloseable {
  private final Vertx vertx;
  private final Context ctx;
  private final EtcdConnection conn;
  private final String root;
  private final int replicas;
  private final ChaosReport report;
  private RetryWatcher watcher;
  private KeyTree tree;

  private final Set<String> managed = new HashSet<>();
  private final Map<String, Long> removedAt = new HashMap<>();
  private final Set<String> established = new HashSet<>();
  private final Map<String, Long> lastToken = new HashMap<>();
  private int disturbed;
  private final Set<String> unstaffed = new HashSet<>();
  private Node lastMembers;
  private Set<String> present;
  // Failover timing (see expectFailover).
  private String failoverVictim;
  private Set<String> failoverPending;
  volatile long victimGoneNanos = -1;
  volatile long failoverDoneNanos = -1;
  private volatile boolean staffed;
  private volatile long staffedSinceNanos = System.nanoTime();
  private volatile long revision;
  private long revisionsSeen;
  private final MovementTally movement = new MovementTally();

  ChaosWatcher(Vertx vertx, List<String> endpoints, String root, int replicas, ChaosReport report) {
    this(vertx, root, replicas, report, endpoints);
  }

  /**
   * A watcher without etcd, for tests and {@code WatcherCost}: the caller feeds updates through
   * {@link #accept} (on any one thread) and checks are the same as the watched one's.
   */
  static ChaosWatcher offline(Vertx vertx, String root, int replicas, ChaosReport report, Collection<String> items) {
    ChaosWatcher w = new ChaosWatcher(vertx, root, replicas, report, null);
    w.call(() -> w.managed.addAll(items));
    return w;
  }

  /** {@code endpoints}: etcd to watch, or null for an offline watcher. */
  private ChaosWatcher(Vertx vertx, String root, int replicas, ChaosReport report, List<String> endpoints) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.root = root;
    this.replicas = replicas;
    this.report = report;
    this.tree = KeyTree.empty(root);
    this.conn = endpoints == null ? null : call(() -> new EtcdConnection(vertx, endpoints, Duration.ofSeconds(5)));
  }

  /** Applies one update on this watcher's context, as its watch would. */
  void accept(WatchUpdate u) {
    call(() -> {
      onUpdate(u);
      return null;
    });
  }

  void start(Collection<String> items) {
    callAsync(() -> {
      managed.addAll(items);
      watcher = RetryWatcher.start(vertx, conn, new RetryWatcherOptions().setPrefix(root + "/").setPrevKv(false),
          this::onUpdate);
      return watcher.firstSnapshot();
    });
  }

  EtcdConnection connection() {
    return conn;
  }

  // ---------------------------------------------------------------- driver side

  void addManaged(String item) {
    call(() -> {
      managed.add(item);
      removedAt.remove(item);
      unstaffed.add(item);
      staffed = false;
      return null;
    });
  }

  /** Starts timing the failover of the items {@code victim} masters now; returns how many. */
  int expectFailover(String victim) {
    return call(() -> {
      Set<String> mine = new HashSet<>();
      Node items = Items.itemsNode(tree);
      for (String item : managed) {
        Node n = items == null ? null : items.child(item);
        if (n != null) {
          Route r = Route.of(item, n);
          if (!r.isEmpty() && r.master().member().equals(victim)) {
            mine.add(item);
          }
        }
      }
      failoverVictim = victim;
      failoverPending = mine;
      victimGoneNanos = -1;
      failoverDoneNanos = -1;
      return mine.size();
    });
  }

  /** The members of {@code item}'s route as this watcher sees it now. */
  List<String> holders(String item) {
    return call(() -> {
      Node items = Items.itemsNode(tree);
      Node n = items == null ? null : items.child(item);
      return n == null ? List.<String>of() : Route.of(item, n).entries().stream().map(RouteEntry::member).toList();
    });
  }

  /** The item was removed at {@code rev}: no entry may be created for it afterwards. */
  void removed(String item, long rev) {
    call(() -> {
      managed.remove(item);
      unstaffed.remove(item);
      removedAt.put(item, rev);
      established.remove(item);
      return null;
    });
  }

  /** A non-graceful fault starts: the graceful checks pause until {@link #settle()}. */
  void disturb() {
    call(() -> ++disturbed);
  }

  void settle() {
    call(() -> disturbed = Math.max(0, disturbed - 1));
  }

  boolean staffed() {
    return staffed;
  }

  /** When the fleet last became fully staffed (System.nanoTime), valid while {@link #staffed()}. */
  long staffedSinceNanos() {
    return staffedSinceNanos;
  }

  long revision() {
    return revision;
  }

  long revisionsSeen() {
    return call(() -> revisionsSeen);
  }

  /** Waits until the watcher has seen {@code rev}. */
  void catchUp(long rev) {
    callAsync(() -> watcher.awaitRevision(rev));
  }

  /** The lease of {@code member}'s key now, 0 when absent. */
  long memberLease(String member) {
    return call(() -> {
      Node n = tree.child("members", member);
      return n == null || !n.hasValue() ? 0L : n.lease();
    });
  }

  /** Keys under the root on {@code lease}. */
  List<String> keysOnLease(long lease) {
    return call(() -> {
      List<String> out = new ArrayList<>();
      for (KeyValue kv : tree.terminals()) {
        if (kv.lease() == lease) {
          out.add(kv.key());
        }
      }
      return out;
    });
  }

  /** How many managed items are not fully staffed now. */
  int unstaffedCount() {
    return call(unstaffed::size);
  }

  /** Per member present or not: {masters, entries} over the managed items, in member order. */
  Map<String, int[]> holdings() {
    return call(() -> {
      Map<String, int[]> out = new java.util.TreeMap<>();
      Node items = Items.itemsNode(tree);
      for (String item : managed) {
        Node n = items == null ? null : items.child(item);
        if (n == null) {
          continue;
        }
        List<RouteEntry> entries = Route.of(item, n).entries();
        for (int i = 0; i < entries.size(); i++) {
          int[] h = out.computeIfAbsent(entries.get(i).member(), m -> new int[2]);
          h[0] += i == 0 ? 1 : 0;
          h[1]++;
        }
      }
      return out;
    });
  }

  /** Movement counted from etcd's history since this watcher's first snapshot. */
  MovementTally.Counts movement() {
    return call(movement::snapshot);
  }

  /** Starts or stops journaling every movement (see {@link MovementTally#journal}). */
  void journalMovement(boolean on) {
    call(() -> {
      movement.journal(on);
      return null;
    });
  }

  /** The movement journal since the last call. */
  List<String> drainMovementJournal() {
    return call(movement::drainJournal);
  }

  /** Managed items not fully staffed now, for reports. */
  List<String> understaffed() {
    return call(() -> {
      List<String> out = new ArrayList<>();
      Set<String> present = presentMembers();
      Node items = Items.itemsNode(tree);
      for (String item : managed) {
        if (!isStaffed(items, item, present)) {
          Node n = items == null ? null : items.child(item);
          out.add(n == null ? item + "=absent" : Route.of(item, n).toString());
        }
      }
      return out;
    });
  }

  // ---------------------------------------------------------------- checks (on the context)

  void onUpdate(WatchUpdate u) {
    // Failover times are when etcd's revision reached this watcher, not when its checks of a
    // 75,000-event revision (seconds, in this one handler) were done.
    long arrived = System.nanoTime();
    WatchUpdate.Changes changes = u instanceof WatchUpdate.Changes c ? c : null;
    Collection<String> touched;
    TouchedNodes nodes = null;
    Node items;
    if (changes != null) {
      // One descent for the revision, as a member patches it (a third of this JVM's CPU went
      // to patching event by event): the patch itself tells each touched item's node before
      // and after, without a second pass or search.
      nodes = new TouchedNodes(tree, Keys.ITEMS_PREFIX);
      KeyTree t = tree.patchAll(changes.events(), nodes);
      int itemWrites = 0;
      for (KeyEvent e : changes.events()) {
        if (AllocationIndex.itemOf(t, e.kv().key()) != null) {
          itemWrites++;
        }
      }
      tree = t.atRevision(changes.revision());
      movement.keyWrites(itemWrites);
      touched = nodes.names();
      items = null;
    } else if (u instanceof WatchUpdate.Snapshot) {
      tree = tree.apply(u);
      items = Items.itemsNode(tree);
      touched = new LinkedHashSet<>(managed);
      if (items != null) {
        items.forEachChild(n -> touched.add(n.name()));
      }
    } else {
      tree = tree.apply(u);
      revision = tree.revision();
      return;
    }
    revision = tree.revision();
    revisionsSeen++;
    Node membersNode = tree.child("members");
    boolean recount = membersNode != lastMembers || u instanceof WatchUpdate.Snapshot;
    // The members node is immutable: the same node, the same present set.
    if (recount || present == null) {
      present = presentMembers();
    }
    // One pass, one descent into the old and the new items node and one route per touched item:
    // this watcher shares the members' two cores, and its CPU is not the library's.
    for (String item : touched) {
      Node n;
      Node was = null;
      if (nodes != null) {
        TouchedNodes.Change ch = nodes.change(item);
        n = ch.after();
        was = ch.before();
      } else {
        n = items.child(item);
      }
      Route r = n == null ? null : Route.of(item, n);
      if (changes != null) {
        if (was != null || n != null) {
          movement.count(revision, Route.of(item, was), r != null ? r : Route.of(item, null));
        }
      }
      if (!recount && managed.contains(item)) {
        if (isStaffed(r, present)) {
          unstaffed.remove(item);
        } else {
          unstaffed.add(item);
        }
      }
      if (failoverVictim != null && r != null && failoverPending.contains(item)
          && !r.isEmpty() && !r.master().member().equals(failoverVictim)) {
        failoverPending.remove(item);
      }
      if (r == null) {
        established.remove(item);
        lastToken.remove(item);
        continue;
      }
      check(item, r);
    }
    if (recount) {
      lastMembers = membersNode;
      items = Items.itemsNode(tree);
      unstaffed.clear();
      for (String item : managed) {
        if (!isStaffed(items, item, present)) {
          unstaffed.add(item);
        }
      }
    }
    if (failoverVictim != null) {
      if (victimGoneNanos < 0 && !present.contains(failoverVictim)) {
        victimGoneNanos = arrived;
      }
      if (failoverPending.isEmpty() && failoverDoneNanos < 0) {
        failoverDoneNanos = arrived;
      }
    }
    boolean now = unstaffed.isEmpty();
    if (now && !staffed) {
      staffedSinceNanos = arrived;
    }
    staffed = now;
  }

  /** The safety checks of one item's route at this revision (resurrection, fencing token, graceful R). */
  private void check(String item, Route r) {
    Long gone = removedAt.get(item);
    if (gone != null) {
      for (RouteEntry e : r.entries()) {
        if (e.createRevision() > gone) {
          report.violation("removed item resurrected", "revision " + revision + ": " + root + "/items/" + item + "/"
              + e.member() + " created at " + e.createRevision() + " after removal at " + gone);
        }
      }
    }
    if (!r.isEmpty()) {
      long token = r.master().createRevision();
      Long prev = lastToken.put(item, token);
      if (prev != null && token < prev) {
        report.violation("fencing token went down", "revision " + revision + ": item " + item + " master "
            + r.master().member() + " token " + token + " after " + prev);
      }
    }
    if (managed.contains(item)) {
      if (r.size() >= replicas + 1) {
        established.add(item);
      } else if (established.contains(item) && disturbed == 0 && (r.size() < replicas || r.isEmpty())) {
        report.violation(r.isEmpty() ? "graceful: masterless" : "graceful: below R entries",
            "revision " + revision + ": " + root + "/items/" + item + " route " + r);
      }
    }
  }

  private Set<String> presentMembers() {
    Set<String> present = new HashSet<>();
    Node members = tree.child("members");
    if (members != null) {
      members.forEachChild(m -> {
        if (m.hasValue() && m.lease() != 0) {
          present.add(m.name());
        }
      });
    }
    return present;
  }

  private boolean allStaffed(Node items) {
    Set<String> present = presentMembers();
    for (String item : managed) {
      if (!isStaffed(items, item, present)) {
        return false;
      }
    }
    return true;
  }

  private boolean isStaffed(Node items, String item, Set<String> present) {
    Node n = items == null ? null : items.child(item);
    return isStaffed(n == null ? null : Route.of(item, n), present);
  }

  /** Whether {@code r} (null: the item has no node) holds R+1 entries, each of a present member. */
  private boolean isStaffed(Route r, Set<String> present) {
    if (r == null || r.size() < replicas + 1) {
      return false;
    }
    for (int i = 0; i <= replicas; i++) {
      if (!present.contains(r.memberAt(i))) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- plumbing

  <T> T call(Supplier<T> fn) {
    return ContextCalls.call(ctx, fn, Duration.ofSeconds(60));
  }

  <T> T callAsync(Supplier<Future<T>> fn) {
    return ContextCalls.callAsync(ctx, fn, Duration.ofSeconds(60));
  }

  @Override
  public void close() {
    if (watcher != null) {
      callAsync(() -> watcher.close());
    }
    if (conn != null) {
      callAsync(conn::close);
    }
  }
}
