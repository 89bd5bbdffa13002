/**
 * Keeping an etcd lease alive and declaring it lost before etcd can expire it:
 * {@code LeaseKeeper} and {@code LeaseOptions}.
 *
 * <p>May import: {@code etcd}, {@code config}, {@code internal.etcd}, {@code internal.config}.
 */
package io.consensus.internal.lease;
