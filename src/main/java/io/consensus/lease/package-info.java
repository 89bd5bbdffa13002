/**
 * Keeping an etcd lease alive and declaring it lost before etcd can expire it:
 * {@code LeaseKeeper} and {@code LeaseOptions}.
 *
 * <p>May import: {@code etcd}, {@code config}.
 */
package io.consensus.lease;
