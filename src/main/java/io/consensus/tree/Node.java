package io.consensus.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An immutable node of a {@link KeyTree}: one path segment of an etcd key.
 *
 * <p>A node may hold a value (an etcd key ends here), have children (longer keys run
 * through it), or both, e.g. an item marker {@code ROOT/items/a} with entries
 * {@code ROOT/items/a/<member>} beneath it. Nodes are persistent: patching a tree builds
 * new nodes along the changed path and shares everything else, so a node handed out
 * never changes. Retaining one is safe and costs no copy.
 *
 * <p>Nodes do not store their full key, which keeps a tree of 100,000 items small; the
 * key of a node is its parent's key plus {@code "/" + name()}.
 */
public final class Node {
  // Compact on purpose: a member's tree holds one node per key (4M at 1M items x R=2). A
  // directory's smallest create revision lives in its child set (Children), not here.
  private final String name;
  private final String value;
  private final long createRevision;
  private final long modRevision;
  private final long version;
  private final long lease;
  // null, a small sorted Node[] or a Children tree (see Children): never handed out as is.
  private final Object children;

  private Node(String name, String value, long createRevision, long modRevision, long version, long lease,
      Object children) {
    this.name = name;
    this.value = value;
    this.createRevision = createRevision;
    this.modRevision = modRevision;
    this.version = version;
    this.lease = lease;
    this.children = children;
  }

  /**
   * A new node of one key. {@code shareName}: whether its name is worth sharing; one of many
   * siblings (an item among 1M) is a name no other node has.
   */
  static Node leaf(String name, boolean shareName, KeyValue kv) {
    return new Node(shareName ? Interner.share(name) : name, Interner.share(kv.value()), kv.createRevision(),
        kv.modRevision(), kv.version(), kv.lease(), null);
  }

  /** A new directory node (no key of its own) with no children yet; {@code shareName} as in leaf. */
  static Node directory(String name, boolean shareName) {
    return new Node(shareName ? Interner.share(name) : name, null, 0, 0, 0, 0, null);
  }

  /** This node (its name and children) holding {@code kv}'s value; an equal value string is reused. */
  Node withValue(KeyValue kv) {
    String v = kv.value().equals(value) ? value : Interner.share(kv.value());
    return new Node(name, v, kv.createRevision(), kv.modRevision(), kv.version(), kv.lease(), children);
  }

  Node withChildren(Object newChildren) {
    return new Node(name, value, createRevision, modRevision, version, lease, newChildren);
  }

  Node withoutValue() {
    return new Node(name, null, 0, 0, 0, 0, children);
  }

  Object childSet() {
    return children;
  }

  /** The path segment this node stands for. */
  public String name() {
    return name;
  }

  /** Whether an etcd key ends at this node. */
  public boolean hasValue() {
    return value != null;
  }

  /** The value of the key ending here, or {@code ""} when none does (as etcd v2 directories). */
  public String value() {
    return value == null ? "" : value;
  }

  /**
   * Create revision of this node: its own key's when it is a plain key, otherwise the
   * smallest create revision beneath it (and its own), as an implicit directory would have.
   */
  public long createRevision() {
    if (children == null) {
      return createRevision;
    }
    long beneath = Children.minCreateRevision(children);
    return value != null ? Math.min(createRevision, beneath) : beneath;
  }

  /** Create revision of the key ending here, 0 when this node is only a directory. */
  public long ownCreateRevision() {
    return createRevision;
  }

  /** Mod revision of the key ending here, 0 when this node is only a directory. */
  public long modRevision() {
    return modRevision;
  }

  /** Version of the key ending here, 0 when this node is only a directory. */
  public long version() {
    return version;
  }

  /** Lease of the key ending here, 0 when none. */
  public long lease() {
    return lease;
  }

  /** Whether keys continue beneath this node. */
  public boolean isDirectory() {
    return children != null;
  }

  /** Number of direct children. */
  public int childCount() {
    return Children.size(children);
  }

  /** Direct children in name order (a new list; O(children)). */
  public List<Node> children() {
    return Children.toList(children);
  }

  /** Visits direct children in name order without building a list. */
  public void forEachChild(Consumer<Node> action) {
    Children.forEach(children, action);
  }

  /** The direct child at {@code index} in name order. */
  public Node childAt(int index) {
    return Children.at(children, index);
  }

  /**
   * Position of the child {@code name} in name order, or {@code -(insertion point) - 1}
   * when absent.
   */
  public int indexOf(String name) {
    return Children.indexOf(children, name);
  }

  /**
   * Follows {@code names} downwards and returns the node reached, or {@code null} when any
   * step is missing.
   */
  public Node child(String... names) {
    Node n = this;
    for (String s : names) {
      n = Children.get(n.children, s);
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  /**
   * All keys at or beneath this node, depth-first in key order.
   *
   * @param key the full key of this node
   */
  public List<KeyValue> terminals(String key) {
    List<KeyValue> out = new ArrayList<>();
    collect(this, key, out);
    return out;
  }

  private static void collect(Node n, String key, List<KeyValue> out) {
    if (n.value != null) {
      out.add(n.toKeyValue(key));
    }
    Children.forEach(n.children, c -> collect(c, key + "/" + c.name, out));
  }

  /** This node's own key-value under {@code key}; only meaningful when {@link #hasValue()}. */
  public KeyValue toKeyValue(String key) {
    return new KeyValue(key, value(), createRevision, modRevision, version, lease);
  }

  @Override
  public String toString() {
    return "Node{" + name + (value != null ? "=" + value + "@" + createRevision : "") + ", children="
        + childCount() + "}";
  }
}
