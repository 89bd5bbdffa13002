package io.consensus.tree;

import java.util.Arrays;
import java.util.List;

/**
 * A run of watch events applied to a tree in one descent ({@link KeyTree#patchAll}): the events
 * sorted by path, each level's touched children updated in one pass of its child set
 * ({@link Children#updateAll}). The result is the tree that patching the events one by one
 * makes; what it saves is the path above the changed nodes, copied once per run instead of once
 * per event (a revision's 64 entries under 10,000 items share the top third of their paths; a
 * dead member's 75,000 deletions among 100,000 items, most of them).
 *
 * <p>Events on the same key keep their order; events on different keys commute (a node left
 * without value or children is dropped once its events are all applied, as one by one).
 */
final class BatchPatch {
  /** One event with its path segments and its place in the run (ties on a key keep it). */
  private record Ev(String[] segs, KeyEvent event, int order) {
  }

  private final Ev[] evs;
  private final TouchedNodes seen;

  private BatchPatch(Ev[] evs, TouchedNodes seen) {
    this.evs = evs;
    this.seen = seen;
  }

  /**
   * The new root after {@code events} (segments from {@code tree}); {@code touched}, when not
   * null, told each watched child once, as it was before the run and is after it.
   */
  static Node apply(KeyTree tree, List<KeyEvent> events, TouchedNodes touched) {
    Ev[] evs = new Ev[events.size()];
    for (int i = 0; i < evs.length; i++) {
      KeyEvent e = events.get(i);
      evs[i] = new Ev(tree.segments(e.kv().key()), e, i);
    }
    Arrays.sort(evs, BatchPatch::compare);
    Node root = new BatchPatch(evs, touched).children(tree.root(), 0, evs.length, 0, touched != null);
    return root != null ? root : Node.directory("", false);
  }

  /** By path, segment by segment (a path before the paths beneath it), then by order in the run. */
  private static int compare(Ev a, Ev b) {
    int n = Math.min(a.segs.length, b.segs.length);
    for (int i = 0; i < n; i++) {
      int c = a.segs[i].compareTo(b.segs[i]);
      if (c != 0) {
        return c;
      }
    }
    int c = Integer.compare(a.segs.length, b.segs.length);
    return c != 0 ? c : Integer.compare(a.order, b.order);
  }

  /**
   * {@code parent} after the events {@code evs[from..to)}, all of whose keys run below it (their
   * segments before {@code depth} are its path): null when it is left without value or children.
   * {@code watched}: the parent lies on the touched collector's path.
   */
  private Node children(Node parent, int from, int to, int depth, boolean watched) {
    Object set = parent.childSet();
    boolean share = KeyTree.sharesNames(set);
    // The groups of events by the child they run through, in name order.
    int groups = 0;
    String[] names = new String[to - from];
    int[] starts = new int[to - from + 1];
    for (int i = from; i < to; i++) {
      String name = evs[i].segs[depth];
      if (groups == 0 || !names[groups - 1].equals(name)) {
        names[groups] = name;
        starts[groups++] = i;
      }
    }
    starts[groups] = to;
    boolean collect = watched && depth == seen.depth();
    Node[][] changes = collect ? new Node[groups][] : null;
    Object newSet = Children.updateAll(set, names, groups, (g, existing) -> {
      String name = names[g];
      boolean below = watched && depth < seen.depth() && seen.pathAt(depth).equals(name);
      Node now = child(existing, name, share, starts[g], starts[g + 1], depth, below);
      if (collect) {
        changes[g] = new Node[] {existing, now};
      }
      return now;
    });
    if (collect) {
      tell(names, starts, groups, changes, share);
    }
    if (newSet == null && !parent.hasValue()) {
      return null; // as one by one: a directory emptied (or made and emptied by the run) goes
    }
    return newSet == set ? parent : parent.withChildren(newSet);
  }

  /**
   * Tells the collector the watched children the run passed, in the order the run first passed
   * them (as one by one).
   */
  private void tell(String[] names, int[] starts, int groups, Node[][] changes, boolean share) {
    Integer[] byFirst = new Integer[groups];
    int[] first = new int[groups];
    for (int g = 0; g < groups; g++) {
      byFirst[g] = g;
      first[g] = Integer.MAX_VALUE;
      for (int i = starts[g]; i < starts[g + 1]; i++) {
        first[g] = Math.min(first[g], evs[i].order);
      }
    }
    Arrays.sort(byFirst, (a, b) -> Integer.compare(first[a], first[b]));
    for (int g : byFirst) {
      if (!names[g].isEmpty()) {
        Node before = changes[g][0];
        Node after = changes[g][1];
        // Made and dropped within the run: keyed by the name a node made here would carry.
        String name = before == null && after == null && share ? Interner.share(names[g]) : names[g];
        seen.touched(name, before, after);
      }
    }
  }

  /** The child {@code name} (now {@code existing}) after its events {@code evs[from..to)}. */
  private Node child(Node existing, String name, boolean share, int from, int to, int depth, boolean watched) {
    Node node = existing;
    int i = from;
    // Its own key's events first (the sort puts a path before the paths beneath it), in order.
    for (; i < to && evs[i].segs.length == depth + 1; i++) {
      KeyEvent e = evs[i].event;
      node = e.isUpsert() ? KeyTree.afterPut(node, name, share, e.kv()) : KeyTree.afterDelete(node, e.kv().key());
    }
    if (i == to) {
      return node;
    }
    Node dir = node != null ? node : Node.directory(name, share);
    return children(dir, i, to, depth + 1, watched);
  }
}
