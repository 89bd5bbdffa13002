package io.consensus.internal.route;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.TreePatchException;
import io.consensus.tree.WatchUpdate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One watch update applied to a view's key tree a bounded step at a time, aside (the view keeps
 * its tree until the patched one is complete), collecting the items the update's events touch:
 * a change list is patched onto the current tree, a snapshot built from an empty one (a put
 * per key-value, converted as it is read), a progress notice only moves the revision. Shared by
 * the member's and the spectator's watch paths. Pure; one owner steps it.
 */
public final class TreePatch {
  private final WatchUpdate update;
  private final String itemsPrefix;
  private final Set<String> touched = new LinkedHashSet<>();
  private KeyTree tree;
  private int pos;
  private boolean done;

  /** The patch of {@code update} onto {@code current}, the view's tree before it. */
  public TreePatch(KeyTree current, WatchUpdate update) {
    this.update = update;
    this.itemsPrefix = current.rootKey() + "/" + Keys.ITEMS_PREFIX + "/";
    this.tree = update instanceof WatchUpdate.Snapshot ? KeyTree.empty(current.rootKey()) : current;
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
      for (; pos < end; pos++) {
        KeyEvent e = events.get(pos);
        tree = tree.patch(e);
        String item = itemOf(e.kv().key());
        if (item != null) {
          touched.add(item);
        }
      }
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
   * The items whose keys a change list touched, in the order first touched (empty for a snapshot
   * or a progress notice). Live: complete once the patch is.
   */
  public Set<String> touched() {
    return touched;
  }

  /** The item of {@code ROOT/items/<item>[/...]}, or null for any other key. */
  private String itemOf(String key) {
    if (!key.startsWith(itemsPrefix) || key.length() == itemsPrefix.length()) {
      return null;
    }
    int slash = key.indexOf('/', itemsPrefix.length());
    return key.substring(itemsPrefix.length(), slash < 0 ? key.length() : slash);
  }
}
