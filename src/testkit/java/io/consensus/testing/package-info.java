/**
 * The test kit, published apart from the library as {@code etcd-allocator-testkit} (JUnit 5 is
 * its dependency): {@code EtcdExtension} (one real etcd per test class, injected as a
 * parameter), {@code EtcdServer} (one etcd process: start, stop, restart, fault injection with
 * {@code signal}, key-value conveniences), {@code EtcdCluster} (several members) and
 * {@code Await} (poll a condition with a deadline). No production package imports this one.
 *
 * <p>May import: {@code internal.etcdprocess} (the etcd child process it wraps),
 * {@code internal.etcd} (key ranges).
 */
package io.consensus.testing;
