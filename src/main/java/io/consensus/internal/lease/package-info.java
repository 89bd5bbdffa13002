/**
 * Keeping an etcd lease alive and declaring it lost before etcd can expire it:
 * {@code LeaseKeeper} and {@code LeaseOptions}; {@code KeeperLoop}, the keeper's own event loop
 * and etcd connection, apart from the allocator's, so that the allocator's work cannot starve it;
 * {@code LeaseCalls}, the grant and revoke calls of every lease (kept alive or not).
 *
 * <p>May import: {@code etcd}, {@code config}, {@code internal.etcd}, {@code internal.config}.
 */
package io.consensus.internal.lease;
