/**
 * JUnit 5 support for tests of applications and of this project: {@code EtcdExtension} (one
 * real etcd per test class, injected as a parameter) and {@code Await} (poll a condition with
 * a deadline). JUnit's API is an optional dependency of the library; no production package
 * imports this one.
 *
 * <p>May import: {@code internal.etcdprocess}.
 */
package io.consensus.testing;
