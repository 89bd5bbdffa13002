/**
 * A consistent, self-healing view of an etcd prefix: {@code RetryWatcher} delivers a snapshot
 * and then every revision in order, recovering from broken streams, compaction and endpoint
 * failures; {@code RetryWatcherOptions} configures it. {@code WatchFrame} reads etcd's watch
 * responses from their bytes (each event converted only when read).
 *
 * <p>May import: {@code tree}, {@code config}, {@code internal.etcd}, {@code internal.config}.
 */
package io.consensus.internal.watch;
