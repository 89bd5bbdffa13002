package io.consensus.tree;

/** Read-only string lookup by {@code '/'}-separated path. */
@FunctionalInterface
public interface StringMap {
  /** The value at {@code path}, or {@code ""} when there is none. */
  String get(String path);
}
