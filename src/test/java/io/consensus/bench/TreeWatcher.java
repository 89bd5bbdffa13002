package io.consensus.bench;

import io.consensus.allocation.AllocationIndex;
import io.consensus.route.Items;
import io.consensus.route.Route;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import io.consensus.watch.RetryWatcher;
import io.consensus.watch.RetryWatcherOptions;
import io.consensus.watch.WatchUpdate;
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
  volatile long revisionsChecked;
  volatile long masterlessRevisions;
  private final List<String> masterlessSamples = new ArrayList<>();
  private long lastMasterlessRevision = -1;

  private Set<String> failoverPending;
  private String failoverVictim;
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
      w.watcher = RetryWatcher.start(env.vertx, env.conn, RetryWatcherOptions.forPrefix(root + "/").withPrevKv(false),
          w::onUpdate);
      return w.watcher.firstSnapshot();
    });
    return w;
  }

  private void onUpdate(WatchUpdate u) {
    if (failoverVictim != null && victimGoneNanos < 0 && u instanceof WatchUpdate.Changes c
        && c.events().stream().anyMatch(e -> e.isRemove()
            && e.kv().key().equals(root + "/members/" + failoverVictim))) {
      victimGoneNanos = System.nanoTime(); // etcd revoked the victim's lease
    }
    tree = tree.apply(u);
    Node itemsNode = Items.itemsNode(tree);
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
    for (String item : touched) {
      Node n = itemsNode == null ? null : itemsNode.child(item);
      if (n == null) {
        continue; // item deleted (not done by the benchmarks)
      }
      Route r = Route.of(item, n);
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
          && !r.master().member().equals(failoverVictim)) {
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
    return env.call(() -> {
      Set<String> mine = new HashSet<>();
      Node itemsNode = Items.itemsNode(tree);
      if (itemsNode != null) {
        itemsNode.forEachChild(n -> {
          Route r = Route.of(n.name(), n);
          if (!r.isEmpty() && r.master().member().equals(victim)) {
            mine.add(n.name());
          }
        });
      }
      failoverVictim = victim;
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
