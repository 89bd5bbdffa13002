/**
 * The keyspace as an immutable, persistent tree: {@code KeyTree}, {@code Node},
 * {@code KeyValue}, {@code KeyEvent}, and the {@code WatchUpdate}s (snapshot, changes,
 * progress) that patch it, and {@code TouchedNodes} (what a run of patches changed below one
 * node, before and after). Pure data and its rules, no I/O.
 *
 * <p>May import: {@code java.*} only (no other {@code io.consensus} package). Everything that
 * reads etcd state builds on this package.
 */
package io.consensus.tree;
