/**
 * Real etcd child processes on loopback: {@code EtcdServer} (one member, restart, compaction),
 * {@code EtcdCluster} (several members), the binary lookup ({@code ETCD_BIN} or {@code PATH})
 * and free ports. Used by the launcher's embedded etcd and by tests; needs no JUnit.
 *
 * <p>May import: {@code internal.etcd}.
 */
package io.consensus.internal.etcdprocess;
