package io.consensus.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The children of a {@link Node}, keyed by {@link Node#name()}, persistent (immutable,
 * structurally shared). A set is {@code null} (empty), a small sorted {@code Node[]}, or a
 * persistent AVL tree of {@code Children} cells; all operations are static and take either.
 *
 * <p>Why an AVL tree: an items level with 100,000 children would copy a whole array on every
 * watch event. Here an insert, replace or remove copies only the O(log n) path to the changed
 * child, so a watch event costs work proportional to the keys it touches. Why small arrays:
 * most sets are an item's handful of entries, and a cell per entry (1M items x 3 entries) cost
 * 128 MB where one short array per item costs a quarter of it; copying a few references per
 * change is as cheap as copying a path of cells.
 */
final class Children {
  // Sets up to this size are arrays; a set that grows past it becomes a tree, and a tree that
  // shrinks to SHRINK becomes an array again (apart, so that one key in and out does not flip it).
  static final int SMALL = 8;
  static final int SHRINK = 4;

  final Node node;
  // node.name(), one load nearer: a descent compares a name at every level (cache misses at 100,000 items).
  final String name;
  final Children left;
  final Children right;
  final int height;
  final int size;
  // node.createRevision(), kept so that copying a path of cells re-reads no unchanged node (for
  // an item, a walk over its entries: cache misses at every level of every patch).
  final long nodeCreate;
  // Smallest create revision of the nodes in this cell's subtree (Node#createRevision): kept
  // here so that a directory node answers its own in O(1) without a cache field in every node.
  final long minCreate;

  private Children(Node node, Children left, Children right) {
    this(node, node.createRevision(), left, right);
  }

  private Children(Node node, long nodeCreate, Children left, Children right) {
    this.node = node;
    this.name = node.name();
    this.left = left;
    this.right = right;
    this.height = Math.max(height(left), height(right)) + 1;
    this.size = size(left) + size(right) + 1;
    this.nodeCreate = nodeCreate;
    this.minCreate = Math.min(Math.min(min(left), min(right)), nodeCreate);
  }

  /** A copy of {@code c}'s cell (same node) over other subtrees. */
  private static Children with(Children c, Children left, Children right) {
    return new Children(c.node, c.nodeCreate, left, right);
  }

  private static long min(Children c) {
    return c == null ? Long.MAX_VALUE : c.minCreate;
  }

  private static int height(Children c) {
    return c == null ? 0 : c.height;
  }

  private static int size(Children c) {
    return c == null ? 0 : c.size;
  }

  /** The number of nodes in {@code set}. */
  static int size(Object set) {
    if (set == null) {
      return 0;
    }
    return set instanceof Node[] a ? a.length : ((Children) set).size;
  }

  /** The smallest create revision of the nodes in {@code set}, {@code Long.MAX_VALUE} when empty. */
  static long minCreateRevision(Object set) {
    if (set instanceof Node[] a) {
      long m = Long.MAX_VALUE;
      for (Node n : a) {
        m = Math.min(m, n.createRevision());
      }
      return m;
    }
    return min((Children) set);
  }

  static Node get(Object set, String name) {
    if (set instanceof Node[] a) {
      int i = search(a, name);
      return i >= 0 ? a[i] : null;
    }
    Children c = (Children) set;
    while (c != null) {
      int cmp = name.compareTo(c.name);
      if (cmp == 0) {
        return c.node;
      }
      c = cmp < 0 ? c.left : c.right;
    }
    return null;
  }

  /**
   * Position of {@code name} in sort order if present, else {@code -(insertion point) - 1},
   * as {@link java.util.Arrays#binarySearch(Object[], Object)} does.
   */
  static int indexOf(Object set, String name) {
    if (set instanceof Node[] a) {
      return search(a, name);
    }
    Children c = (Children) set;
    int base = 0;
    while (c != null) {
      int cmp = name.compareTo(c.name);
      if (cmp == 0) {
        return base + size(c.left);
      }
      if (cmp < 0) {
        c = c.left;
      } else {
        base += size(c.left) + 1;
        c = c.right;
      }
    }
    return -base - 1;
  }

