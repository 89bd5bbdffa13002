/**
 * The public face of the etcd client: {@code EtcdSecurity} (TLS and credentials), and the
 * errors a call can end in ({@code EtcdCallException}, {@code EtcdAuthenticationException}).
 * The client itself is in {@code internal.etcd}.
 *
 * <p>May import: no other {@code io.consensus} package.
 */
package io.consensus.etcd;
