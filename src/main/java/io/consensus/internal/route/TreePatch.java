package io.consensus.internal.route;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.TouchedNodes;
import io.consensus.tree.TreePatchException;
import io.consensus.tree.WatchUpdate;
import java.util.List;

/**
 * One watch update applied to a view's key tree a bounded step at a time, aside (the view keeps
 * its tree until the patched one is complete), collecting the items the update's events touch:
 * a change list is patched onto the current tree, a snapshot built from an empty one (a put
 * per key-value, converted as it is read), a progress notice only moves the revision. Shared by
 * the member's and the spectator's watch paths. Pure; one owner steps it.
 *
 * <p>The patch's own descents record each touched item's node before and after the update
 * ({@link TouchedNodes}): the routing table and the index read them there instead of searching
 * the 100,000-child items node of both trees again per touched item.
 */
public final class TreePatch {
  private final WatchUpdate update;
  private final TouchedNodes touched;
  private KeyTree tree;
  private int pos;
  private boolean done;

  /** The patch of {@code update} onto {@code current}, the view's tree before it. */
  public TreePatch(KeyTree current, WatchUpdate update) {
    this.update = update;
    this.tree = update instanceof WatchUpdate.Snapshot ? KeyTree.empty(current.rootKey()) : current;
    this.touched = new TouchedNodes(tree, Keys.ITEMS_PREFIX);
  }

  /**
   * A snapshot whose pages were patched into {@code built} as they arrived (the snapshot itself
   * carries no key-values): complete at its first step.
   */
  public static TreePatch streamed(KeyTree built, WatchUpdate.Snapshot update) {
    TreePatch patch = new TreePatch(built, update);
    patch.tree = built;
    return patch;
  }

  /**
   * Patches up to {@code maxKeys} keys; true once the tree is complete (at the update's revision).
   *
   * @throws TreePatchException when an event does not fit the tree (the view must re-read)
   */
  public boolean step(int maxKeys) {
    if (done) {
      return true;
    }
    if (update instanceof WatchUpdate.Snapshot s) {
      List<io.consensus.tree.KeyValue> kvs = s.kvs();
      int end = Math.min(kvs.size(), pos + maxKeys);
      for (; pos < end; pos++) {
        tree = tree.patch(KeyEvent.put(kvs.get(pos)));
      }
      if (pos < kvs.size()) {
        return false;
      }
    } else if (update instanceof WatchUpdate.Changes c) {
      List<KeyEvent> events = c.events();
      int end = Math.min(events.size(), pos + maxKeys);
      // One descent for the step's events: their shared path is copied once.
      tree = tree.patchAll(events.subList(pos, end), touched);
      pos = end;
      if (pos < events.size()) {
        return false;
      }
    }
    tree = tree.atRevision(update.revision());
    done = true;
    return true;
  }

  /** Whether the update replaces the whole view (every item must be looked at, not only {@link #touched}). */
  public boolean isSnapshot() {
    return update instanceof WatchUpdate.Snapshot;
  }

  /** The update being applied. */
  public WatchUpdate update() {
    return update;
  }

  /** The patched tree; complete once {@link #step} said true. */
  public KeyTree tree() {
    return tree;
  }

  /**
   * The items whose keys a change list touched, in the order first touched, each with its node
   * before and after the update (empty for a snapshot or a progress notice). Live: complete once
   * the patch is. Names are the tree's own strings.
   */
  public TouchedNodes touched() {
    return touched;
  }
}
