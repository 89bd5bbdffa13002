package io.consensus.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A persistent (immutable, structurally shared) AVL tree of {@link Node}s keyed by
 * {@link Node#name()}.
 *
 * <p>Why not a sorted array: an items level with 100,000 children would copy the whole
 * array on every watch event. Here an insert, replace or remove copies only the
 * O(log n) path to the changed child, so a watch event costs work proportional to the
 * keys it touches. The empty set is {@code null}; all operations are static.
 */
final class Children {
  final Node node;
  final Children left;
  final Children right;
  final int height;
  final int size;

  private Children(Node node, Children left, Children right) {
    this.node = node;
    this.left = left;
    this.right = right;
    this.height = Math.max(height(left), height(right)) + 1;
    this.size = size(left) + size(right) + 1;
  }

  static int height(Children c) {
    return c == null ? 0 : c.height;
  }

  static int size(Children c) {
    return c == null ? 0 : c.size;
  }

  static Node get(Children c, String name) {
    while (c != null) {
      int cmp = name.compareTo(c.node.name());
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
  static int indexOf(Children c, String name) {
    int base = 0;
    while (c != null) {
      int cmp = name.compareTo(c.node.name());
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

  /** The child at position {@code index} in sort order. */
  static Node at(Children c, int index) {
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

  /** Inserts {@code node}, replacing a child of the same name. */
  static Children put(Children c, Node node) {
    if (c == null) {
      return new Children(node, null, null);
    }
    int cmp = node.name().compareTo(c.node.name());
    if (cmp == 0) {
      return new Children(node, c.left, c.right);
    }
    if (cmp < 0) {
      return balance(c.node, put(c.left, node), c.right);
    }
    return balance(c.node, c.left, put(c.right, node));
  }

  /** Removes the child named {@code name}; returns {@code c} itself when absent. */
  static Children remove(Children c, String name) {
    if (c == null) {
      return null;
    }
    int cmp = name.compareTo(c.node.name());
    if (cmp < 0) {
      Children l = remove(c.left, name);
      return l == c.left ? c : balance(c.node, l, c.right);
    }
    if (cmp > 0) {
      Children r = remove(c.right, name);
      return r == c.right ? c : balance(c.node, c.left, r);
    }
    if (c.left == null) {
      return c.right;
    }
    if (c.right == null) {
      return c.left;
    }
    Node min = first(c.right);
    return balance(min, c.left, remove(c.right, min.name()));
  }

  static Node first(Children c) {
    while (c.left != null) {
      c = c.left;
    }
    return c.node;
  }

  static void forEach(Children c, Consumer<Node> action) {
    if (c == null) {
      return;
    }
    forEach(c.left, action);
    action.accept(c.node);
    forEach(c.right, action);
  }

  static List<Node> toList(Children c) {
    List<Node> out = new ArrayList<>(size(c));
    forEach(c, out::add);
    return out;
  }

  static Children fromSorted(List<Node> sorted, int from, int to) {
    if (from >= to) {
      return null;
    }
    int mid = (from + to) >>> 1;
    return new Children(sorted.get(mid), fromSorted(sorted, from, mid), fromSorted(sorted, mid + 1, to));
  }

  private static Children balance(Node node, Children l, Children r) {
    int hl = height(l);
    int hr = height(r);
    if (hl > hr + 1) {
      if (height(l.left) >= height(l.right)) {
        return new Children(l.node, l.left, new Children(node, l.right, r));
      }
      return new Children(l.right.node, new Children(l.node, l.left, l.right.left),
          new Children(node, l.right.right, r));
    }
    if (hr > hl + 1) {
      if (height(r.right) >= height(r.left)) {
        return new Children(r.node, new Children(node, l, r.left), r.right);
      }
      return new Children(r.left.node, new Children(node, l, r.left.left),
          new Children(r.node, r.left.right, r.right));
    }
    return new Children(node, l, r);
  }
}