  private static int search(Node[] a, String name) {
    int lo = 0;
    int hi = a.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int cmp = a[mid].name().compareTo(name);
      if (cmp < 0) {
        lo = mid + 1;
      } else if (cmp > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** The child at position {@code index} in sort order. */
  static Node at(Object set, int index) {
    if (set instanceof Node[] a) {
      return a[index];
    }
    Children c = (Children) set;
    while (c != null) {
      int ls = size(c.left);
      if (index < ls) {
        c = c.left;
      } else if (index == ls) {
        return c.node;
      } else {
        index -= ls + 1;
        c = c.right;
      }
    }
    throw new IndexOutOfBoundsException(index);
  }

  /**
   * Replaces the child named {@code name} by {@code fn}'s result ({@code fn} gets the child, null
   * when absent, and returns a node of that name, or null to remove it), finding it and copying
   * its path in one descent instead of a lookup followed by an insert or a removal. Returns
   * {@code set} itself when nothing changed, null when left empty.
   */
  static Object update(Object set, String name, UnaryOperator<Node> fn) {
    if (set == null) {
      Node n = fn.apply(null);
      return n == null ? null : new Node[] {n};
    }
    if (set instanceof Node[] a) {
      int i = search(a, name);
      if (i >= 0) {
        Node n = fn.apply(a[i]);
        if (n == null) {
          return without(a, i);
        }
        Node[] out = a.clone();
        out[i] = n;
        return out;
      }
      Node n = fn.apply(null);
      if (n == null) {
        return set;
      }
      int at = -i - 1;
      Node[] out = new Node[a.length + 1];
      System.arraycopy(a, 0, out, 0, at);
      out[at] = n;
      System.arraycopy(a, at, out, at + 1, a.length - at);
      return out.length > SMALL ? fromSorted(out, 0, out.length) : out;
    }
    Children c = (Children) set;
    Children out = update(c, name, fn);
    return out != c ? shrunk(out) : c;
  }

  private static Children update(Children c, String name, UnaryOperator<Node> fn) {
    if (c == null) {
      Node n = fn.apply(null);
      return n == null ? null : new Children(n, null, null);
    }
    int cmp = name.compareTo(c.name);
    if (cmp < 0) {
      Children l = update(c.left, name, fn);
      return l == c.left ? c : balance(c, l, c.right);
    }
    if (cmp > 0) {
      Children r = update(c.right, name, fn);
      return r == c.right ? c : balance(c, c.left, r);
    }
    Node n = fn.apply(c.node);
    return n != null ? new Children(n, c.left, c.right) : unlink(c);
  }

  /** What {@link #updateAll} asks for the {@code i}-th name: its new node, given the child now (null when absent). */
  interface Each {
    Node apply(int i, Node existing);
  }

  /**
   * As {@link #update} for each of {@code names[0..count)} (sorted, distinct; {@code fn} is
   * called once per name, in that order), in one pass over a tree set: the cells above several
   * replaced children are copied once, not once per child. Children that appear or vanish (an
   * item created or deleted, rare beside entries changing under existing items) are then
   * inserted or removed one by one, as {@link #update} would.
   */
  static Object updateAll(Object set, String[] names, int count, Each fn) {
    if (!(set instanceof Children c)) {
      Object out = set;
      for (int i = 0; i < count; i++) {
        int at = i;
        out = update(out, names[i], existing -> fn.apply(at, existing));
      }
      return out;
    }
    List<Node> inserted = new ArrayList<>(0);
    List<String> removed = new ArrayList<>(0);
    Object out = replaceAll(c, names, 0, count, fn, inserted, removed);
    for (String name : removed) {
      out = update(out, name, existing -> null);
    }
    for (Node n : inserted) {
      out = update(out, n.name(), existing -> n);
    }
    return out;
  }

  /**
   * {@code c} with the children named {@code names[lo..hi)} replaced by {@code fn}'s results,
   * its shape unchanged (so no rotation): a child {@code fn} removes, or a name {@code fn} creates,
   * is left to the caller in {@code removed} / {@code inserted}.
   */
  private static Children replaceAll(Children c, String[] names, int lo, int hi, Each fn, List<Node> inserted,
      List<String> removed) {
    if (lo >= hi) {
      return c;
    }
    if (c == null) {
      for (int i = lo; i < hi; i++) {
        Node n = fn.apply(i, null);
        if (n != null) {
          inserted.add(n);
        }
      }
      return null;
    }
    int k = Arrays.binarySearch(names, lo, hi, c.name);
    int leftEnd = k >= 0 ? k : -k - 1;
    Children l = replaceAll(c.left, names, lo, leftEnd, fn, inserted, removed);
    Node node = c.node;
    if (k >= 0) {
      Node n = fn.apply(k, node);
      if (n == null) {
        removed.add(c.name);
      } else {
        node = n;
      }
    }
    Children r = replaceAll(c.right, names, k >= 0 ? k + 1 : leftEnd, hi, fn, inserted, removed);
    if (node == c.node) {
      return l == c.left && r == c.right ? c : with(c, l, r);
    }
    return new Children(node, l, r);
  }

  /** {@code a} without its element {@code i}; null when that was the only one. */
  private static Node[] without(Node[] a, int i) {
    if (a.length == 1) {
      return null;
    }
    Node[] out = new Node[a.length - 1];
    System.arraycopy(a, 0, out, 0, i);
    System.arraycopy(a, i + 1, out, i, a.length - i - 1);
    return out;
  }

  /** A tree that shrank to {@link #SHRINK} becomes an array again. */
  private static Object shrunk(Children c) {
    return c != null && c.size <= SHRINK ? toList(c).toArray(new Node[0]) : c;
  }

  /** The subtree of {@code c} without {@code c}'s own cell. */
  private static Children unlink(Children c) {
    if (c.left == null) {
      return c.right;
    }
    if (c.right == null) {
      return c.left;
    }
    return balance(first(c.right), c.left, withoutFirst(c.right));
  }

  /** {@code c} without its first cell: down the left spine, no name compared. */
  private static Children withoutFirst(Children c) {
    return c.left == null ? c.right : balance(c, withoutFirst(c.left), c.right);
  }

  private static Children first(Children c) {
    while (c.left != null) {
      c = c.left;
    }
    return c;
  }

  static void forEach(Object set, Consumer<Node> action) {
    if (set instanceof Node[] a) {
      for (Node n : a) {
        action.accept(n);
      }
      return;
    }
    forEach((Children) set, action);
  }

  private static void forEach(Children c, Consumer<Node> action) {
    if (c == null) {
      return;
    }
    forEach(c.left, action);
    action.accept(c.node);
    forEach(c.right, action);
  }

  static List<Node> toList(Object set) {
    if (set instanceof Node[] a) {
      return new ArrayList<>(Arrays.asList(a));
    }
    List<Node> out = new ArrayList<>(size(set));
    forEach((Children) set, out::add);
    return out;
  }

  private static Children fromSorted(Node[] sorted, int from, int to) {
    if (from >= to) {
      return null;
    }
    int mid = (from + to) >>> 1;
    return new Children(sorted[mid], fromSorted(sorted, from, mid), fromSorted(sorted, mid + 1, to));
  }

  /** The cell of {@code top}'s node over {@code l} and {@code r}, rotated back into balance. */
  private static Children balance(Children top, Children l, Children r) {
    int hl = height(l);
    int hr = height(r);
    if (hl > hr + 1) {
      if (height(l.left) >= height(l.right)) {
        return with(l, l.left, with(top, l.right, r));
      }
      return with(l.right, with(l, l.left, l.right.left), with(top, l.right.right, r));
    }
    if (hr > hl + 1) {
      if (height(r.right) >= height(r.left)) {
        return with(r, with(top, l, r.left), r.right);
      }
      return with(r.left, with(top, l, r.left.left), with(r, r.left.right, r.right));
    }
    return with(top, l, r);
  }
}
