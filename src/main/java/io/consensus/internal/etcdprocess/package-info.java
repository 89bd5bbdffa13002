/**
 * An etcd child process on loopback ({@code EtcdProcess}: start, stop, health), the binary
 * lookup ({@code ETCD_BIN} or {@code PATH}) and free ports: what the launcher's embedded etcd
 * runs and the test kit's {@code EtcdServer} and {@code EtcdCluster} wrap. Needs no JUnit.
 *
 * <p>May import: no other {@code io.consensus} package.
 */
package io.consensus.internal.etcdprocess;
