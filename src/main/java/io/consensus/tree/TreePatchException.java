package io.consensus.tree;

/**
 * A watch event that does not fit the tree: a delete of a key the tree does not hold, or a
 * key outside the tree's root. The view is out of step with etcd and must be rebuilt from a
 * fresh snapshot.
 */
public final class TreePatchException extends RuntimeException {
  public TreePatchException(String message) {
    super(message);
  }
}
