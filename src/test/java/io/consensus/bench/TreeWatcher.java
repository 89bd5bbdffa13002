package io.consensus.bench;

import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.route.Items;
import io.consensus.route.Route;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import io.consensus.internal.watch.RetryWatcher;
import io.consensus.internal.watch.RetryWatcherOptions;
import io.consensus.tree.WatchUpdate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An independent observer of the keyspace (RetryWatcher + KeyTree + Items): checks every
 * revision for the smallest entry count of any item and for items without a master, and
 * times a failover. Runs on the harness context; fields read by the main thread are volatile.
 */
final class TreeWatcher implements AutoCloseable {
  private final BenchEnv env;
  private final String root;
  private KeyTree tree;
  private RetryWatcher watcher;

  volatile int minEntries = Integer.MAX_VALUE;
  // Movement, from etcd's own history (each revision against the one before).
  volatile long placements;
  volatile long releases;
  volatile long masterChanges;
  volatile long keyWrites;
  volatile long revisionsChecked;
  volatile long masterlessRevisions;
  private final List<String> masterlessSamples = new ArrayList<>();
  private long lastMasterlessRevision = -1;

  private Set<String> failoverPending;
  private Set<String> failoverVictims;
  private Set<String> victimsLeft;
  volatile long failoverDoneNanos = -1;
  volatile long failoverFirstNanos = -1;
  volatile long victimGoneNanos = -1;

  private TreeWatcher(BenchEnv env, String root) {
    this.env = env;
    this.root = root;
    this.tree = KeyTree.empty(root);
  }

  /** Starts watching {@code root} and waits for the first snapshot. */
  static TreeWatcher start(BenchEnv env, String root) {
    TreeWatcher w = new TreeWatcher(env, root);
    env.callAsync(() -> {
      w.watcher = RetryWatcher.start(env.vertx, env.conn,
          new RetryWatcherOptions().setPrefix(root + "/").setPrevKv(false), w::onUpdate);
      return w.watcher.firstSnapshot();
    });
    return w;
  }

  private void onUpdate(WatchUpdate u) {
    if (victimsLeft != null && victimGoneNanos < 0 && u instanceof WatchUpdate.Changes c) {
      c.events().forEach(e -> {
        if (e.isRemove() && e.kv().key().startsWith(root + "/members/")) {
          victimsLeft.remove(e.kv().key().substring((root + "/members/").length()));
        }
      });
      if (victimsLeft.isEmpty()) {
        victimGoneNanos = System.nanoTime(); // etcd revoked the victims' leases
      }
    }
    KeyTree before = tree;
    tree = tree.apply(u);
    Node itemsNode = Items.itemsNode(tree);
    Node oldItems = Items.itemsNode(before);
    Collection<String> touched;
    if (u instanceof WatchUpdate.Changes c) {
      touched = AllocationIndex.touchedItems(tree, c.events());
    } else if (u instanceof WatchUpdate.Snapshot) {
      touched = new ArrayList<>();
      if (itemsNode != null) {
        itemsNode.forEachChild(n -> touched.add(n.name()));
      }
    } else {
      return;
    }
    revisionsChecked++;
    if (u instanceof WatchUpdate.Changes c) {
      c.events().forEach(e -> {
        if (e.kv().key().startsWith(root + "/items/")) {
          keyWrites++;
        }
      });
    }
    for (String item : touched) {
      Node n = itemsNode == null ? null : itemsNode.child(item);
      if (n == null) {
        continue; // item deleted (not done by the benchmarks)
      }
      Route r = Route.of(item, n);
      if (u instanceof WatchUpdate.Changes) {
        count(Route.of(item, oldItems == null ? null : oldItems.child(item)), r);
      }
      if (r.size() < minEntries) {
        minEntries = r.size();
      }
      if (r.isEmpty() && lastMasterlessRevision != tree.revision()) {
        lastMasterlessRevision = tree.revision();
        masterlessRevisions++;
        if (masterlessSamples.size() < 5) {
          masterlessSamples.add(item + "@" + tree.revision());
        }
      }
      if (failoverPending != null && failoverPending.contains(item) && !r.isEmpty()
          && !failoverVictims.contains(r.master().member())) {
        failoverPending.remove(item);
        if (failoverFirstNanos < 0) {
          failoverFirstNanos = System.nanoTime();
        }
        if (failoverPending.isEmpty()) {
          failoverDoneNanos = System.nanoTime();
        }
      }
    }
  }

  /**
   * A placement is an (item, member) pair going from no entry to an entry, a release the
   * reverse; a mastership change is an item whose first entry changes member.
   */
  private void count(Route before, Route after) {
    Set<String> was = new HashSet<>();
    before.entries().forEach(e -> was.add(e.member()));
    Set<String> is = new HashSet<>();
    after.entries().forEach(e -> is.add(e.member()));
    for (String m : is) {
      if (!was.contains(m)) {
        placements++;
      }
    }
    for (String m : was) {
      if (!is.contains(m)) {
        releases++;
      }
    }
    if (!before.isEmpty() && !after.isEmpty() && !before.master().member().equals(after.master().member())) {
      masterChanges++;
    }
  }

  /** Movement counters so far, read on the harness context. */
  Movement movement() {
    return env.call(() -> new Movement(placements, releases, masterChanges, keyWrites));
  }

  /** PlacementConstraints, releases, mastership changes and item key writes seen so far. */
  record Movement(long placements, long releases, long masterChanges, long keyWrites) {
    Movement minus(Movement o) {
      return new Movement(placements - o.placements, releases - o.releases, masterChanges - o.masterChanges,
          keyWrites - o.keyWrites);
    }
  }

  /** Resets the safety counters (call once the fleet is at its fixpoint). */
  void arm() {
    env.call(() -> {
      minEntries = Integer.MAX_VALUE;
      masterlessRevisions = 0;
      masterlessSamples.clear();
      revisionsChecked = 0;
      return null;
    });
  }

  List<String> masterlessSamples() {
    return env.call(() -> List.copyOf(masterlessSamples));
  }

  /** Items whose master is {@code victim} in this view; starts timing their failover. */
  int expectFailover(String victim) {
    return expectFailover(Set.of(victim));
  }

  /** Items whose master is one of {@code victims} in this view; starts timing their failover. */
  int expectFailover(Set<String> victims) {
    return env.call(() -> {
      Set<String> mine = new HashSet<>();
      Node itemsNode = Items.itemsNode(tree);
      if (itemsNode != null) {
        itemsNode.forEachChild(n -> {
          Route r = Route.of(n.name(), n);
          if (!r.isEmpty() && victims.contains(r.master().member())) {
            mine.add(n.name());
          }
        });
      }
      failoverVictims = Set.copyOf(victims);
      victimsLeft = new HashSet<>(victims);
      failoverPending = mine;
      failoverDoneNanos = mine.isEmpty() ? System.nanoTime() : -1;
      failoverFirstNanos = failoverDoneNanos;
      return mine.size();
    });
  }

  /** Waits until this watcher has seen revision {@code rev}. */
  void catchUp(long rev) {
    env.callAsync(() -> watcher.awaitRevision(rev));
  }

  @Override
  public void close() {
    if (watcher != null) {
      env.callAsync(() -> watcher.close());
    }
  }
}
