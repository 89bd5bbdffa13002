package io.consensus.tree;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The children of one node (e.g. the items under {@code ROOT/items}) that a run of patches
 * touched, each with its node before the first patch and after the last, as the patches' own
 * descents found them ({@link KeyTree#patch(KeyEvent, TouchedNodes)}, {@link KeyTree#patchAll}):
 * a follower that derives state per child (an item's route) reads both versions here instead of
 * searching the two trees for it again, a descent of a wide node (100,000 items) each.
 *
 * <p>Filled by one owner while it patches, from the tree it was made for onwards; read once the
 * patches are done. The nodes themselves are immutable: a patch of another child copies the path
 * cells above it, never a sibling's node, so a node recorded here stays the one in the tree.
 */
public final class TouchedNodes {
  private final String[] path;
  private final Node fromRoot;
  private Node lastRoot;
  private final Map<String, Change> changes = new LinkedHashMap<>();
  private final Set<String> names = Collections.unmodifiableSet(changes.keySet());

  /**
   * One touched child: its node in the tree the patches started from and in the tree after the
   * last one ({@code null} where it was absent or is gone).
   */
  public record Change(Node before, Node after) {
  }

  /**
   * Collects the touched children of the node at {@code path} below the root, for patches applied
   * to {@code from} and then to each patch's result in turn.
   */
  public TouchedNodes(KeyTree from, String... path) {
    this.fromRoot = from.root();
    this.lastRoot = fromRoot;
    this.path = path.clone();
  }

  /** The path below the root of the node whose children are collected. */
  public List<String> path() {
    return List.of(path);
  }

  /** The touched children's names, in the order first touched: a live, unmodifiable view. */
  public Set<String> names() {
    return names;
  }

  /** The change of the child {@code name}, or {@code null} when no patch touched it. */
  public Change change(String name) {
    return changes.get(name);
  }

  /** Whether these are the changes from {@code from} (the tree this collector was made for). */
  public boolean startsAt(KeyTree from) {
    return from.root() == fromRoot;
  }

  /** Whether these are the changes up to {@code to}: its root is the last patch's result. */
  public boolean endsAt(KeyTree to) {
    return to.root() == lastRoot;
  }

  /** Throws unless {@code root} is where the last patch left off (the patches must chain). */
  void expect(Node root) {
    if (root != lastRoot) {
      throw new IllegalArgumentException("a patch not applied to the tree the last one made");
    }
  }

  /** The patch made the tree of {@code root}. */
  void patched(Node root) {
    lastRoot = root;
  }

  /** The depth of the watched children: their names are segment {@code depth()} of a key. */
  int depth() {
    return path.length;
  }

  /** Segment {@code i} of the path of the node whose children are collected. */
  String pathAt(int i) {
    return path[i];
  }

  /** Whether the key of {@code segs} runs through a watched child. */
  boolean covers(String[] segs) {
    if (segs.length <= path.length) {
      return false;
    }
    for (int i = 0; i < path.length; i++) {
      if (!path[i].equals(segs[i])) {
        return false;
      }
    }
    return !segs[path.length].isEmpty();
  }

  /**
   * One patch's descent passed the child {@code name} (a segment of the event's key): it was
   * {@code before} and is now {@code after}. Keyed by the node's own name where there is a node,
   * so that later lookups by that name compare the same string instance.
   */
  void touched(String name, Node before, Node after) {
    Change c = changes.get(name);
    if (c == null) {
      Node named = before != null ? before : after;
      changes.put(named != null ? named.name() : name, new Change(before, after));
    } else if (c.after != after) {
      changes.put(name, new Change(c.before, after));
    }
  }

  @Override
  public String toString() {
    return "TouchedNodes{" + String.join("/", path) + ": " + changes.keySet() + "}";
  }
}
