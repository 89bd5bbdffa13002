package io.consensus.tree;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An immutable view of the etcd keyspace under a root key, as of one revision.
 *
 * <p>Keys are split on {@code '/'} into path segments below the root, so
 * {@code ROOT/items/a/member-1} is the node {@code items -> a -> member-1}. Built from a
 * prefix snapshot ({@link #fromSnapshot}) and patched by watch events ({@link #patch}).
 * Every patch returns a new tree sharing all
 * unchanged nodes with the old one: a tree or node handed out never changes, so users may
 * keep it without copying.
 */
public final class KeyTree {
  // A child set this large is a level of distinct names (items), not of repeating ones (members).
  private static final int WIDE = 1024;
  private final String rootKey;
  private final Node root;
  private final long revision;

  private KeyTree(String rootKey, Node root, long revision) {
    this.rootKey = rootKey;
    this.root = root;
    this.revision = revision;
  }

  /** An empty tree under {@code rootKey} (e.g. {@code /consensus/demo}, no trailing slash). */
  public static KeyTree empty(String rootKey) {
    Objects.requireNonNull(rootKey, "rootKey");
    if (rootKey.endsWith("/")) {
      throw new IllegalArgumentException("root key must not end with '/': " + rootKey);
    }
    return new KeyTree(rootKey, Node.directory("", false), 0);
  }

  /**
   * The tree of a consistent snapshot: all key-values under {@code rootKey + "/"} read at
   * {@code revision}. Replaces any earlier view.
   */
  public static KeyTree fromSnapshot(String rootKey, long revision, List<KeyValue> kvs) {
    KeyTree tree = empty(rootKey);
    List<KeyValue> sorted = new ArrayList<>(kvs);
    sorted.sort(Comparator.comparing(KeyValue::key));
    Node root = tree.root;
    for (KeyValue kv : sorted) {
      root = put(root, tree.segments(kv.key()), 0, kv, null);
    }
    return new KeyTree(rootKey, root, revision);
  }

  /** The root key, without trailing slash. */
  public String rootKey() {
    return rootKey;
  }

  /** The root node (its name is empty). */
  public Node root() {
    return root;
  }

  /** The etcd revision this view reflects. */
  public long revision() {
    return revision;
  }

  /** The node at the full etcd key {@code key}, or {@code null}. */
  public Node find(String key) {
    return root.child(segments(key));
  }

  /** The node at the path {@code names} below the root, or {@code null}. */
  public Node child(String... names) {
    return root.child(names);
  }

  /** All key-values of the tree in key order. */
  public List<KeyValue> terminals() {
    List<KeyValue> out = new ArrayList<>();
    root.forEachChild(c -> out.addAll(c.terminals(rootKey + "/" + c.name())));
    return out;
  }

  /** Applies one update of a watcher: a snapshot replaces the tree, changes patch it. */
  public KeyTree apply(WatchUpdate update) {
    if (update instanceof WatchUpdate.Snapshot s) {
      return fromSnapshot(rootKey, s.revision(), s.kvs());
    }
    if (update instanceof WatchUpdate.Changes c) {
      KeyTree t = this;
      for (KeyEvent e : c.events()) {
        t = t.patch(e);
      }
      return t.atRevision(c.revision());
    }
    return atRevision(update.revision());
  }

  /**
   * The tree after one watch event.
   *
   * @throws TreePatchException when the event's key is outside the root, or it deletes a
   *                            key the tree does not hold
   */
  public KeyTree patch(KeyEvent event) {
    return patch(event, null);
  }

  /**
   * The tree after one watch event, as {@link #patch(KeyEvent)}, telling {@code touched} the
   * child its key runs through (if it runs through the collector's node) as it was here and as
   * it is in the new tree: found in the patch's own descent, at no extra search.
   *
   * @param touched a collector whose last patch made this tree (or made for it); null for none
   * @throws TreePatchException       as {@link #patch(KeyEvent)}
   * @throws IllegalArgumentException when {@code touched} did not end at this tree
   */
  public KeyTree patch(KeyEvent event, TouchedNodes touched) {
    String[] segs = segments(event.kv().key());
    TouchedNodes seen = null;
    if (touched != null) {
      touched.expect(root);
      seen = touched.covers(segs) ? touched : null;
    }
    Node newRoot;
    if (event.isUpsert()) {
      newRoot = put(root, segs, 0, event.kv(), seen);
    } else {
      newRoot = remove(root, segs, 0, event.kv().key(), seen);
      if (newRoot == null) {
        newRoot = Node.directory("", false);
      }
    }
    if (touched != null) {
      touched.patched(newRoot);
    }
    return new KeyTree(rootKey, newRoot, Math.max(revision, event.kv().modRevision()));
  }

  /**
   * The tree after a run of watch events (e.g. a revision's), as patching them one by one with
   * {@link #patch(KeyEvent, TouchedNodes)} makes it, in one descent: the nodes on the paths the
   * events share are copied once for the run, not once per event. {@code touched} is told each
   * child the run passed once, as it was before the run and is after it.
   *
   * @param touched a collector whose last patch made this tree (or made for it); null for none
   * @throws TreePatchException       as {@link #patch(KeyEvent)}
   * @throws IllegalArgumentException when {@code touched} did not end at this tree
   */
  public KeyTree patchAll(List<KeyEvent> events, TouchedNodes touched) {
    if (events.isEmpty()) {
      return this;
    }
    if (touched != null) {
      touched.expect(root);
    }
    Node newRoot = BatchPatch.apply(this, events, touched);
    if (touched != null) {
      touched.patched(newRoot);
    }
    long newRevision = revision;
    for (KeyEvent e : events) {
      newRevision = Math.max(newRevision, e.kv().modRevision());
    }
    return new KeyTree(rootKey, newRoot, newRevision);
  }

  /** This tree stamped with a newer revision (nothing changed under the root meanwhile). */
  public KeyTree atRevision(long newRevision) {
    return newRevision <= revision ? this : new KeyTree(rootKey, root, newRevision);
  }

  /** Path segments of {@code key} below the root. */
  public String[] segments(String key) {
    if (!key.startsWith(rootKey) || key.length() <= rootKey.length() + 1
        || key.charAt(rootKey.length()) != '/') {
      throw new TreePatchException("key " + key + " is outside root " + rootKey);
    }
    // By hand: String.split compiles no pattern for one char, yet builds a list per call.
    int from = rootKey.length() + 1;
    int n = 1;
    for (int i = key.indexOf('/', from); i >= 0; i = key.indexOf('/', i + 1)) {
      n++;
    }
    String[] out = new String[n];
    for (int k = 0; k < n - 1; k++) {
      int slash = key.indexOf('/', from);
      out[k] = key.substring(from, slash);
      from = slash + 1;
    }
    out[n - 1] = key.substring(from);
    return out;
  }

  /**
   * Returns the new parent. {@code seen}, when not null, is told the child at its depth before and
   * after (the key runs through its node).
   */
  private static Node put(Node parent, String[] segs, int i, KeyValue kv, TouchedNodes seen) {
    return new Put(segs, i, kv, seen).descend(parent);
  }

  /**
   * One put's descent: a single operator for every level (not a capturing lambda per level), its
   * depth and sharing saved across the level beneath and restored after it.
   */
  private static final class Put implements UnaryOperator<Node> {
    private final String[] segs;
    private final KeyValue kv;
    private final TouchedNodes seen;
    private int i;
    private boolean share;

    Put(String[] segs, int i, KeyValue kv, TouchedNodes seen) {
      this.segs = segs;
      this.i = i;
      this.kv = kv;
      this.seen = seen;
    }

    /** The new {@code parent} with the key put beneath it at depth {@link #i}. */
    Node descend(Node parent) {
      Object set = parent.childSet();
      share = sharesNames(set);
      // One descent per level finds the child and copies the path to it (a patch's main cost).
      return parent.withChildren(Children.update(set, segs[i], this));
    }

    @Override
    public Node apply(Node existing) {
      int at = i;
      boolean sharing = share;
      String name = segs[at];
      Node now;
      if (at == segs.length - 1) {
        now = afterPut(existing, name, sharing, kv);
      } else {
        i = at + 1;
        now = descend(existing != null ? existing : Node.directory(name, sharing));
        i = at;
        share = sharing;
      }
      if (seen != null && at == seen.depth()) {
        seen.touched(name, existing, now);
      }
      return now;
    }
  }

  /**
   * Returns the new parent, or {@code null} when the parent is left empty and valueless; one
   * descent per level, as {@link #put}. {@code seen} as in put.
   */
  private static Node remove(Node parent, String[] segs, int i, String key, TouchedNodes seen) {
    Object newSet = Children.update(parent.childSet(), segs[i], existing -> {
      if (existing == null) {
        throw new TreePatchException("delete of missing key " + key);
      }
      Node now;
      if (i == segs.length - 1) {
        now = afterDelete(existing, key);
      } else {
        now = remove(existing, segs, i + 1, key, seen);
      }
      if (seen != null && i == seen.depth()) {
        seen.touched(segs[i], existing, now);
      }
      return now;
    });
    if (newSet == null && !parent.hasValue()) {
      return null;
    }
    return parent.withChildren(newSet);
  }

  /**
   * Whether the names in {@code set} are worth sharing: among many siblings (items) a name is
   * unique, sharing it only costs.
   */
  static boolean sharesNames(Object set) {
    return Children.size(set) < WIDE;
  }

  /** The node {@code name} (now {@code existing}, null when absent) after a put of its own key. */
  static Node afterPut(Node existing, String name, boolean shareName, KeyValue kv) {
    return existing == null ? Node.leaf(name, shareName, kv) : existing.withValue(kv);
  }

  /**
   * The node (now {@code existing}) after a delete of its own key {@code key}: null when nothing is
   * left beneath it.
   *
   * @throws TreePatchException when the key is not there
   */
  static Node afterDelete(Node existing, String key) {
    if (existing == null) {
      throw new TreePatchException("delete of missing key " + key);
    }
    if (!existing.hasValue()) {
      throw new TreePatchException("delete of missing key " + key + " (only a directory exists there)");
    }
    return existing.isDirectory() ? existing.withoutValue() : null;
  }

  @Override
  public String toString() {
    return "KeyTree{" + rootKey + "@" + revision + ", keys=" + terminals().size() + "}";
  }
}
